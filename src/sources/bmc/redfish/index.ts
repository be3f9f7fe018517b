import type { Source } from '../../types.js';
import { decodeRedfish } from './decode.js';
import { redfishFramer } from './framer.js';

export { redfishFramer } from './framer.js';

/**
 * Redfish BMC events: LogEntry resources and LogEntryCollections (EntryType SEL, Event, Oem) and
 * EventService event payloads, decoded with the IPMI tables (SEL entries) or the message registries
 * (MessageId) into `hw.*`, `event.code` and `bmc.redfish.*`. The framer hands over one collection
 * member at a time; see `redfishFramer`.
 */
export const redfishSource: Source = {
  id: 'redfish',
  dataset: 'bmc.redfish',
  description:
    'Redfish LogEntry, LogEntryCollection and EventService event payloads (DMTF and OpenBMC registries)',
  contentType: 'application/json',
  createFramer: redfishFramer,
  decode: decodeRedfish,
};

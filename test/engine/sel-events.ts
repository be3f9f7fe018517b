import type { FaultEvent } from '../../src/model/event.js';
import { frameText } from '../../src/sources/framing.js';
import { getSource } from '../../src/sources/registry.js';
import { readFixture } from '../helpers/fixtures.js';

/**
 * The real ipmitool SEL of a power-cycling server (fixture), decoded, in time order as a live BMC
 * would have sent it (the file itself is a dump, partly out of order), as the bus would carry it.
 */
export function ipmiEvents(): FaultEvent[] {
  const source = getSource('ipmi-sel');
  if (source === undefined) throw new Error('no ipmi-sel source');
  const text = readFixture('bmc', 'ipmi-sel', 'linuxfabrik', 'ipmitool_sel_elist_acpi-soft-off.txt');
  return frameText(source.createFramer(), text)
    .flatMap((f) => {
      const r = source.decode(f.payload, { line: f.line, host: 'bm-9', receivedAt: '2026-01-01T00:00:00Z' });
      return r.ok ? r.events.map((e): FaultEvent => ({ ...e, 'host.name': 'bm-9' })) : [];
    })
    .filter((e) => e['bmc.sel.pre_init'] !== true)
    .sort((a, b) => (a['@timestamp'] < b['@timestamp'] ? -1 : a['@timestamp'] > b['@timestamp'] ? 1 : 0));
}

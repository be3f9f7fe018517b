import { hash } from 'node:crypto';
import { EVENT_ID_LENGTH, eventIdPrefix, occurrenceSuffix } from '../../../model/event-id.js';
import { idDiscriminator } from '../../event-builder.js';
import type { DecodeContext, DocumentFastPath, DocumentSink } from '../../types.js';
import { emptyHead, scanOsloLine } from './oslo-bytes.js';
import { nestedHostField, writeDocument } from './oslo-document.js';
import { latin1Write, maxRecordBytes } from './oslo-write.js';

/** Records longer than this go the generic way (as in `faultline parse`'s fast path). */
const MAX_FAST_RECORD = 64 * 1024;
/** Room for the id prefix (source, host hint); a longer host hint goes the generic way. */
const MAX_PREFIX = 1024;

/**
 * The ingest pipeline's fast path for `openstack-log` (DocumentFastPath): a record that is one plain
 * oslo.log line (printable ASCII, the usual head; oslo-bytes.ts decides, as for `faultline parse`)
 * becomes its document straight from its characters. Tracebacks (several lines), JSON-formatter
 * records, anything non-ASCII and anything else the scanner does not mirror exactly go back to the
 * pipeline for `decode`.
 *
 * The id is the decoder's: sha256 over the prefix (source, host hint), the record and the
 * occurrence suffix, hashed as one buffer that the record is copied into once.
 */
export function osloDocumentFastPath(): DocumentFastPath {
  const slot = Buffer.alloc(MAX_PREFIX + MAX_FAST_RECORD + 32);
  const head = emptyHead();
  let encoded = 0;
  // The slot's prefix and the host field belong to the last host hint seen (a batch is one upload).
  let lastHost: string | undefined;
  let lineAt = -1;
  let hostField: Buffer | undefined;

  const usePrefix = (host: string | undefined): boolean => {
    if (lineAt !== -1 && host === lastHost) return true;
    const prefix = Buffer.from(eventIdPrefix('openstack-log', idDiscriminator(host)), 'utf8');
    if (prefix.length > MAX_PREFIX) return false;
    prefix.copy(slot, 0);
    lineAt = prefix.length;
    lastHost = host;
    hostField = nestedHostField(host);
    return true;
  };

  return {
    get encoded() {
      return encoded;
    },
    encode(record: string, ctx: DecodeContext, out: DocumentSink): boolean {
      const length = record.length;
      if (length === 0 || length > MAX_FAST_RECORD || !usePrefix(ctx.host)) return false;
      // Characters above U+00FF would land as other bytes; the scanner refuses any non-ASCII
      // character in `record` itself, so what it accepts is these bytes exactly.
      latin1Write(slot, record, lineAt);
      const end = lineAt + length;
      // A space after the record stops the scanner's searches for the next space there.
      slot[end] = 32;
      if (!scanOsloLine(slot, lineAt, end, head, record)) return false;
      const occurrence = ctx.occurrence ?? 0;
      const n = occurrence > 0 ? latin1Write(slot, occurrenceSuffix(occurrence), end) : 0;
      const id = hash('sha256', slot.subarray(0, end + n), 'base64url').slice(0, EVENT_ID_LENGTH);
      out.reserve(maxRecordBytes(length, hostField));
      out.used = writeDocument(out.buffer, out.used, slot, head, record, id, hostField);
      out.add(id, 'openstack.log');
      encoded++;
      return true;
    },
  };
}

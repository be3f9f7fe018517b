import { jsonString } from '../../../model/document.js';
import { eventId } from '../../../model/event-id.js';
import { idDiscriminator } from '../../event-builder.js';
import type { DecodeContext, DocumentFastPath, DocumentSink } from '../../types.js';
import { parseJsonSamples } from './json-lines.js';
import { type Sample, sampleMessage, sampleTimestamp, sampleTraffic } from './sample.js';

const SOURCE = 'dpu-metrics';

/**
 * The ingest pipeline's fast path for `dpu-metrics` JSON lines (DocumentFastPath): the line is
 * parsed and checked by the decoder's own parseJsonSamples, and each sample's document is written as
 * text in the order `documentJson(sampleEvent(…))` gives it, without the flat event object, its plan
 * lookup and its second copy into the bulk body. Prometheus exposition and ovs-ofctl blocks, and any
 * line the schema rejects, go back to the pipeline for `decode` (which gives the rejection reason).
 *
 * The field order follows the flat event's key order, as toDocument nests it: `host` comes right
 * after `message` when the transport named a host (baseEvent sets it first), after `observer`
 * otherwise. Tests compare the bytes with `documentJson(decode(…))`.
 */
export function dpuMetricsDocumentFastPath(): DocumentFastPath {
  let encoded = 0;
  return {
    get encoded() {
      return encoded;
    },
    encode(record: string, ctx: DecodeContext, out: DocumentSink): boolean {
      if (record.charCodeAt(0) !== 123 /* { */) return false;
      const samples = parseJsonSamples(record);
      if (!Array.isArray(samples)) return false;
      // The parts every sample of the line shares: written once.
      const hint = ctx.host !== undefined && ctx.host !== '' ? ctx.host : undefined;
      const event = `,"dataset":"dpu.metrics","kind":"metric","severity":6,"original":${JSON.stringify(record)},"module":"${SOURCE}"},"message":`;
      const occurrence = ctx.occurrence ?? 0;
      // Every document is made before any is written: whatever throws leaves the batch untouched.
      const ids: string[] = [];
      const docs: string[] = [];
      let length = 0;
      for (const s of samples) {
        const id = eventId(SOURCE, record, occurrence, idDiscriminator(ctx.host, `${s.type}:${s.name}`));
        const doc = document(s, id, sampleTimestamp(s.timeMs, ctx), event, hint);
        ids.push(id);
        docs.push(doc);
        length += doc.length;
      }
      out.reserve(length * 3);
      for (let i = 0; i < docs.length; i++) {
        out.used += out.buffer.write(docs[i]!, out.used, 'utf8');
        out.add(ids[i]!, 'dpu.metrics');
      }
      encoded++;
      return true;
    },
  };
}

function document(s: Sample, id: string, timestamp: string, event: string, hint: string | undefined): string {
  const host = s.host ?? hint;
  let doc = `{"@timestamp":"${timestamp}","event":{"id":"${id}"${event}${jsonString(sampleMessage(s))}`;
  if (hint !== undefined) doc += `,"host":{"name":${jsonString(host!)}}`;
  doc +=
    s.dpu === undefined
      ? ',"observer":{"type":"dpu"}'
      : `,"observer":{"type":"dpu","name":${jsonString(s.dpu)}}`;
  if (hint === undefined && host !== undefined) doc += `,"host":{"name":${jsonString(host!)}}`;
  if (s.port !== undefined) doc += `,"interface":{"name":${jsonString(s.port)}}`;
  // JSON lines always carry a finite value (parseJsonSamples refuses anything else).
  const value = String(s.value);
  doc += `,"dpu":{"metric.name":${jsonString(s.name)},"metric.value":${value},"metric.type":"${s.type}","metric.format":"${s.format}"`;
  if (s.labels !== undefined) doc += `,"metric.labels":${JSON.stringify(s.labels)}`;
  doc += '}';
  const traffic = sampleTraffic(s);
  if (traffic !== undefined) {
    doc += `,"network":{"direction":"${traffic.direction}","${traffic.field === 'network.bytes' ? 'bytes' : 'packets'}":${value}}`;
  }
  return `${doc}}`;
}

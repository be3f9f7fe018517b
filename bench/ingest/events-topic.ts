/**
 * The `<prefix>.events` record contract, measured alone (issue 17): Faultline CPU per 1,000 events to
 * publish an ingest slice's events to Kafka and to read them back into event objects, packed per
 * partition (src/ingest/events-record.ts) against the peer, one record per event (the contract before).
 * The events are the bench:ingest mix, decoded; slices of `--batch` events as the pipeline publishes them.
 *
 *   FAULTLINE_KAFKA_BROKERS=127.0.0.1:9092 npx tsx bench/ingest/events-topic.ts [--records 30000] [--rounds 2]
 *
 * Measures the build in `dist/` (`npm run build` first). Loopback only; topic names are unique to the run.
 */
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type { BusMessage, OutgoingMessage } from '../../src/bus/types.js';
import type { FaultEvent } from '../../src/model/event.js';
import { fromDist } from './from-dist.js';
import { asDeliveredRecords, buildWorkload } from './workload.js';

const { KafkaBus } = await fromDist<typeof import('../../src/bus/kafka.js')>('bus/kafka.js');
const { decodeBatch, sourcesByTopic } =
  await fromDist<typeof import('../../src/ingest/pipeline.js')>('ingest/pipeline.js');
const { encodeEventsRecords, decodeEventsRecord, eventsKey } =
  await fromDist<typeof import('../../src/ingest/events-record.js')>('ingest/events-record.js');
const { createLogger } = await fromDist<typeof import('../../src/shared/logger.js')>('shared/logger.js');

const { values: args } = parseArgs({
  options: {
    records: { type: 'string', default: '30000' },
    rounds: { type: 'string', default: '2' },
    batch: { type: 'string', default: '5000' },
    partitions: { type: 'string', default: '6' },
  },
});
const brokers = process.env.FAULTLINE_KAFKA_BROKERS;
if (brokers === undefined) throw new Error('set FAULTLINE_KAFKA_BROKERS');

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const prefix = `bench.events.${randomUUID().slice(0, 8)}`;
const workload = buildWorkload(Number(args.records), { topicPrefix: prefix, pack: true });
const { events } = decodeBatch(asDeliveredRecords(workload.records), sourcesByTopic(prefix));
const bus = new KafkaBus({
  brokers: brokers.split(','),
  clientId: `bench-events-${prefix}`,
  logger: createLogger('warn', process.stderr as never),
  partitions: Number(args.partitions),
});

type Format = 'packed' | 'per-event';
const encode: Record<Format, (slice: FaultEvent[], topic: string) => Promise<OutgoingMessage[]>> = {
  packed: async (slice, topic) => encodeEventsRecords(slice, await bus.partitioner(topic)),
  'per-event': async (slice) => slice.map((e) => ({ key: eventsKey(e), value: JSON.stringify(e) })),
};

async function pass(format: Format, k: string) {
  const topic = `${prefix}.${k}.events`;
  await bus.ensureTopics([topic]);
  const batch = Number(args.batch);
  const c0 = cpuMs();
  let records = 0;
  for (let i = 0; i < events.length; i += batch) {
    const out = await encode[format](events.slice(i, i + batch), topic);
    records += out.length;
    await bus.publish(topic, out);
  }
  const publishCpu = cpuMs() - c0;
  // Read back, as the engine does: the records of every partition, then the events out of each.
  let read = 0;
  let decoded = 0;
  const c1 = cpuMs();
  const sub = await bus.subscribe({
    group: `${prefix}.${k}`,
    topics: [topic],
    fromBeginning: true,
    maxBatchSize: 5000,
    onBatch: async (messages: BusMessage[]) => {
      for (const m of messages) {
        const d = decodeEventsRecord(m);
        if (d.ok) decoded += d.events.length;
      }
      read += messages.length;
    },
  });
  while (read < records) await sleep(5);
  const readCpu = cpuMs() - c1;
  await sub.close();
  if (decoded !== events.length) throw new Error(`${format}: read ${decoded} of ${events.length} events`);
  const per1k = (ms: number) => Math.round((ms / events.length) * 10_000) / 10;
  return { format, records, publish: per1k(publishCpu), read: per1k(readCpu) };
}

// Warm-up (unmeasured), then alternating passes so a drift of the host's load bills both alike.
await pass('packed', 'w0');
await pass('per-event', 'w1');
const results: Array<Awaited<ReturnType<typeof pass>>> = [];
for (let r = 0; r < Number(args.rounds); r++) {
  const order: Format[] = r % 2 === 0 ? ['packed', 'per-event'] : ['per-event', 'packed'];
  for (const f of order) results.push(await pass(f, `${f}${r}`));
}
await bus.close();
const mean = (xs: number[]) => Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 10) / 10;
const summary = (f: Format) => {
  const own = results.filter((x) => x.format === f);
  return {
    records: own[0]!.records,
    publish_cpu_ms_per_1000_events: own.map((x) => x.publish),
    read_cpu_ms_per_1000_events: own.map((x) => x.read),
    mean_total: mean(own.map((x) => x.publish + x.read)),
  };
};
const out = {
  events: events.length,
  load_average: loadavg().map((x) => Number(x.toFixed(2))),
  packed: summary('packed'),
  'per-event': summary('per-event'),
};
process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
process.stdout.write(
  `CPU ms per 1,000 events, publish + read back: packed ${out.packed.mean_total}, one record per event ${out['per-event'].mean_total} (ratio ${(out['per-event'].mean_total / out.packed.mean_total).toFixed(1)}×)\n`,
);

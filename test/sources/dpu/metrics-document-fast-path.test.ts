import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildWorkload } from '../../../bench/ingest/workload.js';
import { unpackFrames } from '../../../src/ingest/packing.js';
import { DocumentBatch } from '../../../src/model/document-batch.js';
import { dpuMetricsDocumentFastPath } from '../../../src/sources/dpu/metrics/document-fast-path.js';
import { dpuMetricsSource } from '../../../src/sources/dpu/metrics/index.js';
import type { DecodeContext, DocumentFastPath } from '../../../src/sources/types.js';
import { expectSameAsDecode } from '../../helpers/document-fast-path.js';
import { readFixture } from '../../helpers/fixtures.js';

/**
 * The ingest pipeline's document fast path for dpu-metrics JSON lines must write, for every line it
 * takes, exactly `documentJson` of each event `decode` gives for that line and context (same ids,
 * same bytes, same order), and must take nothing that `decode` would refuse.
 */

/** Runs one record both ways; returns whether the fast path took it. */
const expectSame = (fast: DocumentFastPath, record: string, ctx: DecodeContext = {}) =>
  expectSameAsDecode(dpuMetricsSource, 'dpu.metrics', fast, record, ctx);

const RECEIVED = '2026-03-04T05:06:07.089Z';
const line = (o: unknown) => JSON.stringify(o);

describe('dpu-metrics document fast path against decode + documentJson', () => {
  it('writes the same documents for every DPU line of the bench mix, taking all of them', () => {
    const fast = dpuMetricsDocumentFastPath();
    const workload = buildWorkload(20_000, { topicPrefix: 'faultline', hosts: 30 });
    let lines = 0;
    for (const r of workload.records.filter((x) => x.source === 'dpu-metrics')) {
      const index = r.headers['faultline-frames'];
      const frames = index === undefined ? [{ payload: r.value }] : unpackFrames(r.value, index);
      if (!Array.isArray(frames)) throw new Error(frames.error);
      for (const f of frames) {
        expect(expectSame(fast, f.payload, { host: r.key, receivedAt: RECEIVED })).toBe(true);
        lines++;
      }
    }
    expect(lines).toBe(workload.mix['dpu-metrics']);
    expect(fast.encoded).toBe(lines);
  });

  it('matches on hosts (hint, line, aliases), ports, labels, gauges, string counters, times and occurrences', () => {
    const fast = dpuMetricsDocumentFastPath();
    const lines = [
      line({
        timestamp: '2024-05-01T12:00:00Z',
        host: 'compute-17',
        dpu: 'bf3-0',
        port: 'p0',
        counters: { rx_bytes: 1, tx_packets: 2, rx_dropped: 3 },
      }),
      line({ counters: { in_octets: 10 }, gauges: { temperature_c: 61.5, out_pkts: 9 } }),
      line({ node: 'n-1', interface: 'eth0', counters: { transmit_bytes_total: '18446744073709551615' } }),
      line({
        device: 'pf0hpf',
        counters: { received_packets: '12.50', x: 0 },
        labels: { pf: '0', vf: 3, up: true },
      }),
      line({ timestamp: 1714564800, counters: { a: 1 } }),
      line({ timestamp: 1714564800123, counters: { a: 1 } }),
      line({ timestamp: 1714564800123456, counters: { a: 1 } }),
      '{"timestamp":1714564800123456789,"counters":{"a":1}}',
      line({ host: '', dpu: '', port: '', counters: { rx_bytes: 5 } }),
      line({
        host: 'nœud "7"\\',
        port: 'p\u00e9\n0',
        dpu: '\u2028bf',
        counters: { 'weird "name"\\': 1 },
        labels: { 'k"': 'v\u0000' },
      }),
      line({ gauges: { rx_bytes: -4, neg: -0 } }),
      line({ counters: { '1': 1, b: 2, '0': 3 }, labels: { '2': 'x', a: 'y', '1': 'z' } }),
      `{"counters":{"rx_bytes":1e3,"tx_bytes":12.0},"host":"h"}`,
      `{ "counters" : { "rx_bytes" : 7 } , "dpu" : "d" }`,
      `{"counters":{"dup":1,"dup":2}}`,
    ];
    const contexts: DecodeContext[] = [
      { receivedAt: RECEIVED },
      { host: 'hint-1', receivedAt: RECEIVED },
      { host: '', receivedAt: RECEIVED, occurrence: 2 },
      { host: 'x'.repeat(3000), line: 7, receivedAt: RECEIVED, occurrence: 1 },
    ];
    for (const ctx of contexts) for (const l of lines) expect(expectSame(fast, l, ctx), l).toBe(true);
    expect(fast.encoded).toBe(lines.length * contexts.length);
  });

  it('takes nothing decode refuses, nor the other formats, and writes nothing for them', () => {
    const fast = dpuMetricsDocumentFastPath();
    const refused = [
      '{"counters":{"rx_bytes":-1}}',
      '{"counters":{}}',
      '{"counters":{"a":"1e3"}}',
      '{"counters":{"a":null}}',
      '{"timestamp":"yesterday","counters":{"a":1}}',
      '{"labels":{"a":{}},"counters":{"a":1}}',
      '{"counters":[1]}',
      '{"counters":{"a":1}',
      '[]',
      '{',
    ];
    for (const l of refused) {
      expect(expectSame(fast, l, { receivedAt: RECEIVED }), l).toBe(false);
      expect(dpuMetricsSource.decode(l, {}).ok).toBe(false);
    }
    // Prometheus and ovs-ofctl lines decode the generic way.
    const prom = readFixture('dpu', 'counters', 'node_exporter_fixtures', 'ethtool__eth0__statistics.txt')
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'));
    for (const l of [...prom.slice(0, 5), 'node_network_receive_bytes_total{device="eth0"} 12']) {
      expect(expectSame(fast, l, { receivedAt: RECEIVED })).toBe(false);
    }
    expect(fast.encoded).toBe(0);
  });

  it('writes nothing when it throws part-way through a line (the pipeline then decodes it whole)', () => {
    const fast = dpuMetricsDocumentFastPath();
    const batch = new DocumentBatch(16);
    let reads = 0;
    // A context whose host fails on its fifth read: once the first sample's document is made.
    const ctx = {
      receivedAt: RECEIVED,
      get host() {
        if (++reads === 5) throw new Error('boom');
        return 'h';
      },
    } as DecodeContext;
    expect(() => fast.encode(line({ counters: { rx_bytes: 1, tx_bytes: 2, x: 3 } }), ctx, batch)).toThrow(
      'boom',
    );
    expect(batch.count).toBe(0);
    expect(batch.used).toBe(0);
    expect(fast.encoded).toBe(0);
  });

  it('matches decode on random JSON lines (fast-check)', () => {
    const fast = dpuMetricsDocumentFastPath();
    const name = fc.oneof(
      fc.constantFrom(
        'rx_bytes',
        'tx_bytes',
        'rx_packets',
        'out_octets',
        'in_pkts_total',
        'errors',
        'temperature_c',
      ),
      fc.string({ maxLength: 10 }),
    );
    const value = fc.oneof(
      fc.integer({ min: -5, max: 2 ** 40 }),
      fc.double({ noNaN: true }),
      fc.constantFrom('123', '-4', '7.25', 'abc', null, true),
    );
    const text = fc.oneof(fc.constantFrom('compute-1', 'bf3-0', 'p0', ''), fc.string({ maxLength: 8 }));
    const doc = fc.record(
      {
        timestamp: fc.oneof(
          fc.constantFrom('2024-05-01T12:00:00Z', '2024-05-01T12:00:00.5+02:00', 'nope'),
          fc.integer({ min: 0, max: 2 ** 52 }),
        ),
        host: text,
        node: text,
        dpu: text,
        port: text,
        interface: text,
        counters: fc.dictionary(name, value, { maxKeys: 4 }),
        gauges: fc.dictionary(name, value, { maxKeys: 3 }),
        labels: fc.dictionary(
          fc.string({ maxLength: 5 }),
          fc.oneof(fc.string({ maxLength: 5 }), fc.integer()),
          {
            maxKeys: 3,
          },
        ),
      },
      { requiredKeys: [] },
    );
    const ctx = fc.record(
      {
        host: text,
        occurrence: fc.nat({ max: 3 }),
        receivedAt: fc.constant(RECEIVED),
      },
      { requiredKeys: ['receivedAt'] },
    );
    let took = 0;
    fc.assert(
      fc.property(doc, ctx, (d, c) => {
        const l = JSON.stringify(d);
        if (expectSame(fast, l, c)) took++;
        else expect(dpuMetricsSource.decode(l, c).ok).toBe(false);
      }),
      { numRuns: 400, seed: 20261206 },
    );
    expect(took).toBeGreaterThan(100);
  });
});

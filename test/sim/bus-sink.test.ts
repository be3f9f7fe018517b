import { describe, expect, it } from 'vitest';
import { BusSink } from '../../src/sim/bus-sink.js';
import { drained } from '../../src/sim/evaluate.js';
import { runSimulation } from '../../src/sim/runner.js';
import { Simulator } from '../../src/sim/simulator.js';
import { getSource } from '../../src/sources/registry.js';
import { startRuntime } from '../helpers/runtime.js';

// Generated data: the simulator, end to end through the real embedded bus, pipeline and event store.
const START = Date.parse('2026-12-07T00:00:00Z');

describe('simulator → bus → ingest pipeline', () => {
  it('publishes like any source: every record lands decoded in the event store, none dead-lettered', async () => {
    const env = await startRuntime();
    try {
      const sim = new Simulator({ seed: 5, start: START, nodes: 12, faults: { early: true } });
      const sink = new BusSink(env.runtime.bus, env.runtime.config.topicPrefix);
      const expected = new Map<string, number>();
      const hosts = new Set<string>();
      await runSimulation(sim, {
        speed: Number.POSITIVE_INFINITY,
        until: START + 30 * 60_000,
        async write(records, shippedAt) {
          for (const r of records) {
            const result = getSource(r.source)!.decode(r.payload, { host: r.host });
            if (result.ok)
              for (const e of result.events)
                expected.set(e['event.dataset'], (expected.get(e['event.dataset']) ?? 0) + 1);
            hosts.add(r.host);
          }
          await sink.write(records, shippedAt);
        },
      });
      expect(sink.published).toBeGreaterThan(1000);
      await drained(env.runtime);
      const dead = (await env.runtime.bus.listDeadLetters?.({ limit: 5 })) ?? [];
      expect(dead.map((d) => d.reason)).toEqual([]);
      const stored = await env.runtime.eventStore.aggregate({ groupBy: 'event.dataset' });
      expect(new Map(stored.map((b) => [b.key, b.count]))).toEqual(expected);
      // The bus key carries the node: a SEL row (which names no host) is stored under its node.
      const sel = await env.runtime.eventStore.search({ dataset: ['bmc.sel'], size: 50 });
      expect(sel.events.length).toBeGreaterThan(0);
      for (const e of sel.events) expect(hosts).toContain(e['host.name']);
    } finally {
      await env.close();
    }
  });
});

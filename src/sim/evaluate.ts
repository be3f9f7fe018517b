import { setTimeout as sleep } from 'node:timers/promises';
import { topicFor } from '../bus/types.js';
import type { Runtime } from '../runtime.js';
import { listSources } from '../sources/registry.js';
import { BusSink } from './bus-sink.js';
import { LeasingCoreFleetControl } from './leasing-core.js';
import { runSimulation } from './runner.js';
import type { ScoredFinding } from './score.js';
import { Simulator, type SimulatorOptions } from './simulator.js';

/**
 * Drives a running Faultline (any adapters) with a simulated fleet at full speed and reads back what
 * it found through its HTTP API: what bench/predict and the demo's truth test measure.
 */
export async function simulateInto(
  runtime: Runtime,
  options: Omit<SimulatorOptions, 'fleet'> & { duration: number; leasingCore?: boolean; maxLag?: number },
): Promise<{ sim: Simulator; published: number }> {
  const control =
    options.leasingCore === false
      ? undefined
      : // The runtime's topology index hears the leasing core in process, as in `serve`.
        new LeasingCoreFleetControl(runtime.stateStore, options.start, runtime.logger, [
          runtime.fleet.topology,
        ]);
  const sim = new Simulator({ ...options, ...(control !== undefined ? { fleet: control } : {}) });
  await control?.enroll(sim.fleet);
  const sink = new BusSink(runtime.bus, runtime.config.topicPrefix);
  await runSimulation(sim, {
    speed: Number.POSITIVE_INFINITY,
    until: options.start + options.duration,
    write: async (records, shippedAt) => {
      await sink.write(records, shippedAt);
      // Keep the pipeline within a step of simulated time: at full speed the topics would be read
      // hours apart, and the engine's watermark (one per node, across sources) would drop the slower
      // sources' events as late, which never happens to agents sending in real time.
      await caughtUp(runtime, options.maxLag ?? 200);
    },
  });
  return { sim, published: sink.published };
}

/** Waits until the ingest group and the engine are at most `maxLag` records behind. */
async function caughtUp(runtime: Runtime, maxLag: number, timeoutMs = 30 * 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lag = (await lags(runtime)).reduce((a, l) => a + l.lag, 0);
    if (lag <= maxLag) return;
    if (Date.now() > deadline) throw new Error(`pipeline still ${lag} records behind after ${timeoutMs} ms`);
    await sleep(50);
  }
}

async function lags(runtime: Runtime) {
  const prefix = runtime.config.topicPrefix;
  const topics = [...new Set(listSources().map((s) => topicFor(s.dataset, prefix)))];
  return [
    ...(await runtime.bus.lag(runtime.config.ingestGroup, topics)),
    // The engine's own group on the normalized events (src/engine/start.ts).
    ...(await runtime.bus.lag(`${prefix}-engine`, [`${prefix}.events`])),
  ];
}

/** Waits until the ingest group has consumed every record on the bus, and the engine every event. */
export async function drained(runtime: Runtime, timeoutMs = 30 * 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if ((await lags(runtime)).every((l) => l.lag === 0)) return;
    if (Date.now() > deadline) throw new Error(`ingest still lagging after ${timeoutMs} ms`);
    await sleep(200);
  }
}

function itemsOf(body: unknown): { items: ScoredFinding[]; next?: string } {
  if (Array.isArray(body)) return { items: body as ScoredFinding[] };
  const o = (body ?? {}) as Record<string, unknown>;
  for (const key of ['alerts', 'predictions', 'items', 'data']) {
    if (Array.isArray(o[key])) {
      const next =
        typeof o.nextCursor === 'string' ? o.nextCursor : typeof o.next === 'string' ? o.next : undefined;
      return next === undefined
        ? { items: o[key] as ScoredFinding[] }
        : { items: o[key] as ScoredFinding[], next };
    }
  }
  return { items: [] };
}

/** Every finding of one kind through the API (following cursors); undefined when the route is absent. */
export async function fetchAll(
  runtime: Runtime,
  path: '/v1/alerts' | '/v1/predictions',
  key: string,
  /** Extra query parameters, e.g. `status=firing,resolved,suppressed`. */
  query = '',
): Promise<ScoredFinding[] | undefined> {
  const out: ScoredFinding[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const url = `${path}?limit=500${query === '' ? '' : `&${query}`}${cursor !== undefined ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res = await runtime.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${key}` } });
    if (res.statusCode === 404) return undefined;
    if (res.statusCode === 503) {
      await sleep(500);
      page--;
      continue;
    }
    if (res.statusCode !== 200)
      throw new Error(`GET ${url} answered ${res.statusCode}: ${res.body.slice(0, 300)}`);
    const { items, next } = itemsOf(res.json());
    out.push(...items);
    if (next === undefined || items.length === 0) break;
    cursor = next;
  }
  return out;
}

/** Waits until the number of alerts stops changing (the engine has caught up with the bus). */
export async function settledFindings(
  runtime: Runtime,
  key: string,
  quietMs = 3000,
): Promise<{ alerts: ScoredFinding[]; predictions: ScoredFinding[] } | undefined> {
  let last = -1;
  let stableSince = Date.now();
  for (;;) {
    const alerts = await fetchAll(runtime, '/v1/alerts', key);
    if (alerts === undefined) return undefined;
    const predictions = (await fetchAll(runtime, '/v1/predictions', key)) ?? [];
    const n = alerts.length + predictions.length;
    if (n !== last) {
      last = n;
      stableSince = Date.now();
    } else if (Date.now() - stableSince >= quietMs) return { alerts, predictions };
    await sleep(500);
  }
}

import { appendFileSync, existsSync, mkdtempSync, readFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listen } from '../api/server.js';
import { loadConfig } from '../config/load.js';
import { createRuntime, type Runtime } from '../runtime.js';
import { createLogger } from '../shared/logger.js';
import { BusSink } from '../sim/bus-sink.js';
import { LeasingCoreFleetControl } from '../sim/leasing-core.js';
import { runSimulation } from '../sim/runner.js';
import { Simulator } from '../sim/simulator.js';
import { type TruthRecord, truthJson } from '../sim/truth.js';

export interface DemoOptions {
  seed: number;
  nodes: number;
  /** Simulated seconds per wall-clock second. */
  speed: number;
  dataDir?: string;
  port?: string;
  host?: string;
  /** Stop after this many simulated milliseconds (tests); runs until Ctrl-C otherwise. */
  duration?: number;
  signal?: AbortSignal;
  out: NodeJS.WritableStream;
}

export interface DemoResult {
  dataDir: string;
  address: string;
  truthFile: string;
  published: number;
}

/** The parts of an alert or prediction the feed prints (src/model/alert.ts has the full shape). */
interface FeedItem {
  id: string;
  kind?: string;
  status?: string;
  severity?: string;
  host?: string;
  rule?: string;
  startsAt?: string;
  predictedAt?: string;
  eta?: string;
  confidence?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  repair?: { action?: string; text?: string; part?: { id?: string; location?: string } };
  impact?: { tenants?: string[] };
  inhibited?: boolean;
  parentId?: string;
  children?: string[];
}

function itemsOf(body: unknown): FeedItem[] {
  if (Array.isArray(body)) return body as FeedItem[];
  if (typeof body === 'object' && body !== null) {
    for (const key of ['alerts', 'predictions', 'items', 'data']) {
      const v = (body as Record<string, unknown>)[key];
      if (Array.isArray(v)) return v as FeedItem[];
    }
  }
  return [];
}

function stamp(iso: string | undefined): string {
  return iso === undefined ? '' : iso.slice(0, 16).replace('T', ' ');
}

/**
 * One line per alert: severity, node, part (the repair's part with its board label, else the
 * component, port or service the alert is grouped by), tenants hit, what to do. When the rule has
 * no repair text, its summary says what happened and the repair action follows it.
 */
export function formatFeedLine(item: FeedItem, kind: 'alert' | 'prediction'): string {
  const part = item.repair?.part;
  const labels = item.labels ?? {};
  const component =
    part?.id !== undefined
      ? `${part.id}${part.location !== undefined && part.location !== part.id ? ` (${part.location})` : ''}`
      : (labels.hw_id ?? labels.interface_name ?? labels.service_name ?? labels.component ?? item.rule ?? '');
  const tenants = item.impact?.tenants ?? [];
  const impact = tenants.length > 0 ? `tenants ${tenants.join(',')}` : 'no tenant';
  const given = (s: string | undefined, prefix: string) =>
    s === undefined || s === '' ? '' : `${prefix}${s}`;
  const repair =
    given(item.repair?.text, '  → ') ||
    `${given(item.annotations?.summary, '  ')}${given(item.repair?.action, '  → ')}`;
  const partText = component === '' ? '-' : component;
  if (kind === 'prediction') {
    const conf = item.confidence !== undefined ? ` ${Math.round(item.confidence * 100)}%` : '';
    return `${stamp(item.predictedAt)}  PREDICT   ${item.host ?? '-'}  ${partText}  fails by ${stamp(item.eta)}${conf}  ${impact}${repair}`;
  }
  const severity = (item.severity ?? 'alert').toUpperCase().padEnd(8);
  // Effects are not printed (Feed.poll): their root cause's line counts them.
  const root = (item.children?.length ?? 0) > 0 ? `  [root cause of ${item.children!.length}]` : '';
  return `${stamp(item.startsAt)}  ${severity}  ${item.host ?? '-'}  ${partText}  ${impact}${repair}${root}`;
}

/**
 * Polls the running API for alerts and predictions it has not shown yet and prints one line for each;
 * it goes through the HTTP API with the printed key, exactly as a user's script would.
 */
class Feed {
  private readonly seen = new Set<string>();
  private engine: boolean | undefined;

  constructor(
    private readonly runtime: Runtime,
    private readonly key: string | undefined,
    private readonly out: NodeJS.WritableStream,
  ) {}

  get engineAvailable(): boolean | undefined {
    return this.engine;
  }

  async poll(): Promise<void> {
    for (const [path, kind] of [
      ['/v1/alerts?limit=200', 'alert'],
      ['/v1/predictions?limit=200', 'prediction'],
    ] as const) {
      const res = await this.runtime.app.inject({
        method: 'GET',
        url: path,
        headers: this.key === undefined ? {} : { authorization: `Bearer ${this.key}` },
      });
      if (res.statusCode === 404) {
        this.engine ??= false;
        continue;
      }
      if (res.statusCode !== 200) continue;
      this.engine = true;
      const items = itemsOf(res.json()).reverse();
      for (const item of items) {
        if (this.seen.has(item.id)) continue;
        this.seen.add(item.id);
        // An effect's notification is inhibited by its root cause, whose line counts it: one line per fault.
        if (item.parentId !== undefined) continue;
        this.out.write(`${formatFeedLine(item, kind)}\n`);
      }
    }
  }
}

function adminKey(runtime: Runtime): { key?: string; shown: string } {
  if (runtime.adminKeyFile !== undefined && existsSync(runtime.adminKeyFile)) {
    const key = readFileSync(runtime.adminKeyFile, 'utf8').trim();
    return { key, shown: key };
  }
  const fromEnv = runtime.config.adminKey;
  if (fromEnv !== undefined) return { key: fromEnv, shown: '(the key in FAULTLINE_ADMIN_KEY)' };
  return { shown: '(the admin key already made for this data directory)' };
}

/**
 * `faultline demo`: `serve` on a simulated fleet. The simulator publishes to the bus like any
 * telemetry source, and the feed reads alerts back through the API; nothing in between knows the
 * data is simulated.
 */
export async function demoCommand(options: DemoOptions): Promise<DemoResult> {
  if (!Number.isSafeInteger(options.seed)) throw new Error(`--seed must be an integer, got ${options.seed}`);
  if (!Number.isSafeInteger(options.nodes) || options.nodes < 1 || options.nodes > 100_000)
    throw new Error(`--nodes must be an integer from 1 to 100000, got ${options.nodes}`);
  if (!(options.speed > 0)) throw new Error(`--speed must be a positive number, got ${options.speed}`);
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'faultline-demo-'));
  const overrides: Record<string, unknown> = { dataDir };
  if (options.port !== undefined) overrides.port = options.port;
  if (options.host !== undefined) overrides.host = options.host;
  const config = loadConfig({ overrides });
  // The terminal is the demo's screen: the service logs warnings only, unless asked otherwise.
  const logger = createLogger(process.env.FAULTLINE_LOG_LEVEL === undefined ? 'warn' : config.logLevel);
  // The simulator's leasing core drives the fleet on simulated time; the runtime's wall-clock scheduler would act on the same leases.
  const runtime = await createRuntime(config, logger, { leaseScheduler: false, showsAdminKey: true });
  const out = options.out;
  const truthFile = join(dataDir, 'sim-truth.jsonl');
  const farewell = `\nStopped. The demo's data is in ${dataDir} (ground truth: ${truthFile}).\nLook at it again with: faultline serve --data-dir ${dataDir}\n`;
  // On Ctrl-C the server's own shutdown (api/server.ts) closes the runtime and exits the process,
  // possibly before this function resumes: say goodbye from the exit hook, synchronously.
  const onExit = () => {
    writeSync(1, farewell);
  };
  process.once('exit', onExit);
  let published = 0;
  let address = '';
  try {
    address = await listen(runtime);
    const { key, shown } = adminKey(runtime);
    const start = Math.floor(Date.now() / 1000) * 1000;
    // Tenants lease through the real leasing core, on this runtime's state store and topology index.
    const control = new LeasingCoreFleetControl(runtime.stateStore, start, logger, [runtime.fleet.topology]);
    const sim = new Simulator({
      seed: options.seed,
      start,
      nodes: options.nodes,
      horizon: 48 * 3_600_000,
      faults: { early: true },
      fleet: control,
    });
    const enrolled = Date.now();
    await control.enroll(sim.fleet);
    const enrollMs = Date.now() - enrolled;
    const adapters = `bus=${runtime.bus.kind} events=${runtime.eventStore.kind} state=${runtime.stateStore.kind}`;
    out.write(
      [
        '',
        `Faultline demo: ${options.nodes} simulated nodes in ${sim.fleet.racks.length} racks, ${sim.fleet.tenants.length} tenants, seed ${options.seed}, ${options.speed}x time`,
        `  API:        ${address}   (docs ${address}/docs)   ${adapters}`,
        `  admin key:  ${shown}`,
        `  try:        curl -H "Authorization: Bearer ${key ?? '$KEY'}" ${address}/v1/alerts`,
        `  fleet:      ${sim.fleet.nodes.length} nodes and ${sim.fleet.tenants.length} tenants enrolled in the leasing core in ${(enrollMs / 1000).toFixed(1)} s; simulated time starts now and runs ${options.speed}x ahead of the clock`,
        `  data:       ${dataDir}   (injected faults, the ground truth: ${truthFile})`,
        '  Ctrl-C stops.',
        '',
        '',
      ].join('\n'),
    );
    const sink = new BusSink(runtime.bus, config.topicPrefix);
    const feed = new Feed(runtime, key, out);
    let truthSeen = 0;
    let pendingTruth: TruthRecord[] = [];
    let lastPoll = 0;
    let lastStatus = 0;
    let polling: Promise<void> = Promise.resolve();
    const controller = new AbortController();
    options.signal?.addEventListener('abort', () => controller.abort(), { once: true });
    const runOptions: Parameters<typeof runSimulation>[1] = {
      speed: options.speed,
      signal: controller.signal,
      write: async (records, shippedAt) => {
        await sink.write(records, shippedAt);
        published += records.length;
      },
      onStep: (now) => {
        // A fault's line is final (the tenant it hit) once it has manifested.
        for (; truthSeen < sim.truth.length; truthSeen++) pendingTruth.push(sim.truth[truthSeen]!);
        const due = pendingTruth.filter((t) => t.manifestAt < now);
        if (due.length > 0) {
          appendFileSync(truthFile, due.map((t) => `${truthJson(t)}\n`).join(''));
          pendingTruth = pendingTruth.filter((t) => t.manifestAt >= now);
        }
        const wall = Date.now();
        if (wall - lastPoll >= 2000) {
          lastPoll = wall;
          polling = polling.then(() => feed.poll()).catch(() => {});
          if (feed.engineAvailable === false && wall - lastStatus >= 10_000) {
            lastStatus = wall;
            const faults = sim.truth.filter((t) => t.expect.alert).length;
            out.write(
              `${stamp(new Date(now).toISOString())}  simulator: ${published.toLocaleString('en-US')} records published, ${faults} faults injected (no alert API in this build yet)\n`,
            );
          }
        }
      },
    };
    if (options.duration !== undefined) runOptions.until = start + options.duration;
    await runSimulation(sim, runOptions);
    await polling;
    await feed.poll().catch(() => {});
  } finally {
    // A signal's shutdown is already closing the runtime; closing it twice at once races.
    if (options.signal?.aborted !== true) await runtime.close();
  }
  process.removeListener('exit', onExit);
  out.write(farewell);
  return { dataDir, address, truthFile, published };
}

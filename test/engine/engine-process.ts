import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { BusMessage, MessageBus } from '../../src/bus/types.js';
import { KyselyAlertRepository } from '../../src/engine/alert-repository.js';
import { encodeEventsRecords } from '../../src/ingest/events-record.js';
import type { FaultEvent } from '../../src/model/event.js';
import type { StateStore } from '../../src/store/state/state-store.js';
import { repoRoot } from '../helpers/fixtures.js';

/** A test/engine/engine-entry.ts child: how it ended, and a way to end it. */
export interface EngineProcess {
  /** Resolves once it subscribed. */
  ready: Promise<void>;
  /** Resolves when it first reported no lag left for its group. */
  done: Promise<void>;
  /** Resolves with the signal that ended it (null for a normal exit). */
  ended: Promise<NodeJS.Signals | null>;
  /** Its last lines on stderr (for a failure message). */
  log(): string;
  /** Stops it (SIGTERM); resolves with the partitions it handled (`topic|partition`). */
  stop(): Promise<string[]>;
}

export function startEngineProcess(env: Record<string, string>): EngineProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/engine/engine-entry.ts'], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  child.stderr.on('data', (d) => {
    stderr.push(String(d));
    if (stderr.length > 200) stderr.shift();
  });
  const ended = once(child, 'close').then(([, signal]) => signal as NodeJS.Signals | null);
  // One reader: the ready line and the done line come through the same interface.
  const lines = createInterface({ input: child.stdout });
  const failed = (what: string) => (signal: NodeJS.Signals | null) =>
    Promise.reject(new Error(`engine ended (${signal}) before ${what}:\n${stderr.join('')}`));
  let onReady: () => void = () => {};
  let onDone: () => void = () => {};
  let partitions: string[] = [];
  lines.on('line', (line) => {
    const msg = JSON.parse(line) as { ready?: boolean; done?: boolean; partitions?: string[] };
    if (msg.ready === true) {
      stderr.push('(ready)\n');
      onReady();
    }
    if (msg.done === true) {
      if (!stderr.at(-1)?.startsWith('(no lag left')) stderr.push(`(no lag left: ${line})\n`);
      onDone();
    }
    if (msg.partitions !== undefined) partitions = msg.partitions;
  });
  const ready = Promise.race([
    new Promise<void>((resolve) => {
      onReady = resolve;
    }),
    ended.then(failed('it subscribed')),
  ]);
  const done = Promise.race([
    new Promise<void>((resolve) => {
      onDone = resolve;
    }),
    ended.then(failed('done')),
  ]);
  ready.catch(() => {});
  done.catch(() => {});
  return {
    ready,
    done,
    log: () => stderr.join(''),
    ended,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await ended;
      return partitions;
    },
  };
}

/**
 * Runs `engine` three times on one group: SIGKILLed with alerts stored but the state not, then with
 * the state stored but the bus position not, then to the end. `engine(kill)` starts one process.
 */
export async function crashTwiceThenFinish(engine: (kill?: string) => EngineProcess): Promise<void> {
  // Each stage has a deadline of its own, so that a hang names its stage and shows the process's log.
  const within = async <T>(p: EngineProcess, what: Promise<T>, stage: string): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${stage}: no progress in 60 s; its log:\n${p.log()}`)),
        60_000,
      );
    });
    try {
      return await Promise.race([what, late]);
    } finally {
      clearTimeout(timer);
    }
  };
  for (const kill of ['before:20', 'after:35']) {
    const p = engine(kill);
    // Caught up without dying: the kill point was never reached, so say so instead of waiting.
    const missed = p.done.then(() => {
      throw new Error(`engine with FL_KILL=${kill} caught up without reaching its kill point:\n${p.log()}`);
    });
    missed.catch(() => {});
    const signal = await within(p, Promise.race([p.ended, missed]), `engine with FL_KILL=${kill}`);
    if (signal !== 'SIGKILL')
      throw new Error(`engine with FL_KILL=${kill} ended with ${signal}, not SIGKILL`);
  }
  const last = engine();
  try {
    await within(last, last.done, 'engine restarted after the kills');
  } finally {
    await last.stop();
  }
}

/** Events as records of partition 0 of `faultline.events`, as a consumer is handed them. */
export function asBusMessages(events: FaultEvent[]): BusMessage[] {
  return events.map((e, i) => ({
    topic: 'faultline.events',
    partition: 0,
    offset: String(i),
    key: e['host.name'] ?? null,
    value: Buffer.from(JSON.stringify(e)),
    headers: {},
    timestamp: 0,
  }));
}

/**
 * Events in the pipeline's `faultline.events` records (src/ingest/events-record.ts), one event a record:
 * the crash points (FL_KILL) count checkpoints, hence records.
 */
export async function publishEvents(bus: MessageBus, topic: string, events: FaultEvent[]): Promise<void> {
  const place = await bus.partitioner(topic);
  const records = events.flatMap((e) => encodeEventsRecords([e], place));
  for (let i = 0; i < records.length; i += 500) await bus.publish(topic, records.slice(i, i + 500));
}

/** What an SRE sees of every finding in a state store: the comparison of a crash test. */
export async function storedFindings(state: StateStore): Promise<unknown[]> {
  try {
    const repo = new KyselyAlertRepository(state.db);
    const out: unknown[] = [];
    for (const kind of ['alert', 'prediction'] as const) {
      const page = await repo.list({ kind, limit: 500 });
      for (const f of page.items) out.push(f);
    }
    return out.sort((a, b) => ((a as { id: string }).id < (b as { id: string }).id ? -1 : 1));
  } finally {
    await state.close();
  }
}

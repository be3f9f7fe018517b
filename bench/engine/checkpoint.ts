/**
 * What engine checkpoints cost: the live EngineService over the same records with its per-batch
 * checkpoint in a SQLite state store, beside a peer without checkpoints, in the same run, for a few
 * batch sizes (one checkpoint per batch and partition).
 *
 * Workload: test/engine/crash-input.ts (the real IPMI SEL of a power-cycling server plus a generated
 * correctable-ECC storm) copied across BENCH_COPIES × 8 hosts (default 20). Run:
 * `taskset -c 0 npx tsx bench/engine/checkpoint.ts`. It prints figures, it does not judge them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MessageBus } from '../../src/bus/types.js';
import { SHIPPED_RULES_DIR } from '../../src/cli/analyze.js';
import { KyselyAlertRepository } from '../../src/engine/alert-repository.js';
import { type CheckpointStore, KyselyCheckpointStore } from '../../src/engine/checkpoint-store.js';
import { EngineService } from '../../src/engine/engine-service.js';
import { loadRuleDir } from '../../src/engine/rules/load.js';
import type { FaultEvent } from '../../src/model/event.js';
import { createLogger } from '../../src/shared/logger.js';
import { createSqliteStateStore } from '../../src/store/state/state-store.js';
import { crashInput } from '../../test/engine/crash-input.js';
import { asBusMessages } from '../../test/engine/engine-process.js';

const copies = Number(process.env.BENCH_COPIES ?? 20);
const base = crashInput();
const events: FaultEvent[] = [];
for (let c = 0; c < copies; c++)
  for (const e of base)
    events.push({ ...e, 'host.name': `${e['host.name']}-${c}`, 'event.id': `${c}-${e['event.id']}` });
const messages = asBusMessages(events);
const rules = loadRuleDir(SHIPPED_RULES_DIR);
const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-checkpoint-'));

async function run(
  batch: number,
  withCheckpoints: boolean,
): Promise<{ ms: number; cpu: number; bytes: number }> {
  const state = createSqliteStateStore(join(dir, `${batch}-${withCheckpoints}-${Date.now()}.db`));
  await state.migrate();
  const store = new KyselyCheckpointStore(state.db);
  let bytes = 0;
  const checkpoints: CheckpointStore = {
    load: (at) => store.load(at),
    save: (at, checkpoint, now) => {
      bytes = checkpoint.state.length;
      return store.save(at, checkpoint, now);
    },
  };
  const service = new EngineService({
    bus: {} as MessageBus,
    repo: new KyselyAlertRepository(state.db),
    rules,
    logger: createLogger('silent'),
    topic: 'faultline.events',
    group: 'bench',
    ...(withCheckpoints ? { checkpoints } : {}),
  });
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let i = 0; i < messages.length; i += batch) await service.handle(messages.slice(i, i + batch));
  const ms = performance.now() - t0;
  const used = process.cpuUsage(c0);
  await state.close();
  // CPU ms per 1,000 events: the figure a loaded machine disturbs less than wall time.
  return { ms, cpu: (used.user + used.system) / 1000 / (messages.length / 1000), bytes };
}

console.log(`${messages.length} events, ${copies * 8} hosts`);
for (const batch of [1000, 5000]) {
  for (let round = 0; round < 2; round++) {
    const peer = await run(batch, false);
    const mine = await run(batch, true);
    console.log(
      `batch ${batch}: ${Math.round(messages.length / (peer.ms / 1000))} events/s without checkpoints, ` +
        `${Math.round(messages.length / (mine.ms / 1000))} with (ratio ${(mine.ms / peer.ms).toFixed(2)}); ` +
        `CPU ms per 1,000 events ${peer.cpu.toFixed(2)} without, ${mine.cpu.toFixed(2)} with ` +
        `(ratio ${(mine.cpu / peer.cpu).toFixed(2)}); last checkpoint ${(mine.bytes / 1e6).toFixed(3)} MB`,
    );
  }
}
rmSync(dir, { recursive: true, force: true });

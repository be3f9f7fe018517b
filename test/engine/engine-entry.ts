/**
 * A live engine process for the crash and scale-out tests: the real EngineService with its
 * checkpoints in a SQLite state store, on the embedded bus or Kafka, configured from the environment.
 * It prints `{"ready":true}` once subscribed, `{"done":true}` whenever its group has no lag left, the
 * partitions it handled when stopped (SIGTERM), and
 * can SIGKILL itself at a chosen checkpoint, before or after saving it: the two crash points that
 * matter (alerts stored but state not; state stored but the bus position not).
 *
 *   FL_BUS (embedded | kafka), FL_BUS_FILE or FL_BROKERS, FL_STATE_FILE or FL_PG_URL + FL_PG_SCHEMA
 *   (a state store shared by instances), FL_GROUP, FL_TOPIC,
 *   FL_BATCH (default 40), FL_KILL ("before:N" | "after:N", the N-th save of this process)
 */
import { EmbeddedBus } from '../../src/bus/embedded.js';
import { KafkaBus } from '../../src/bus/kafka.js';
import type { MessageBus } from '../../src/bus/types.js';
import { SHIPPED_RULES_DIR } from '../../src/cli/analyze.js';
import { KyselyAlertRepository } from '../../src/engine/alert-repository.js';
import { type CheckpointStore, KyselyCheckpointStore } from '../../src/engine/checkpoint-store.js';
import { EngineService } from '../../src/engine/engine-service.js';
import { loadRuleDir } from '../../src/engine/rules/load.js';
import { createLogger } from '../../src/shared/logger.js';
import { createPostgresStateStore, createSqliteStateStore } from '../../src/store/state/state-store.js';

function env(name: string, fallback?: string): string {
  const v = process.env[name] ?? fallback;
  if (v === undefined) throw new Error(`${name} is required`);
  return v;
}

const logger = createLogger(process.env.FL_LOG_LEVEL ?? 'info', process.stderr as never);
const group = env('FL_GROUP');
const topic = env('FL_TOPIC');
const bus: MessageBus =
  env('FL_BUS') === 'kafka'
    ? new KafkaBus({
        brokers: env('FL_BROKERS').split(','),
        clientId: `engine-test-${process.pid}`,
        logger,
        sessionTimeout: 6000,
        heartbeatInterval: 1000,
        partitions: 4,
      })
    : new EmbeddedBus(env('FL_BUS_FILE'), { pruneIntervalMs: 0 });
const state =
  process.env.FL_PG_URL === undefined
    ? createSqliteStateStore(env('FL_STATE_FILE'))
    : createPostgresStateStore(process.env.FL_PG_URL, { schema: env('FL_PG_SCHEMA') });
await state.migrate();

const [when, nth] = (process.env.FL_KILL ?? 'never:0').split(':');
let saves = 0;
const store = new KyselyCheckpointStore(state.db);
const checkpoints: CheckpointStore = {
  load: (at) => store.load(at),
  async save(at, checkpoint, now) {
    // This save's own number: partitions are handled concurrently, so by the time the store
    // answers, other partitions' saves may have moved the shared count past N (the kill after the
    // N-th save then never came, and the stage waited for a death that would not happen).
    const n = ++saves;
    // Progress on stderr: a stalled stage's log then says how far this process came.
    process.stderr.write(`save ${n} ${at.topic}|${at.partition} next ${checkpoint.nextOffset}\n`);
    if (when === 'before' && n === Number(nth)) process.kill(process.pid, 'SIGKILL');
    await store.save(at, checkpoint, now);
    if (when === 'after' && n === Number(nth)) process.kill(process.pid, 'SIGKILL');
  },
};
const service = new EngineService({
  bus,
  repo: new KyselyAlertRepository(state.db),
  checkpoints,
  rules: loadRuleDir(SHIPPED_RULES_DIR),
  logger,
  topic,
  group,
  maxBatchSize: Number(env('FL_BATCH', '40')),
});
await service.start();
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);

const stop = async (code: number) => {
  await service.stop();
  process.stdout.write(`${JSON.stringify({ stopped: true, partitions: service.partitions() })}\n`);
  await bus.close();
  await state.close();
  process.exit(code);
};
process.on('SIGTERM', () => void stop(0));
for (;;) {
  await new Promise((resolve) => setTimeout(resolve, 200));
  const lag = await bus.lag(group, [topic]).catch(() => undefined);
  // Before its first commit a Kafka group reports no partitions: not done yet.
  if (lag !== undefined && lag.length > 0 && lag.every((l) => l.lag === 0)) {
    process.stdout.write(`${JSON.stringify({ done: true, saves })}\n`);
  }
}

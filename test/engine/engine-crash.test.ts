import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EmbeddedBus } from '../../src/bus/embedded.js';
import { createSqliteStateStore } from '../../src/store/state/state-store.js';
import { tempDir } from '../helpers/runtime.js';
import { crashInput } from './crash-input.js';
import {
  crashTwiceThenFinish,
  type EngineProcess,
  publishEvents,
  startEngineProcess,
  storedFindings,
} from './engine-process.js';

describe('the live engine SIGKILLed and restarted (embedded bus)', () => {
  const dir = tempDir('faultline-engine-crash-');
  const topic = 'faultline.events';
  const running: EngineProcess[] = [];
  afterAll(async () => {
    await Promise.all(running.map((p) => p.stop()));
  });
  const engine = (group: string, kill?: string) => {
    const p = startEngineProcess({
      FL_BUS: 'embedded',
      FL_BUS_FILE: join(dir, 'bus.db'),
      FL_STATE_FILE: join(dir, `${group}.state.db`),
      FL_GROUP: group,
      FL_TOPIC: topic,
      ...(kill === undefined ? {} : { FL_KILL: kill }),
    });
    running.push(p);
    return p;
  };

  it('stores the same alerts and predictions as an uninterrupted run', { timeout: 240_000 }, async () => {
    const bus = new EmbeddedBus(join(dir, 'bus.db'), { pruneIntervalMs: 0 });
    await bus.ensureTopics([topic]);
    const events = crashInput();
    await publishEvents(bus, topic, events);
    await bus.close();

    const whole = engine('whole');
    await whole.done;
    await whole.stop();
    const expected = await storedFindings(createSqliteStateStore(join(dir, 'whole.state.db')));
    expect(expected.length).toBeGreaterThan(8);

    await crashTwiceThenFinish((kill) => engine('crash', kill));
    expect(await storedFindings(createSqliteStateStore(join(dir, 'crash.state.db')))).toEqual(expected);
  });
});

import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../src/fleet/clock.js';
import { fleetHarness } from './harness.js';

describe('SimulatedClock', () => {
  it('runs concurrent sleepers in deadline order without wall-clock waits', async () => {
    const clock = new SimulatedClock(0);
    const order: string[] = [];
    const task = async (name: string, ms: number[]) => {
      for (const d of ms) await clock.sleep(d);
      order.push(`${name}@${clock.now()}`);
    };
    const t0 = Date.now();
    await clock.run(
      Promise.all([task('a', [60_000, 60_000]), task('b', [90_000]), task('c', [10_000, 5_000])]),
    );
    expect(order).toEqual(['c@15000', 'b@90000', 'a@120000']);
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it('does not move time while work is writing to a store before it sleeps', async () => {
    const h = await fleetHarness();
    try {
      const start = h.clock.now();
      const ends: number[] = [];
      const task = async (i: number) => {
        for (let k = 0; k < 5; k++) await h.store.setMeta(`clock.${i}.${k}`, 'x');
        await h.clock.sleep(1_000);
        ends.push(h.clock.now() - start);
      };
      await h.clock.run(Promise.all(Array.from({ length: 20 }, (_, i) => task(i))));
      expect(ends).toEqual(Array(20).fill(1_000));
    } finally {
      await h.close();
    }
  });

  it('advance() wakes the sleepers whose deadline passed', async () => {
    const clock = new SimulatedClock(0);
    let woke = 0;
    void clock.sleep(100).then(() => woke++);
    void clock.sleep(300).then(() => woke++);
    await clock.advance(200);
    expect(woke).toBe(1);
    expect(clock.now()).toBe(200);
  });
});

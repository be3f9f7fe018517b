import { describe, expect, it } from 'vitest';
import { auth, startRuntime } from '../helpers/runtime.js';

const busyFor = (ms: number) => {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // a handler or a GC pause that holds the event loop
  }
};

describe('load shedding (FAULTLINE_MAX_EVENT_LOOP_DELAY_MS)', () => {
  it('answers 503 while the event loop lags past the threshold, and serves again once it catches up', async () => {
    const t = await startRuntime({ overrides: { maxEventLoopDelayMs: 20 } });
    try {
      const status = async () => (await t.app.inject({ url: '/v1/sources', headers: auth() })).statusCode;
      expect(await status()).toBe(200);
      let shed = false;
      for (let i = 0; i < 20 && !shed; i++) {
        busyFor(900);
        await new Promise((r) => setTimeout(r, 100));
        shed = (await status()) === 503;
      }
      expect(shed).toBe(true);
      let back = false;
      for (let i = 0; i < 50 && !back; i++) {
        await new Promise((r) => setTimeout(r, 100));
        back = (await status()) === 200;
      }
      expect(back).toBe(true);
    } finally {
      await t.close();
    }
  });
});

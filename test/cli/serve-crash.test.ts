import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { EmbeddedBus } from '../../src/bus/embedded.js';
import { topicFor } from '../../src/bus/types.js';
import { readFixture } from '../helpers/fixtures.js';
import { TEST_ADMIN_KEY, tempDir } from '../helpers/runtime.js';
import { kill, type ServeProcess, startServe } from '../helpers/serve-process.js';

/**
 * Generated load from real lines: 50 copies of the Loghub OpenStack 2k sample, each copy moved to
 * its own day so that all 100,000 lines are distinct records.
 */
function generatedChunks(copies: number): string[] {
  const lines = readFixture('loghub', 'OpenStack', 'OpenStack_2k.log').trimEnd().split('\n');
  const chunks: string[] = [];
  for (let c = 0; c < copies; c++) {
    const day = new Date(Date.UTC(2017, 5, 1 + c)).toISOString().slice(0, 10);
    chunks.push(lines.map((l) => l.replace('2017-05-16 ', `${day} `)).join('\n'));
  }
  return chunks;
}

const headers = { authorization: `Bearer ${TEST_ADMIN_KEY}` };

/** Records published but not yet committed by the ingest group, read from a stopped server's bus file. */
async function lagOnDisk(dataDir: string): Promise<number> {
  const bus = new EmbeddedBus(join(dataDir, 'bus.db'), { pruneIntervalMs: 0 });
  try {
    const lags = await bus.lag('faultline-ingest', [topicFor('openstack.log')]);
    return lags.reduce((n, l) => n + l.lag, 0);
  } finally {
    await bus.close();
  }
}

async function status(address: string): Promise<number> {
  const res = await fetch(`${address}/v1/ingest/status`, { headers });
  return ((await res.json()) as { pending: number }).pending;
}

describe('faultline serve killed with SIGKILL during a large ingest', () => {
  const dataDir = tempDir('faultline-crash-');
  // Small batches: more commit points to die between, and a consumer that reliably lags the uploads.
  const env = {
    FAULTLINE_DATA_DIR: dataDir,
    FAULTLINE_ADMIN_KEY: TEST_ADMIN_KEY,
    FAULTLINE_LOG_LEVEL: 'info',
    FAULTLINE_INGEST_BATCH_SIZE: '200',
  };
  let proc: ServeProcess | undefined;
  afterAll(async () => {
    if (proc !== undefined) await kill(proc, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('loses no record and duplicates none after a restart', { timeout: 300_000 }, async () => {
    const chunks = generatedChunks(50);
    const total = chunks.length * 2000;
    const acked = new Set<number>();
    /**
     * Each round starts a server, uploads with four clients and SIGKILLs the server right after it
     * acknowledges its third upload of the round, while the consumer is still writing that upload.
     * The lag at the kill is then read from the dead server's bus file, not asked of the server (its
     * event loop would answer only between batches). A round whose consumer happened to be caught up
     * proves nothing about work in flight, so the rounds go on until one kill lands with a lag (at most
     * five rounds; every round is a kill the restart must recover from).
     */
    const lagsAtKill: number[] = [];
    let next = 0;
    for (let round = 0; round < 5 && next < chunks.length; round++) {
      proc = await startServe(env);
      const server = proc;
      let ackedThisRound = 0;
      let killed: Promise<unknown> | undefined;
      const post = async (i: number) => {
        // Like a real agent: a 503 (load shedding) is retried; anything else is a failure.
        for (;;) {
          const res = await fetch(`${server.address}/v1/ingest/openstack-log?host=cmp-${i % 7}`, {
            method: 'POST',
            headers: { ...headers, 'content-type': 'text/plain' },
            body: chunks[i],
          });
          if (res.status === 202) {
            acked.add(i);
            if (++ackedThisRound >= 3) killed ??= kill(server, 'SIGKILL');
            return;
          }
          if (res.status !== 503) throw new Error(`POST answered ${res.status}: ${await res.text()}`);
          await sleep(200);
        }
      };
      const uploader = async () => {
        while (next < chunks.length && killed === undefined) {
          const i = next++;
          await post(i).catch(() => {}); // the connection dies with the server: retried after restart
        }
      };
      await Promise.all([uploader(), uploader(), uploader(), uploader()]);
      await (killed ?? kill(server, 'SIGKILL'));
      lagsAtKill.push(await lagOnDisk(dataDir));
      if (lagsAtKill.at(-1)! > 0) break;
    }
    expect(lagsAtKill.some((lag) => lag > 0)).toBe(true);
    expect(acked.size).toBeLessThan(chunks.length);

    proc = await startServe(env);
    const second = proc;
    // A client retries what it did not see acknowledged; a retry of a chunk that did land is a replay.
    for (let i = 0; i < chunks.length; i++) {
      if (acked.has(i)) continue;
      let res: Response;
      do {
        res = await fetch(`${second.address}/v1/ingest/openstack-log?host=cmp-${i % 7}`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'text/plain' },
          body: chunks[i],
        });
        if (res.status === 503) await sleep(200);
      } while (res.status === 503);
      expect(res.status).toBe(202);
    }
    const deadline = Date.now() + 120_000;
    while ((await status(second.address)) > 0) {
      if (Date.now() > deadline) throw new Error('ingest did not drain');
      await sleep(100);
    }
    const agg = await fetch(`${second.address}/v1/logs/aggregate?groupBy=event.dataset`, { headers });
    expect(await agg.json()).toEqual({ buckets: [{ key: 'openstack.log', count: total }] });
    const perDay = await fetch(`${second.address}/v1/logs/aggregate?interval=1d&limit=100`, { headers });
    const days = ((await perDay.json()) as { buckets: Array<{ count: number }> }).buckets;
    expect(days).toHaveLength(50);
    expect(days.every((d) => d.count === 2000)).toBe(true);
    expect(await kill(second, 'SIGTERM')).toBe(0);
  });
});

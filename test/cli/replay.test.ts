import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { replayCommand } from '../../src/cli/replay.js';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/shared/logger.js';
import { fixturePath, readFixture } from '../helpers/fixtures.js';
import { auth, startRuntime, tempDir, waitForIngest } from '../helpers/runtime.js';

describe('faultline replay', () => {
  it('pushes a file through the pipeline of a server on the same data dir; a second replay stores nothing twice', async () => {
    const dataDir = tempDir();
    const server = await startRuntime({ dataDir });
    try {
      const config = loadConfig({ env: {}, overrides: { dataDir } });
      const file = fixturePath('loghub', 'OpenStack', 'OpenStack_2k.log');
      const replay = () =>
        replayCommand({
          config,
          logger: createLogger('silent'),
          source: 'openstack-log',
          file,
          host: 'cmp-9',
          progress: false,
        });
      expect(await replay()).toEqual({
        source: 'openstack-log',
        topic: 'faultline.openstack.log',
        accepted: 2000,
        firstLine: 1,
        lastLine: 2000,
      });
      await waitForIngest(server.app);
      await replay();
      await waitForIngest(server.app);
      const res = await server.app.inject({ url: '/v1/logs/search?host=cmp-9&size=1', headers: auth() });
      expect(res.json()).toMatchObject({ total: 2000 });
    } finally {
      await server.close();
    }
  });

  it('refuses an unknown source and a missing file', async () => {
    const config = loadConfig({ env: {}, overrides: { dataDir: tempDir() } });
    const logger = createLogger('silent');
    await expect(
      replayCommand({ config, logger, source: 'no-such-source', file: '/etc/hostname', progress: false }),
    ).rejects.toThrow(/unknown source no-such-source; one of: .*fleet/);
    await expect(
      replayCommand({ config, logger, source: 'syslog', file: '/nonexistent', progress: false }),
    ).rejects.toThrow(/ENOENT/);
  });

  it('keeps the bytes of a line that is not UTF-8: dead-lettered unaltered, the lines around it stored', async () => {
    const dataDir = tempDir();
    const server = await startRuntime({ dataDir });
    try {
      const lines = readFixture('loghub', 'OpenStack', 'OpenStack_2k.log').split('\n').slice(0, 2);
      const latin1 = Buffer.from(
        'nova-compute.log 2017-05-16 00:00:00.008 25746 INFO nova Température',
        'latin1',
      );
      const file = join(dataDir, 'mixed.log');
      writeFileSync(
        file,
        Buffer.concat([Buffer.from(`${lines[0]}\n`), latin1, Buffer.from(`\r\n${lines[1]}\n`)]),
      );
      const config = loadConfig({ env: {}, overrides: { dataDir } });
      const logger = createLogger('silent');
      const report = await replayCommand({ config, logger, source: 'openstack-log', file, progress: false });
      expect(report.accepted).toBe(3);
      await waitForIngest(server.app);
      const dl = await server.app.inject({ url: '/v1/ingest/dead-letters', headers: auth() });
      const [entry] = dl.json<{ entries: Array<{ line: number; original: string; encoding: string }> }>()
        .entries;
      expect(entry).toMatchObject({ line: 2, encoding: 'base64' });
      expect(Buffer.from(entry!.original, 'base64')).toEqual(latin1);
      const res = await server.app.inject({ url: '/v1/logs/search?size=1', headers: auth() });
      expect(res.json()).toMatchObject({ total: 2 });
    } finally {
      await server.close();
    }
  });
});

import { describe, expect, it } from 'vitest';
import { replayCommand } from '../../src/cli/replay.js';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/shared/logger.js';
import { fixturePath } from '../helpers/fixtures.js';
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
});

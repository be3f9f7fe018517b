import closeWithGrace from 'close-with-grace';
import type { Runtime } from '../runtime.js';

/**
 * The only file that binds a port. SIGTERM/SIGINT close the runtime in reverse order (API first,
 * so no request lands on a closed store); a second signal or 10 s forces the exit.
 */
export async function listen(runtime: Runtime): Promise<string> {
  const { app, config, logger } = runtime;
  const address = await app.listen({ port: config.port, host: config.host });
  closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
    if (err !== undefined) logger.error({ err }, 'fatal error, shutting down');
    else logger.info({ signal }, 'shutting down');
    await runtime.close();
  });
  return address;
}

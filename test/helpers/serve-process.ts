import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { repoRoot } from './fixtures.js';

export interface ServeProcess {
  child: ChildProcess;
  address: string;
  output: string[];
}

/**
 * Starts `faultline serve` from the TypeScript sources in a child process and resolves with its
 * address once it logs that it is serving. Port 0: the OS picks a free loopback port.
 */
export async function startServe(env: Record<string, string>, timeoutMs = 60_000): Promise<ServeProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      FAULTLINE_PORT: '0',
      FAULTLINE_HOST: '127.0.0.1',
      FAULTLINE_BANNER: '0',
      // See startRuntime: a loaded test machine must not turn into overload 503s.
      FAULTLINE_MAX_EVENT_LOOP_DELAY_MS: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stderr!.on('data', (d) => output.push(String(d)));
  const address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`serve did not start in ${timeoutMs} ms:\n${output.join('')}`)),
      timeoutMs,
    );
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}:\n${output.join('')}`));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output.push(line);
      if (!line.includes('faultline is serving')) return;
      clearTimeout(timer);
      resolve((JSON.parse(line) as { address: string }).address);
    });
  });
  return { child, address, output };
}

export async function kill(proc: ServeProcess, signal: NodeJS.Signals): Promise<number | null> {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return proc.child.exitCode;
  const exited = once(proc.child, 'exit');
  proc.child.kill(signal);
  const [code] = (await exited) as [number | null];
  return code;
}

/**
 * Global setup of the integration project: real Kafka, Elasticsearch, PostgreSQL, Alertmanager and a
 * Redfish service (sushy-tools) on loopback, started once per run by infra/faultline-infra (which
 * downloads the Java servers and sushy-tools on first use).
 *
 * - A server whose FAULTLINE_* URL is set is used as it is, never started or stopped here.
 * - A server a developer already runs with `infra/faultline-infra start` (its default instance) is reused
 *   and left running.
 * - Everything else is started in an instance of this run's own (`vitest-<pid>`), so two test runs in one
 *   checkout never stop each other's servers, and is stopped at the end. Instances left behind by a run
 *   that was killed are stopped at the start of the next one.
 */
import { spawn, spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Comma-separated host:port list. */
    kafkaBrokers: string;
    esUrl: string;
    pgUrl: string;
    alertmanagerUrl: string;
    /** Where the Alertmanager's default receiver posts; empty when an external Alertmanager was given without it. */
    alertmanagerWebhookUrl: string;
    /** sushy-static serving a DMTF mockup (Redfish inventory). */
    redfishUrl: string;
    /** sushy-emulator with the fake driver (Redfish power and boot device). */
    redfishEmulatorUrl: string;
  }
}

type Server = 'kafka' | 'es' | 'pg' | 'alertmanager' | 'redfish';

const URL_VARS: Record<Server, string> = {
  kafka: 'FAULTLINE_KAFKA_BROKERS',
  es: 'FAULTLINE_ES_URL',
  pg: 'FAULTLINE_PG_URL',
  alertmanager: 'FAULTLINE_ALERTMANAGER_URL',
  redfish: 'FAULTLINE_REDFISH_URL',
};
const EMULATOR_VAR = 'FAULTLINE_REDFISH_EMULATOR_URL';
const WEBHOOK_VAR = 'FAULTLINE_ALERTMANAGER_WEBHOOK_URL';
const SERVERS = Object.keys(URL_VARS) as Server[];
const RUN_INSTANCE = `vitest-${process.pid}`;

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const script = resolve(repoRoot, 'infra/faultline-infra');

/** Runs the infra script on one instance; its progress streams to our stderr so a first download shows. */
function infra(instance: string, args: string[]): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('bash', [script, ...args], {
      cwd: repoRoot,
      env: { ...process.env, FAULTLINE_INFRA_INSTANCE: instance },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolvePromise(out);
      else
        reject(
          new Error(`infra/faultline-infra ${args.join(' ')} (instance ${instance}) exited with ${code}`),
        );
    });
  });
}

/** `export NAME=value` lines of `faultline-infra env` as a map. */
export function parseEnv(text: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^export ([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m?.[1] !== undefined && m[2] !== undefined) vars.set(m[1], m[2]);
  }
  return vars;
}

function given(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : value;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Stops the servers of earlier runs that died before their teardown (SIGKILL, OOM, a lost terminal). */
async function stopAbandoned(): Promise<void> {
  const instances = (await infra('default', ['instances'])).split('\n').filter(Boolean);
  for (const instance of instances) {
    const m = /^vitest-(\d+)$/.exec(instance);
    if (m?.[1] === undefined || pidAlive(Number(m[1]))) continue;
    process.stderr.write(`[integration] stopping servers left behind by ${instance}\n`);
    await infra(instance, ['stop', 'all']).catch(() => {});
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const wanted = SERVERS.filter((s) => given(URL_VARS[s]) === undefined);
  const externalAlertmanager = !wanted.includes('alertmanager');
  const urls = new Map<string, string>();
  let started: Server[] = [];

  if (wanted.length > 0) {
    // What the machine lacks to start them, named with its install command, before any test runs.
    const check = spawnSync('bash', [script, 'check', ...wanted], { cwd: repoRoot, encoding: 'utf8' });
    if (check.status !== 0) throw new Error(`integration servers cannot start here:\n${check.stderr}`);
    await stopAbandoned();
    const developer = parseEnv(await infra('default', ['env']));
    started = wanted.filter((s) => !developer.has(URL_VARS[s]));
    for (const s of wanted.filter((x) => developer.has(URL_VARS[x]))) {
      urls.set(URL_VARS[s], developer.get(URL_VARS[s]) ?? '');
      if (s === 'alertmanager' && developer.has(WEBHOOK_VAR))
        urls.set(WEBHOOK_VAR, developer.get(WEBHOOK_VAR) ?? '');
      if (s === 'redfish' && developer.has(EMULATOR_VAR))
        urls.set(EMULATOR_VAR, developer.get(EMULATOR_VAR) ?? '');
    }
    if (started.length > 0) {
      process.stderr.write(
        `[integration] starting ${started.join(', ')} on loopback (instance ${RUN_INSTANCE})\n`,
      );
      const t0 = Date.now();
      try {
        await infra(RUN_INSTANCE, ['start', ...started]);
      } catch (err) {
        // The servers that did come up would outlive the run; the one that failed keeps its logs.
        await infra(RUN_INSTANCE, ['stop', ...started]).catch(() => {});
        throw err;
      }
      process.stderr.write(`[integration] servers healthy after ${((Date.now() - t0) / 1000).toFixed(1)}s\n`);
      for (const [k, v] of parseEnv(await infra(RUN_INSTANCE, ['env']))) urls.set(k, v);
    }
  }

  const stop = started.length > 0 ? stopper(started) : async () => {};
  try {
    const url = (s: Server): string => {
      const value = given(URL_VARS[s]) ?? urls.get(URL_VARS[s]);
      if (value === undefined) throw new Error(`${URL_VARS[s]}: ${s} was started but reports no URL`);
      // Set in the environment too: workers inherit it, and code under test reads FAULTLINE_* itself.
      process.env[URL_VARS[s]] = value;
      return value;
    };
    project.provide('kafkaBrokers', url('kafka'));
    project.provide('esUrl', url('es'));
    project.provide('pgUrl', url('pg'));
    project.provide('alertmanagerUrl', url('alertmanager'));
    const webhook = externalAlertmanager ? given(WEBHOOK_VAR) : urls.get(WEBHOOK_VAR);
    if (webhook !== undefined) process.env[WEBHOOK_VAR] = webhook;
    project.provide('alertmanagerWebhookUrl', webhook ?? '');
    project.provide('redfishUrl', url('redfish'));
    const emulator = given(EMULATOR_VAR) ?? urls.get(EMULATOR_VAR);
    if (emulator === undefined) throw new Error(`${EMULATOR_VAR}: redfish reports no emulator URL`);
    process.env[EMULATOR_VAR] = emulator;
    project.provide('redfishEmulatorUrl', emulator);
  } catch (err) {
    await stop();
    throw err;
  }
  return stop;
}

/**
 * Stops what this run started, once: at the end of the run, or when the run is interrupted, so an
 * aborted `npm test` leaves no Java servers behind.
 */
function stopper(servers: Server[]): () => Promise<void> {
  let done = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (!done) {
      done = true;
      spawnSync('bash', [script, 'stop', ...servers], {
        cwd: repoRoot,
        env: { ...process.env, FAULTLINE_INFRA_INSTANCE: RUN_INSTANCE },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
    }
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return async () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (done) return;
    done = true;
    await infra(RUN_INSTANCE, ['stop', ...servers]);
  };
}

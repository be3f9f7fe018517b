/**
 * Where the real servers of an integration run are. The global setup (test/setup/integration.global.ts)
 * starts them, `provide`s their URLs and sets FAULTLINE_* in the environment; a developer may point
 * those variables at servers of their own.
 */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';

type Provided = 'kafkaBrokers' | 'esUrl' | 'pgUrl' | 'alertmanagerUrl' | 'alertmanagerWebhookUrl';

const ENV: Record<Provided, string> = {
  kafkaBrokers: 'FAULTLINE_KAFKA_BROKERS',
  esUrl: 'FAULTLINE_ES_URL',
  pgUrl: 'FAULTLINE_PG_URL',
  alertmanagerUrl: 'FAULTLINE_ALERTMANAGER_URL',
  alertmanagerWebhookUrl: 'FAULTLINE_ALERTMANAGER_WEBHOOK_URL',
};

function lookup(key: Provided): string | undefined {
  // inject() only knows values inside a vitest worker of the integration project; elsewhere the env is all there is.
  let value: string | undefined;
  try {
    value = inject(key);
  } catch {
    value = undefined;
  }
  if (value === undefined || value === '') value = process.env[ENV[key]];
  return value === undefined || value === '' ? undefined : value;
}

function required(key: Provided): string {
  const value = lookup(key);
  if (value === undefined) {
    throw new Error(
      `${ENV[key]} is not set: run through \`vitest run --project integration\` (its global setup starts the servers)`,
    );
  }
  return value;
}

/** Kafka bootstrap brokers, e.g. `['127.0.0.1:29092']`. */
export const kafkaBrokers = (): string[] => required('kafkaBrokers').split(',');
/** Elasticsearch base URL, e.g. `http://127.0.0.1:39200`. */
export const esUrl = (): string => required('esUrl');
/** PostgreSQL connection URL of the `faultline` role and database. */
export const pgUrl = (): string => required('pgUrl');
/** Alertmanager base URL (API v2 under `/api/v2`). */
export const alertmanagerUrl = (): string => required('alertmanagerUrl');
/**
 * The URL the Alertmanager's default receiver posts webhook notifications to; a test listens there to
 * see them. Undefined when an external Alertmanager was given without FAULTLINE_ALERTMANAGER_WEBHOOK_URL.
 */
export const alertmanagerWebhookUrl = (): string | undefined => lookup('alertmanagerWebhookUrl');

let counter = 0;

/**
 * A name no other test, worker or earlier run against the same servers uses: `prefix_<12 chars>`.
 * The suffix is lowercase letters and digits, so with a prefix of `[a-z0-9_]` the name is valid at once
 * as a Kafka topic or group, an Elasticsearch index or data stream namespace, and an unquoted PostgreSQL
 * identifier (keep the prefix under 40 characters for PostgreSQL's 63-byte limit).
 */
export function uniqueName(prefix: string): string {
  if (!/^[a-z][a-z0-9_.-]*$/.test(prefix)) {
    throw new Error(
      `uniqueName: prefix must start with a-z and contain only a-z 0-9 _ . - (got ${JSON.stringify(prefix)})`,
    );
  }
  counter += 1;
  const suffix = `${counter.toString(36)}${randomBytes(8).toString('hex')}`.slice(0, 12);
  return `${prefix}_${suffix}`;
}

import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { FaultlineError } from '../shared/errors.js';
import { type Config, ConfigSchema, ENV } from './schema.js';

export type { Config };

const ajv = new Ajv({ allErrors: true, coerceTypes: true, useDefaults: true, strict: false });
const validate = ajv.compile<Config>(ConfigSchema);

/** The literal values a union key of the schema accepts (logLevel), read from the schema itself. */
function choices(key: string): string[] {
  const property = (ConfigSchema.properties as Record<string, { anyOf?: Array<{ const?: unknown }> }>)[key];
  return (property?.anyOf ?? []).map((branch) => String(branch.const));
}

function describe(error: ErrorObject, raw: Record<string, unknown>, origin: Map<string, string>): string {
  const key =
    error.keyword === 'additionalProperties'
      ? String((error.params as { additionalProperty: string }).additionalProperty)
      : error.instancePath.replace(/^\//, '').split('/')[0] || '(root)';
  const where = origin.get(key) ?? key;
  const got = key in raw ? `, got ${JSON.stringify(raw[key])}` : '';
  if (error.keyword === 'additionalProperties') return `${where}: unknown configuration key`;
  const params = error.params as Record<string, unknown>;
  let expected = error.message ?? 'is invalid';
  if (error.keyword === 'pattern') expected = `must match ${String(params.pattern)}`;
  if (error.keyword === 'anyOf') expected = `must be one of ${choices(key).join(', ')}`;
  return `${where} (${key}) ${expected}${got}`;
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** Values that win over everything (CLI flags, tests). */
  overrides?: Partial<Config>;
}

/**
 * Reads the YAML file named by FAULTLINE_CONFIG (if any), then the environment, then overrides;
 * validates once and freezes. A bad value stops the start with a message naming the key.
 */
export function loadConfig(options: LoadOptions = {}): Readonly<Config> {
  const env = options.env ?? process.env;
  const raw: Record<string, unknown> = {};
  const origin = new Map<string, string>();

  const file = env.FAULTLINE_CONFIG;
  if (file !== undefined && file !== '') {
    let parsed: unknown;
    try {
      parsed = parseYaml(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new FaultlineError(
        'FAULTLINE_CONFIG_INVALID',
        `cannot read config file ${file}: ${(error as Error).message}`,
      );
    }
    if (parsed !== null && parsed !== undefined) {
      if (typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw new FaultlineError(
          'FAULTLINE_CONFIG_INVALID',
          `config file ${file} must hold a mapping of keys`,
        );
      }
      for (const [k, v] of Object.entries(parsed)) {
        raw[k] = v;
        origin.set(k, `${file}: ${k}`);
      }
    }
  }
  for (const [key, name] of Object.entries(ENV)) {
    const value = env[name];
    if (value !== undefined && value !== '') {
      raw[key] = value;
      origin.set(key, name);
    }
  }
  for (const [k, v] of Object.entries(options.overrides ?? {})) {
    if (v !== undefined) {
      raw[k] = v;
      origin.set(k, k);
    }
  }
  const candidate = structuredClone(raw);
  if (!validate(candidate)) {
    // Each branch of a union reports its own `const` miss; the union's `anyOf` line says it whole.
    const lines = (validate.errors ?? [])
      .filter((e) => e.keyword !== 'const')
      .map((e) => describe(e, raw, origin));
    throw new FaultlineError(
      'FAULTLINE_CONFIG_INVALID',
      `invalid configuration:\n  ${[...new Set(lines)].join('\n  ')}`,
    );
  }
  return Object.freeze(candidate);
}

import type { Client } from '@elastic/elasticsearch';

/**
 * Retention where the server does not run the data stream lifecycle itself. The Elasticsearch
 * built here (the `integ-test-zip` distribution: no `data-streams` module, no x-pack ILM) accepts
 * `lifecycle.data_retention` in a template but never acts on it, so the store does what the lifecycle
 * would: roll a stream over when its write index is old or big, then delete backing indices whose
 * newest possible document is older than the retention, and oldest-first while a stream is over its
 * size cap (something neither DSL nor ILM offers). On a full distribution the server's DSL does the
 * age part and this only applies the size cap.
 */

export interface RetentionPolicy {
  /** Age after which a backing index may go, in ms. */
  maxAgeMs: number;
  /** Total store size of the stream (primaries + replicas) above which the oldest backing indices go. */
  maxSizeBytes?: number;
}

export interface RetentionOptions {
  /** Roll the write index over after this age (default: from the retention, as DSL's `max_age: auto`). */
  rolloverAgeMs?: number;
  /** …or once its primaries hold this much (default 50 GB, Elastic's recommended shard size). */
  rolloverBytes?: number;
  /** Also delete by age (false when the server's DSL already does). */
  enforceAge: boolean;
  now?: number;
}

export interface RetentionReport {
  rolledOver: string[];
  deleted: Array<{ index: string; stream: string; why: 'age' | 'size' }>;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * How old a write index gets before rollover, from the stream's retention, as the data stream
 * lifecycle's `max_age: auto` does: up to 1 day of retention 1 hour, up to 14 days 1 day, up to
 * 90 days 7 days, beyond 30 days. A 30-day stream is then about 5 backing indices, not 30: each
 * search visits one shard per backing index, and at this scale a shard per day costs every view
 * more than it saves (bench/search).
 */
export function autoRolloverAge(retentionMs: number): number {
  if (retentionMs <= DAY) return HOUR;
  if (retentionMs <= 14 * DAY) return DAY;
  if (retentionMs <= 90 * DAY) return 7 * DAY;
  return 30 * DAY;
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Elasticsearch time units as used in `data_retention` (`30d`, `12h`, `90m`). */
export function parseDuration(value: string): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(value.trim());
  if (m === null) throw new Error(`invalid duration ${JSON.stringify(value)}: expected e.g. 30d, 12h`);
  return Number(m[1]) * UNITS[m[2]!]!;
}

interface BackingIndex {
  name: string;
  created: number;
  primaryBytes: number;
  totalBytes: number;
  docs: number;
}

async function describeStream(client: Client, names: string | string[]): Promise<BackingIndex[]> {
  const backing = typeof names === 'string' ? [names] : names;
  const [settings, stats] = await Promise.all([
    client.indices.getSettings({
      index: backing.join(','),
      name: 'index.creation_date',
      expand_wildcards: 'all',
    }),
    client.indices.stats({ index: backing.join(','), metric: ['store', 'docs'], expand_wildcards: 'all' }),
  ]);
  return backing.map((name) => {
    const created = Number(
      (settings[name]?.settings as { index?: { creation_date?: string } } | undefined)?.index
        ?.creation_date ?? 0,
    );
    const s = stats.indices?.[name];
    return {
      name,
      created,
      primaryBytes: s?.primaries?.store?.size_in_bytes ?? 0,
      totalBytes: s?.total?.store?.size_in_bytes ?? 0,
      docs: s?.primaries?.docs?.count ?? 0,
    };
  });
}

export async function enforceRetention(
  client: Client,
  patterns: string[],
  policyFor: (stream: string) => RetentionPolicy | undefined,
  options: RetentionOptions,
): Promise<RetentionReport> {
  const now = options.now ?? Date.now();
  const report: RetentionReport = { rolledOver: [], deleted: [] };
  const resolved = await client.indices.resolveIndex({ name: patterns, expand_wildcards: 'open' });
  for (const ds of resolved.data_streams) {
    const policy = policyFor(ds.name);
    if (policy === undefined) continue;
    let indices = await describeStream(client, ds.backing_indices);
    // resolveIndex lists backing indices oldest first; the last one is the write index.
    const write = indices.at(-1);
    if (write === undefined) continue;
    const rolloverAge = options.rolloverAgeMs ?? autoRolloverAge(policy.maxAgeMs);
    const rolloverBytes = options.rolloverBytes ?? 50 * 1024 ** 3;
    const cap = policy.maxSizeBytes;
    const overCap = cap !== undefined && indices.reduce((n, i) => n + i.totalBytes, 0) > cap;
    if (
      write.docs > 0 &&
      (now - write.created >= rolloverAge || write.primaryBytes >= rolloverBytes || overCap)
    ) {
      // Conditions checked by the server too: several Faultline processes run this, and only the
      // first one's rollover may happen (the others see a young, empty write index).
      const conditions = overCap
        ? { max_age: '0ms', min_docs: 1 }
        : { max_age: `${rolloverAge}ms`, max_primary_shard_size: `${rolloverBytes}b`, min_docs: 1 };
      const r = await client.indices.rollover({ alias: ds.name, conditions });
      if (r.rolled_over) report.rolledOver.push(ds.name);
      const afterRollover = await client.indices.resolveIndex({ name: ds.name, expand_wildcards: 'open' });
      indices = await describeStream(
        client,
        afterRollover.data_streams[0]?.backing_indices ?? ds.backing_indices,
      );
    }
    const readOnly = indices.slice(0, -1);
    let total = indices.reduce((n, i) => n + i.totalBytes, 0);
    for (let k = 0; k < readOnly.length; k++) {
      const index = readOnly[k]!;
      // An index stops receiving documents when the next generation is created.
      const end = indices[k + 1]!.created;
      let why: 'age' | 'size' | undefined;
      if (options.enforceAge && now - end > policy.maxAgeMs) why = 'age';
      else if (cap !== undefined && total > cap) why = 'size';
      if (why === undefined) continue;
      try {
        await client.indices.delete({ index: index.name });
      } catch (error) {
        // Another process deleted it first.
        if ((error as { meta?: { statusCode?: number } }).meta?.statusCode !== 404) throw error;
      }
      total -= index.totalBytes;
      report.deleted.push({ index: index.name, stream: ds.name, why });
    }
  }
  return report;
}

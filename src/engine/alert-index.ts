import type { Client } from '@elastic/elasticsearch';
import type { Finding } from '../model/alert.js';

const MAPPINGS = {
  dynamic: false,
  properties: {
    id: { type: 'keyword' },
    kind: { type: 'keyword' },
    fingerprint: { type: 'keyword' },
    rule: { type: 'keyword' },
    status: { type: 'keyword' },
    severity: { type: 'keyword' },
    host: { type: 'keyword' },
    startsAt: { type: 'date' },
    lastSeenAt: { type: 'date' },
    endsAt: { type: 'date' },
    predictedAt: { type: 'date' },
    eta: { type: 'date' },
    count: { type: 'long' },
    confidence: { type: 'float' },
    inhibited: { type: 'boolean' },
    parentId: { type: 'keyword' },
    labels: { type: 'flattened' },
    'impact.tenants': { type: 'keyword' },
    'impact.leases': { type: 'keyword' },
    'impact.bytes': { type: 'long' },
    'impact.packets': { type: 'long' },
  },
} as const;

/**
 * Alerts and predictions in Elasticsearch for dashboards (DESIGN §6: "alerts in an index behind an
 * alias"). Documents are keyed by alert id. The alias may roll over to a new index; an update to an
 * alert first looks up the index that already holds it and writes there, so a replay or a late
 * update after a rollover overwrites the document instead of adding a second copy.
 */
export class AlertIndex {
  constructor(
    private readonly client: Client,
    /** The alias dashboards read; the first backing index is `<alias>-000001`. */
    readonly alias: string,
  ) {}

  async bootstrap(): Promise<void> {
    // A template, not just the first index's mappings: the indices a rollover creates need them too.
    await this.client.indices.putIndexTemplate({
      name: this.alias,
      index_patterns: [`${this.alias}-*`],
      priority: 250,
      template: { mappings: MAPPINGS },
    });
    if (await this.client.indices.existsAlias({ name: this.alias })) return;
    await this.client.indices.create({
      index: `${this.alias}-000001`,
      aliases: { [this.alias]: { is_write_index: true } },
    });
  }
  /** Rolls the alias over to a new backing index (what an ILM policy would do on size or age). */
  async rollover(): Promise<void> {
    await this.client.indices.rollover({ alias: this.alias });
  }

  async write(findings: readonly Finding[]): Promise<void> {
    if (findings.length === 0) return;
    const ids = findings.map((f) => f.id);
    const held = await this.client.search({
      index: this.alias,
      size: ids.length,
      _source: false,
      query: { ids: { values: ids } },
    });
    const home = new Map(held.hits.hits.map((h) => [h._id as string, h._index]));
    const operations = findings.flatMap((f) => [
      { index: { _index: home.get(f.id) ?? this.alias, _id: f.id } },
      f,
    ]);
    const result = await this.client.bulk({ operations, refresh: false });
    if (result.errors) {
      const first = result.items.find((i) => i.index?.error !== undefined)?.index?.error;
      throw new Error(`alert index write failed: ${first?.reason ?? 'unknown error'}`);
    }
  }

  async refresh(): Promise<void> {
    await this.client.indices.refresh({ index: this.alias });
  }
}

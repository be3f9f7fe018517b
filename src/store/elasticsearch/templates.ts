import { DATASETS, type Dataset, EXTRA_ROOTS } from '../../model/event.js';

/**
 * Names and templates of the Elasticsearch side (DESIGN §6): one data stream per dataset and
 * namespace, `logs-faultline.<dataset>-<namespace>`, except DPU counters, which are metrics:
 * `metrics-faultline.dpu-<namespace>`. Templates sit at priority 250, above the built-in `logs` and
 * `metrics` templates (100) and Elastic's advice to stay above 200.
 */

export const TEMPLATE_PRIORITY = 250;
/** Bumped when the mappings change; stored in `_meta` so an operator can tell what is installed. */
export const TEMPLATE_VERSION = 2;

export interface Naming {
  /** Dataset prefix inside the stream name (default `faultline`). */
  prefix: string;
  namespace: string;
}

export function dataStreamFor(dataset: Dataset, { prefix, namespace }: Naming): string {
  if (dataset === 'dpu.metrics') return `metrics-${prefix}.dpu-${namespace}`;
  return `logs-${prefix}.${dataset}-${namespace}`;
}

/** Wildcards covering every stream of one namespace (and nothing of another: datasets have no `-`). */
export function allStreamsPattern({ prefix, namespace }: Naming): string[] {
  return [`logs-${prefix}.*-${namespace}`, `metrics-${prefix}.*-${namespace}`];
}

export function componentNames(prefix: string) {
  return { mappings: `${prefix}@mappings`, settings: `${prefix}@settings`, custom: `${prefix}@custom` };
}

export function indexTemplateName(dataset: Dataset, naming: Naming): string {
  return `${naming.prefix}-${dataset}-${naming.namespace}`;
}

const keyword = { type: 'keyword' } as const;
/**
 * A low-cardinality keyword the views count by (values, top, errors): its global ordinals are built
 * at refresh, not by the first terms aggregation after each refresh.
 */
const counted = { type: 'keyword', eager_global_ordinals: true } as const;
const keywordLong = { type: 'keyword', ignore_above: 1024 } as const;
const long = { type: 'long' } as const;

/**
 * Mappings of the normalized event. The event's keys are flat and dotted (`host.name`); the store
 * sends them nested along those paths (`document.ts`) and flattens `_source` again when it reads.
 */
export type MessageFieldType = 'match_only_text' | 'text';

export function eventMappings(options: { message?: MessageFieldType } = {}) {
  // match_only_text (mapper-extras module) indexes words without positions or norms, like Elastic's
  // own logs mappings; where the server lacks it, plain text without norms (no scoring is ever asked for).
  const message =
    options.message === 'text'
      ? { type: 'text', norms: false }
      : ({ type: 'match_only_text' } as Record<string, unknown>);
  const extras = Object.fromEntries(EXTRA_ROOTS.map((r) => [r, { type: 'object', subobjects: false }]));
  return {
    dynamic: true,
    dynamic_templates: [
      {
        extras_strings: {
          path_match: EXTRA_ROOTS.map((r) => `${r}.*`),
          match_mapping_type: 'string',
          mapping: keywordLong,
        },
      },
      {
        extras_doubles: {
          path_match: EXTRA_ROOTS.map((r) => `${r}.*`),
          match_mapping_type: 'double',
          mapping: { type: 'double' },
        },
      },
      // Anything new that is a string is an identifier far more often than prose.
      { strings_as_keyword: { match_mapping_type: 'string', mapping: keywordLong } },
    ],
    properties: {
      '@timestamp': { type: 'date' },
      message,
      event: {
        properties: {
          id: keyword,
          dataset: counted,
          kind: keyword,
          severity: { type: 'byte' },
          // Kept in _source for replays and display; never searched, so neither indexed nor in doc values.
          original: { type: 'keyword', index: false, doc_values: false },
          module: keyword,
          code: keyword,
          action: keyword,
          category: keyword,
          type: keyword,
          outcome: keyword,
          provider: keyword,
          ingested: { type: 'date' },
        },
      },
      host: { properties: { name: counted, hostname: keyword, ip: { type: 'ip' } } },
      service: { properties: { name: counted } },
      log: {
        properties: {
          // `ci` lets filters and counts ignore case (WARNING, warning) without touching _source.
          level: { type: 'keyword', fields: { ci: { ...counted, normalizer: 'lowercase' } } },
          logger: keyword,
          template: { properties: { id: counted } },
          file: { properties: { path: keyword } },
        },
      },
      process: { properties: { pid: long, name: counted } },
      cloud: {
        properties: {
          provider: keyword,
          project: { properties: { id: keyword } },
          instance: { properties: { id: keyword } },
          account: { properties: { id: keyword } },
        },
      },
      user: { properties: { id: keyword } },
      error: {
        properties: {
          type: keyword,
          message: { type: 'text' },
          stack_trace: { type: 'text', index: false },
        },
      },
      hw: {
        properties: {
          type: keyword,
          id: keyword,
          name: keyword,
          fault: { properties: { class: keyword } },
        },
      },
      observer: {
        properties: {
          type: keyword,
          name: keyword,
          vendor: keyword,
          product: keyword,
          serial_number: keyword,
        },
      },
      interface: { properties: { name: keyword, alias: keyword } },
      network: {
        properties: {
          vni: long,
          vlan: { properties: { id: keyword } },
          bytes: long,
          packets: long,
          transport: keyword,
          iana_number: keyword,
          community_id: keyword,
          direction: keyword,
        },
      },
      source: { properties: { ip: { type: 'ip' }, port: long } },
      destination: { properties: { ip: { type: 'ip' }, port: long } },
      // ECS labels are keyword-valued; one flattened field keeps arbitrary keys from growing the mapping.
      labels: { type: 'flattened' },
      ...extras,
    },
  };
}

export interface SettingsOptions {
  refreshInterval?: string;
  /** `index.number_of_shards` per backing index (default 1). */
  shards?: number;
  /** `index.auto_expand_replicas` (default `0-1`: green on one node, one replica on more). */
  replicas?: string;
}

export function eventSettings() {
  return {
    index: {
      mapping: {
        // A malformed value (an IP that is not one) drops that field, not the event (as Elastic's logs@settings).
        ignore_malformed: true,
        total_fields: { limit: 2000, ignore_dynamic_beyond_limit: true },
      },
    },
  };
}

export function perStreamSettings(options: SettingsOptions) {
  const index: Record<string, unknown> = {
    number_of_shards: options.shards ?? 1,
    auto_expand_replicas: options.replicas ?? '0-1',
  };
  if (options.refreshInterval !== undefined) index.refresh_interval = options.refreshInterval;
  return { index };
}

/** Default age-based retention per dataset: raw metrics expire first, hardware history lasts longest. */
export const DEFAULT_RETENTION: Record<Dataset, string> = {
  'openstack.log': '30d',
  'openstack.notification': '30d',
  'bmc.sel': '365d',
  'bmc.redfish': '365d',
  'dpu.metrics': '14d',
  'dpu.flow': '7d',
  'host.smart': '365d',
  'host.syslog': '30d',
  'fleet.event': '365d',
};

export function indexTemplate(
  dataset: Dataset,
  naming: Naming,
  retention: string,
  settings: SettingsOptions,
) {
  const c = componentNames(naming.prefix);
  return {
    index_patterns: [dataStreamFor(dataset, naming)],
    data_stream: {},
    priority: TEMPLATE_PRIORITY,
    composed_of: [c.mappings, c.settings, c.custom],
    // `<prefix>@custom` is the operator's hook (as Elastic's `logs@custom`); it need not exist.
    ignore_missing_component_templates: [c.custom],
    template: {
      settings: perStreamSettings(settings),
      lifecycle: { data_retention: retention },
    },
    _meta: { managed_by: 'faultline', version: TEMPLATE_VERSION, dataset, namespace: naming.namespace },
  };
}

export { DATASETS };

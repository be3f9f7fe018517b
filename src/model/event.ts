/**
 * The normalized event (DESIGN §4). Field names are Elastic Common Schema where ECS has the field,
 * OpenTelemetry hardware conventions for `hw.*`, and a proper-name namespace (`bmc.*`, `dpu.*`,
 * `openstack.*`, `smart.*`) for what neither has. Keys are kept flat and dotted: Elasticsearch maps
 * dotted keys to the same object paths, and rules can name a field with one string.
 */

export const DATASETS = [
  'openstack.log',
  'openstack.notification',
  'bmc.sel',
  'bmc.redfish',
  'dpu.metrics',
  'dpu.flow',
  'host.smart',
  'host.syslog',
  'fleet.event',
] as const;
export type Dataset = (typeof DATASETS)[number];

/** OpenTelemetry `hw.type` values, plus the few bare-metal parts OTel has no value for. */
export const HW_TYPES = [
  'cpu',
  'memory',
  'physical_disk',
  'logical_disk',
  'disk_controller',
  'fan',
  'power_supply',
  'network',
  'gpu',
  'temperature',
  'voltage',
  'current',
  'enclosure',
  'battery',
  'tape_drive',
  'pcie',
  'dpu',
  'bmc',
  'board',
  'firmware',
  'system',
  'unknown',
] as const;
export type HwType = (typeof HW_TYPES)[number];

export const FAULT_CLASSES = [
  'correctable',
  'uncorrectable',
  'predictive',
  'failure',
  'recovered',
  'informational',
] as const;
export type FaultClass = (typeof FAULT_CLASSES)[number];

export type EventKind = 'event' | 'metric' | 'state' | 'alert' | 'signal';

/** Syslog severities (RFC 5424): 0 emergency … 7 debug. */
export const Severity = {
  emergency: 0,
  alert: 1,
  critical: 2,
  error: 3,
  warning: 4,
  notice: 5,
  info: 6,
  debug: 7,
} as const;
export type SeverityCode = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7;

/**
 * Roots that hold source-specific extras (DESIGN §4): below the root, the rest of the key is one
 * field name (`bmc.sel.format` is field `sel.format` of `bmc`), so `dpu.port` and `dpu.port.rx`
 * can coexist (Elasticsearch maps these roots `subobjects: false`).
 */
export const EXTRA_ROOTS = ['bmc', 'dpu', 'openstack', 'smart', 'syslog', 'redfish', 'fleet'] as const;

type Namespaced =
  | `bmc.${string}`
  | `dpu.${string}`
  | `openstack.${string}`
  | `smart.${string}`
  | `labels.${string}`
  | `fleet.${string}`
  | `syslog.${string}`
  | `log.syslog.${string}`
  | `redfish.${string}`;

export interface FaultEvent {
  // always present
  '@timestamp': string;
  'event.id': string;
  'event.dataset': Dataset;
  'event.kind': EventKind;
  'event.severity': SeverityCode;
  'event.original': string;
  message: string;

  'event.module'?: string;
  'event.code'?: string;
  'event.action'?: string;
  'event.category'?: string[];
  'event.type'?: string[];
  'event.outcome'?: 'success' | 'failure' | 'unknown';
  'event.provider'?: string;
  'event.ingested'?: string;

  'host.name'?: string;
  'host.hostname'?: string;
  'host.ip'?: string[];

  // OpenStack
  'service.name'?: string;
  'log.level'?: string;
  'log.logger'?: string;
  'log.file.path'?: string;
  /** Template the message belongs to (src/logmine), stable as the template generalizes. */
  'log.template.id'?: string;
  'process.pid'?: number;
  'process.name'?: string;
  'cloud.provider'?: string;
  'cloud.project.id'?: string;
  'cloud.instance.id'?: string;
  'user.id'?: string;
  'error.type'?: string;
  'error.message'?: string;
  'error.stack_trace'?: string;

  // hardware
  'hw.type'?: HwType;
  'hw.id'?: string;
  'hw.name'?: string;
  'hw.fault.class'?: FaultClass;
  'observer.type'?: 'bmc' | 'dpu' | 'host';
  'observer.name'?: string;
  'observer.vendor'?: string;
  'observer.product'?: string;
  'observer.serial_number'?: string;

  // network
  'interface.name'?: string;
  'interface.alias'?: string;
  'network.vni'?: number;
  'network.vlan.id'?: string;
  'network.bytes'?: number;
  'network.packets'?: number;
  'network.transport'?: string;
  'network.iana_number'?: string;
  'network.community_id'?: string;
  'network.direction'?: string;
  'source.ip'?: string;
  'source.port'?: number;
  'destination.ip'?: string;
  'destination.port'?: number;

  // enrichment at ingest
  'cloud.account.id'?: string;

  [key: Namespaced]: unknown;
}

/** Whether a string names one of the DATASETS (checked where events come from outside: bus, store). */
export function isDataset(value: string): value is Dataset {
  return (DATASETS as readonly string[]).includes(value);
}

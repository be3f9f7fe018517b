import catalog from './field-catalog.json' with { type: 'json' };
import type { FieldType } from './field-catalog-build.js';

/**
 * Fields the decoders write (generated from their output on the fixtures) plus the model's fields
 * that no fixture exercises yet (flow records, fleet events, ingest enrichment). A rule naming a
 * field outside this set is an error: it could never match.
 */
const MODEL_FIELDS: Readonly<Record<string, FieldType>> = {
  'host.name': 'string',
  'cloud.account.id': 'string',
  'labels.lease_id': 'string',
  'labels.rack': 'string',
  'labels.template_id': 'string',
  'interface.name': 'string',
  'network.vni': 'number',
  'network.vlan.id': 'string',
  'network.bytes': 'number',
  'network.packets': 'number',
  'network.transport': 'string',
  'network.iana_number': 'string',
  'network.community_id': 'string',
  'network.direction': 'string',
  'source.ip': 'string',
  'source.port': 'number',
  'destination.ip': 'string',
  'destination.port': 'number',
  'event.action': 'string',
  'event.outcome': 'string',
  'event.code': 'string',
  'hw.id': 'string',
  'hw.name': 'string',
  'hw.type': 'string',
  'hw.fault.class': 'string',
  // src/sources/fleet (the leasing core's own events)
  'fleet.verb': 'string',
  'fleet.provision_state': 'string',
  'fleet.previous_provision_state': 'string',
  'fleet.power_state': 'string',
  'fleet.maintenance': 'boolean',
  'fleet.reason': 'string',
  'fleet.step': 'string',
  'fleet.resource_class': 'string',
};

/** Open maps whose keys the data chooses (Prometheus labels of a DPU metric). */
const OPEN_PREFIXES: readonly string[] = ['dpu.metric.labels.'];

const FIELDS: Readonly<Record<string, FieldType>> = {
  ...(catalog as Record<string, FieldType>),
  ...MODEL_FIELDS,
};

export function fieldType(field: string): FieldType | undefined {
  const known = FIELDS[field];
  if (known !== undefined) return known;
  return OPEN_PREFIXES.some((p) => field.startsWith(p) && field.length > p.length) ? 'string' : undefined;
}

export function knownFields(): string[] {
  return Object.keys(FIELDS).sort();
}

/** readField for one field, with the choice of how to read it made once (the matchers' hot path). */
export function fieldReader(field: string): (event: Readonly<Record<string, unknown>>) => unknown {
  if (!field.startsWith('dpu.metric.labels.')) return (event) => event[field];
  return (event) => readField(event, field);
}

/** Reads a field of an event; `dpu.metric.labels.<k>` reads key k of the labels object. */
export function readField(event: Readonly<Record<string, unknown>>, field: string): unknown {
  const direct = event[field];
  if (direct !== undefined) return direct;
  if (field.startsWith('dpu.metric.labels.')) {
    const labels = event['dpu.metric.labels'];
    if (labels !== null && typeof labels === 'object') {
      return (labels as Record<string, unknown>)[field.slice('dpu.metric.labels.'.length)];
    }
  }
  return undefined;
}

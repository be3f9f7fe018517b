import { type FleetEvent, isFleetEventType } from '../../fleet/fleet-event.js';
import type { FaultEvent, SeverityCode } from '../../model/event.js';
import { baseEvent, toIso } from '../event-builder.js';
import { jsonFramer } from '../framing.js';
import { bool, type Json, obj, osloTimeMs, str, unwrap } from '../openstack/notification/json.js';
import { type DecodeContext, type DecodeResult, decoded, rejected, type Source } from '../types.js';

/** Ironic node notifications this source understands, by the part after `baremetal.node.`. */
const IRONIC_ACTIONS = new Set(['provision_set', 'power_set', 'maintenance_set', 'power_state_corrected']);

function severityOf(e: FleetEvent): SeverityCode {
  if (e.type === 'invariant.violation') return 2;
  if (e.outcome === 'failure' || e.verb === 'fail' || e.to?.endsWith('failed') === true || e.to === 'error')
    return 3;
  if (e.type === 'node.maintenance_set' && e.maintenance === true) return 4;
  if (e.type === 'lease.end' && (e.status === 'error' || e.status === 'evacuated')) return 4;
  return 6;
}

function describe(e: FleetEvent): string {
  const node = e.node_id === undefined ? '' : `node ${e.node_id}: `;
  const why = e.reason === undefined ? '' : ` (${e.reason})`;
  switch (e.type) {
    case 'node.provision_set':
      return `${node}provision ${e.from ?? '?'} → ${e.to ?? '?'}${e.verb ? ` by ${e.verb}` : ''}${why}`;
    case 'node.power_set':
      return `${node}power ${e.from ? `${e.from} → ` : ''}${e.power_state ?? '?'}${why}`;
    case 'node.maintenance_set':
      return `${node}maintenance ${e.maintenance === true ? 'on' : 'off'}${why}`;
    case 'node.step':
      return `${node}step ${e.step ?? '?'} ${e.outcome ?? ''}${e.duration_ms === undefined ? '' : ` in ${e.duration_ms} ms`}${why}`;
    case 'lease.create':
    case 'lease.start':
    case 'lease.end':
      return `${node}lease ${e.lease_id ?? '?'} of tenant ${e.tenant_id ?? '?'} ${e.type.slice(6)}${e.status ? ` (${e.status})` : ''}${why}`;
    case 'node.evacuate':
      return `${node}lease ${e.lease_id ?? '?'} evacuated to ${e.target_node_id ?? '?'}${why}`;
    case 'segment.program':
    case 'segment.remove':
      return `${node}segment ${e.vni ?? '?'} ${e.type === 'segment.program' ? 'programmed on' : 'removed from'} port ${e.port ?? '?'}`;
    default:
      return `${node}${e.type}${why}`;
  }
}

/** Faultline's own `fleet.event` into a normalized event. */
export function fleetToEvent(e: FleetEvent, original: string, ctx: DecodeContext): FaultEvent | string {
  const at = toIso(e.at);
  if (at === undefined) return `field at: not a time: ${String(e.at)}`;
  const event = baseEvent(
    {
      source: 'fleet',
      dataset: 'fleet.event',
      original,
      timestamp: at,
      severity: severityOf(e),
      message: describe(e),
    },
    ctx,
  );
  event['event.action'] = e.type;
  event['event.provider'] = 'faultline';
  event['event.category'] = ['host'];
  event['event.type'] = ['change'];
  if (e.outcome !== undefined) event['event.outcome'] = e.outcome;
  if (e.node_id !== undefined) event['host.name'] = e.node_id;
  // The tenant named by a lease or network event is the tenant the event is about.
  if (e.tenant_id !== undefined) event['cloud.account.id'] = e.tenant_id;
  if (e.lease_id !== undefined) event['labels.lease_id'] = e.lease_id;
  if (e.rack !== undefined) event['labels.rack'] = e.rack;
  if (e.vni !== undefined) event['network.vni'] = e.vni;
  if (e.port !== undefined) event['interface.name'] = e.port;
  const put = (k: string, v: unknown) => {
    if (v !== undefined) (event as unknown as Record<string, unknown>)[`fleet.${k}`] = v;
  };
  put('verb', e.verb);
  put('previous_provision_state', e.type === 'node.provision_set' ? e.from : undefined);
  put('provision_state', e.type === 'node.provision_set' || e.type === 'node.create' ? e.to : undefined);
  put('power_state', e.power_state);
  put('maintenance', e.maintenance);
  put('reason', e.reason);
  put('resource_class', e.resource_class);
  put('step', e.step);
  put('duration_ms', e.duration_ms);
  put('lease.status', e.status);
  put('lease.start', e.start);
  put('lease.end', e.end);
  put('network_id', e.network_id);
  put('target_node', e.target_node_id);
  put('disk_id', e.disk_id);
  return event;
}

/**
 * Ironic's `baremetal.node.{provision_set,power_set,maintenance_set,power_state_corrected}.*`
 * notification as the fleet event it amounts to, so Faultline monitors an existing Ironic the way
 * it monitors its own core.
 */
export function ironicToFleet(n: Json, ctx: DecodeContext): FleetEvent | string {
  let envelope = n;
  const wrapped = str(n['oslo.message']);
  if (wrapped !== undefined) {
    const inner = obj(JSON.parse(wrapped));
    if (inner === undefined) return 'oslo.message is not a JSON object';
    envelope = inner;
  }
  const eventType = str(envelope.event_type);
  if (eventType === undefined) return 'neither a fleet event (type) nor an Ironic notification (event_type)';
  const m = /^baremetal\.node\.([a-z_]+)\.([a-z]+)$/.exec(eventType);
  if (m === null || !IRONIC_ACTIONS.has(m[1]!))
    return `${eventType} is not an Ironic node provision/power/maintenance notification (decode it as openstack-notification)`;
  const data = unwrap(envelope.payload);
  if (data === undefined) return 'payload: missing';
  const node = str(data.name) ?? str(data.uuid);
  if (node === undefined) return 'payload: the node has neither name nor uuid';
  const ms = osloTimeMs(envelope.timestamp);
  const at = ms !== undefined ? toIso(ms) : ctx.receivedAt !== undefined ? toIso(ctx.receivedAt) : undefined;
  if (at === undefined) return 'timestamp: missing (and no receive time)';
  const phase = m[2]!;
  const e: FleetEvent = { type: 'node.provision_set', at, node_id: node };
  if (phase === 'error') e.outcome = 'failure';
  else if (phase === 'end' || phase === 'success') e.outcome = 'success';
  const lastError = str(data.last_error);
  const fault = str(data.fault);
  const reason = lastError ?? fault ?? str(data.maintenance_reason);
  if (reason !== undefined) e.reason = reason;
  const rc = str(data.resource_class);
  if (rc !== undefined) e.resource_class = rc;
  const lessee = str(data.lessee);
  if (lessee !== undefined) e.tenant_id = lessee;
  switch (m[1]) {
    case 'provision_set': {
      const from = str(data.previous_provision_state);
      const to = str(data.provision_state);
      const verb = str(data.event);
      if (from !== undefined) e.from = from;
      if (to !== undefined) e.to = to;
      if (verb !== undefined) e.verb = verb;
      break;
    }
    case 'power_set':
    case 'power_state_corrected': {
      e.type = 'node.power_set';
      const to = str(data.to_power) ?? str(data.power_state);
      const from = str(data.from_power);
      if (to !== undefined) e.power_state = to;
      if (from !== undefined) e.from = from;
      if (m[1] === 'power_state_corrected')
        e.reason = e.reason ?? 'power state corrected: BMC and database disagreed';
      break;
    }
    default: {
      e.type = 'node.maintenance_set';
      const on = bool(data.maintenance);
      if (on !== undefined) e.maintenance = on;
    }
  }
  return e;
}

function decode(payload: string, ctx: DecodeContext): DecodeResult {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch (error) {
    return rejected(`not JSON: ${(error as Error).message}`);
  }
  const o = obj(value);
  if (o === undefined) return rejected('not a JSON object');
  let fleet: FleetEvent | string;
  if (o.type !== undefined) {
    if (!isFleetEventType(o.type))
      return rejected(`type: unknown fleet event type ${JSON.stringify(o.type)}`);
    if (typeof o.at !== 'string') return rejected('at: missing');
    fleet = o as unknown as FleetEvent;
  } else {
    fleet = ironicToFleet(o, ctx);
  }
  if (typeof fleet === 'string') return rejected(fleet);
  const event = fleetToEvent(fleet, payload, ctx);
  if (typeof event === 'string') return rejected(event);
  if (o.type === undefined) event['event.provider'] = 'ironic';
  return decoded(event);
}

export const fleetSource: Source = {
  id: 'fleet',
  dataset: 'fleet.event',
  description:
    "Faultline's fleet events (lease, provisioning, power, maintenance) and Ironic node notifications",
  contentType: 'application/json',
  createFramer: jsonFramer,
  decode,
};

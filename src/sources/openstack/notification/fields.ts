import type { FaultEvent } from '../../../model/event.js';
import { bool, type Json, obj, str, unwrap } from './json.js';

/** Copies a value onto the event when the notification has it (strings, numbers and booleans only). */
function put(event: FaultEvent, key: `openstack.${string}`, v: unknown): void {
  if ((typeof v === 'string' && v !== '') || typeof v === 'number' || typeof v === 'boolean') event[key] = v;
}

/** The exception a notification carries (`fault`, `reason`, or an ExceptionPayload itself) as ECS error.*. */
export function fillException(event: FaultEvent, exception: Json | undefined): void {
  if (exception === undefined) return;
  const type = str(exception.exception);
  const message = str(exception.exception_message) ?? str(exception.message);
  if (type === undefined && message === undefined) return;
  if (type !== undefined) event['error.type'] = type;
  if (message !== undefined) event['error.message'] = message;
  const trace = str(exception.traceback);
  if (trace !== undefined) event['error.stack_trace'] = trace;
  put(event, 'openstack.exception.function_name', exception.function_name);
  put(event, 'openstack.exception.module_name', exception.module_name);
}

/** nova versioned payloads: instance actions, service status, exceptions, libvirt errors. */
export function fillNova(event: FaultEvent, data: Json, payloadName: string | undefined): string | undefined {
  if (payloadName?.startsWith('Instance')) {
    const uuid = str(data.uuid);
    if (uuid !== undefined) event['cloud.instance.id'] = uuid;
    put(event, 'openstack.nova.state', data.state);
    put(event, 'openstack.nova.task_state', data.task_state);
    put(event, 'openstack.nova.power_state', data.power_state);
    put(event, 'openstack.nova.display_name', data.display_name);
    put(event, 'openstack.nova.flavor', unwrap(data.flavor)?.name);
    put(event, 'openstack.nova.image_uuid', data.image_uuid);
  }
  put(event, 'openstack.nova.node', data.node);
  if (payloadName === 'ServiceStatusPayload') {
    const binary = str(data.binary);
    if (binary !== undefined) event['service.name'] = binary;
    put(event, 'openstack.nova.service.binary', data.binary);
    put(event, 'openstack.nova.service.disabled', data.disabled);
    put(event, 'openstack.nova.service.disabled_reason', data.disabled_reason);
    put(event, 'openstack.nova.service.forced_down', data.forced_down);
    put(event, 'openstack.nova.service.last_seen_up', data.last_seen_up);
    put(event, 'openstack.nova.service.report_count', data.report_count);
  }
  const ip = str(data.ip);
  if (ip !== undefined) event['host.ip'] = [ip];
  fillException(
    event,
    payloadName === 'ExceptionPayload' ? data : (unwrap(data.fault) ?? unwrap(data.reason)),
  );
  return str(data.host);
}

/** ironic `baremetal.*` payloads; returns the bare-metal node the event is about. */
export function fillIronic(
  event: FaultEvent,
  data: Json,
  payloadName: string | undefined,
  eventType: string,
): string | undefined {
  const isNode = payloadName?.startsWith('Node') === true || eventType.startsWith('baremetal.node.');
  if (isNode) {
    const uuid = str(data.uuid);
    if (uuid !== undefined) event['openstack.ironic.node_uuid'] = uuid;
    put(event, 'openstack.ironic.node_name', data.name);
    put(event, 'openstack.ironic.provision_state', data.provision_state);
    put(event, 'openstack.ironic.previous_provision_state', data.previous_provision_state);
    put(event, 'openstack.ironic.target_provision_state', data.target_provision_state);
    put(event, 'openstack.ironic.power_state', data.power_state);
    put(event, 'openstack.ironic.previous_power_state', data.from_power);
    put(event, 'openstack.ironic.target_power_state', data.target_power_state);
    const maintenance = bool(data.maintenance);
    if (maintenance !== undefined) event['openstack.ironic.maintenance'] = maintenance;
    put(event, 'openstack.ironic.maintenance_reason', data.maintenance_reason);
    put(event, 'openstack.ironic.fault', data.fault);
    put(event, 'openstack.ironic.event', data.event);
    put(event, 'openstack.ironic.driver', data.driver);
    put(event, 'openstack.ironic.conductor_group', data.conductor_group);
    put(event, 'openstack.ironic.resource_class', data.resource_class);
    put(event, 'openstack.ironic.console_enabled', data.console_enabled);
    const lastError = str(data.last_error);
    if (lastError !== undefined) event['error.message'] = lastError;
    const instance = str(data.instance_uuid);
    if (instance !== undefined) event['cloud.instance.id'] = instance;
    // The lessee is the project using the node now; the owner only the one that owns it.
    const project = str(data.lessee) ?? str(data.owner);
    if (project !== undefined) event['cloud.project.id'] = project;
    put(event, 'openstack.ironic.owner', data.owner);
    put(event, 'openstack.ironic.lessee', data.lessee);
    return str(data.name) ?? uuid;
  }
  const node = str(data.node_uuid);
  if (node !== undefined) event['openstack.ironic.node_uuid'] = node;
  put(event, 'openstack.ironic.resource_uuid', data.uuid);
  put(event, 'openstack.ironic.port.address', data.address);
  put(event, 'openstack.ironic.port.is_smartnic', data.is_smartnic);
  put(event, 'openstack.ironic.port.physical_network', data.physical_network);
  return node;
}

/** masakari's failure-notification body (`type`, `payload`, `status`…), versioned or from the API. */
export function fillMasakariNotification(event: FaultEvent, n: Json): void {
  put(event, 'openstack.masakari.type', n.type);
  put(event, 'openstack.masakari.status', n.status);
  put(event, 'openstack.masakari.notification_uuid', n.notification_uuid);
  put(event, 'openstack.masakari.source_host_uuid', n.source_host_uuid);
  put(event, 'openstack.masakari.generated_time', n.generated_time);
  const p = obj(n.payload);
  if (p === undefined) return;
  put(event, 'openstack.masakari.event', p.event);
  put(event, 'openstack.masakari.host_status', p.host_status);
  put(event, 'openstack.masakari.cluster_status', p.cluster_status);
  put(event, 'openstack.masakari.vir_domain_event', p.vir_domain_event);
  put(event, 'openstack.masakari.process_name', p.process_name);
  const process = str(p.process_name);
  if (process !== undefined) event['process.name'] = process;
  const instance = str(p.instance_uuid);
  if (instance !== undefined) event['cloud.instance.id'] = instance;
  const workflow = Array.isArray(n.recovery_workflow_details) ? n.recovery_workflow_details : undefined;
  if (workflow !== undefined) {
    event['openstack.masakari.recovery_workflow'] = workflow
      .map((step) => obj(step))
      .filter((step): step is Json => step !== undefined)
      .map((step) => `${str(step.name) ?? '?'}:${str(step.state) ?? '?'}`);
  }
}

/** masakari versioned payloads: hosts, segments and notifications; returns the host they name. */
export function fillMasakari(
  event: FaultEvent,
  data: Json,
  payloadName: string | undefined,
): string | undefined {
  fillException(event, unwrap(data.fault));
  if (payloadName === 'NotificationApiPayload') {
    fillMasakariNotification(event, data);
    return undefined;
  }
  const segment = payloadName === 'SegmentApiPayload' ? data : unwrap(data.failover_segment);
  put(event, 'openstack.masakari.segment', segment?.name);
  put(event, 'openstack.masakari.recovery_method', segment?.recovery_method);
  if (payloadName === 'HostApiPayload') {
    put(event, 'openstack.masakari.host_type', data.type);
    put(event, 'openstack.masakari.on_maintenance', data.on_maintenance);
    put(event, 'openstack.masakari.reserved', data.reserved);
    return str(data.name);
  }
  return undefined;
}

/** Legacy (unversioned) notifications: the flat payload keys nova, cinder and neutron have used. */
export function fillLegacy(event: FaultEvent, data: Json): string | undefined {
  const instance = str(data.instance_id) ?? str(data.instance_uuid);
  if (instance !== undefined) event['cloud.instance.id'] = instance;
  put(event, 'openstack.legacy.state', data.state);
  put(event, 'openstack.legacy.volume_id', data.volume_id);
  put(event, 'openstack.legacy.display_name', data.display_name);
  const exception = obj(data.exception);
  if (exception !== undefined) fillException(event, exception);
  else {
    const type = str(data.exception);
    if (type !== undefined) event['error.type'] = type;
    const message = str(data.message);
    if (message !== undefined && type !== undefined) event['error.message'] = message;
  }
  return str(data.host) ?? str(data.hostname) ?? str(data.node);
}

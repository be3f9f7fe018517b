import { osloTime } from './time.js';

export type OsloLevel = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR' | 'CRITICAL';

/**
 * One oslo.log line (nova's default `logging_context_format_string`):
 * `2026-12-07 02:31:44.123 2931 INFO nova.compute.manager [req-… user project - - -] message`.
 */
export function osloLine(
  time: number,
  pid: number,
  level: OsloLevel,
  logger: string,
  context: string,
  message: string,
): string {
  return `${osloTime(time)} ${pid} ${level} ${logger} [${context}] ${message}`;
}

/** The request context oslo.context writes: request id, user, project, and three unused slots. */
export function requestContext(requestId: string, user?: string, project?: string): string {
  return user === undefined ? `${requestId} - - - - -` : `${requestId} ${user} ${project ?? '-'} - - -`;
}

export interface IronicNodeSnapshot {
  uuid: string;
  name: string;
  provisionState: string;
  previousProvisionState: string;
  targetProvisionState: string | null;
  powerState: string;
  event: string;
  resourceClass: string;
  lessee: string | null;
  instanceUuid: string | null;
  lastError: string | null;
  maintenance: boolean;
}

/**
 * An ironic versioned notification in its oslo.messaging v2 envelope body (what a notification
 * listener on `ironic_versioned_notifications` receives), e.g. `baremetal.node.provision_set.end`.
 */
export function ironicNotification(
  time: number,
  messageId: string,
  eventType: string,
  payloadName: string,
  node: IronicNodeSnapshot,
  conductor: string,
): string {
  return JSON.stringify({
    message_id: messageId,
    publisher_id: `ironic-conductor.${conductor}`,
    event_type: eventType,
    priority: eventType.endsWith('.error') ? 'error' : 'info',
    timestamp: osloTime(time),
    payload: {
      'ironic_object.namespace': 'ironic',
      'ironic_object.name': payloadName,
      'ironic_object.version': '1.16',
      'ironic_object.data': {
        uuid: node.uuid,
        name: node.name,
        driver: 'redfish',
        resource_class: node.resourceClass,
        conductor_group: '',
        console_enabled: false,
        maintenance: node.maintenance,
        maintenance_reason: null,
        fault: null,
        power_state: node.powerState,
        target_power_state: null,
        provision_state: node.provisionState,
        previous_provision_state: node.previousProvisionState,
        target_provision_state: node.targetProvisionState,
        previous_target_provision_state: null,
        provision_updated_at: `${new Date(time).toISOString().slice(0, 19)}+00:00`,
        last_error: node.lastError,
        instance_uuid: node.instanceUuid,
        lessee: node.lessee,
        owner: null,
        event: node.event,
        deploy_interface: 'direct',
        boot_interface: 'redfish-virtual-media',
        network_interface: 'neutron',
        storage_interface: 'cinder',
      },
    },
  });
}

/** A nova versioned `instance.create.error` (or any instance action) notification. */
export function novaInstanceNotification(
  time: number,
  messageId: string,
  eventType: string,
  host: string,
  instance: { uuid: string; project: string; user: string; state: string },
  fault?: { exception: string; message: string },
): string {
  return JSON.stringify({
    message_id: messageId,
    publisher_id: `nova-compute:${host}`,
    event_type: eventType,
    priority: eventType.endsWith('.error') ? 'ERROR' : 'INFO',
    timestamp: osloTime(time),
    payload: {
      'nova_object.name': eventType.endsWith('.error') ? 'InstanceCreatePayload' : 'InstanceActionPayload',
      'nova_object.namespace': 'nova',
      'nova_object.version': '1.12',
      'nova_object.data': {
        uuid: instance.uuid,
        host,
        node: host,
        tenant_id: instance.project,
        user_id: instance.user,
        state: instance.state,
        task_state: null,
        power_state: 'pending',
        fault:
          fault === undefined
            ? null
            : {
                'nova_object.name': 'ExceptionPayload',
                'nova_object.namespace': 'nova',
                'nova_object.version': '1.1',
                'nova_object.data': {
                  exception: fault.exception,
                  exception_message: fault.message,
                  function_name: '_build_and_run_instance',
                  module_name: 'nova.compute.manager',
                  traceback: '',
                },
              },
      },
    },
  });
}

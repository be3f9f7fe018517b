import { readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FaultEvent } from '../../../src/model/event.js';
import { openstackNotificationSource as source } from '../../../src/sources/openstack/notification/index.js';
import { resolveRefs } from '../../../src/sources/openstack/notification/refs.js';
import type { DecodeContext } from '../../../src/sources/types.js';
import { decodeText as decodeWith } from '../../helpers/decode-text.js';
import { fuzzInputs, resultProblem } from '../../helpers/decoder-properties.js';
import { fixturePath, readFixture } from '../../helpers/fixtures.js';

const RECEIVED = '2024-01-01T00:00:00.000Z';

const decodeText = (text: string, ctx: DecodeContext = { receivedAt: RECEIVED }) =>
  decodeWith(source, text, ctx);

function decodeFixture(...parts: string[]): FaultEvent[] {
  const { events, rejected } = decodeText(readFixture('openstack', 'notifications', ...parts));
  expect(rejected, parts.join('/')).toEqual([]);
  return events;
}

/** oslo.messaging's messagingv2 driver: the notification as a JSON string inside the envelope. */
function envelope(doc: unknown): string {
  return JSON.stringify({ 'oslo.version': '2.0', 'oslo.message': JSON.stringify(doc) });
}

describe('nova versioned notifications (fixtures/openstack/notifications/nova)', () => {
  const expectations: Record<string, Record<string, unknown>> = {
    'compute-exception.json': {
      'event.action': 'compute.exception',
      'event.severity': 3,
      'log.level': 'ERROR',
      'service.name': 'nova-api',
      'host.name': 'fake-mini',
      'error.type': 'AggregateNameExists',
      'openstack.exception.function_name': 'aggregate_create',
    },
    'compute_task-build_instances-error.json': {
      'event.action': 'compute_task.build_instances.error',
      'event.severity': 3,
      'event.outcome': 'failure',
      'service.name': 'nova-conductor',
      'cloud.instance.id': 'd5e6a7b7-80e5-4166-85a3-cd6115201082',
      'error.type': 'NoValidHost',
      'error.message': 'No valid host was found. There are not enough hosts available.',
      'openstack.notification.unresolved_ref': [
        'InstanceNUMATopologyPayload.json#',
        'RequestSpecPayload.json#',
      ],
    },
    'instance-create-error.json': {
      'event.action': 'instance.create.error',
      'event.severity': 3,
      'host.name': 'compute',
      'cloud.instance.id': '178b0921-8f85-4257-88b6-2e743b5a975c',
      'cloud.project.id': '6f70656e737461636b20342065766572',
      'user.id': 'fake',
      'openstack.nova.state': 'building',
      'openstack.nova.node': 'fake-mini',
      'error.type': 'FlavorDiskTooSmall',
    },
    'instance-delete-start_compute_down.json': {
      'event.action': 'instance.delete.start',
      'event.severity': 6,
      'service.name': 'nova-api',
      'host.name': 'compute',
      'cloud.instance.id': '178b0921-8f85-4257-88b6-2e743b5a975c',
      'cloud.project.id': '6f70656e737461636b20342065766572',
      'openstack.nova.task_state': 'deleting',
      'openstack.nova.flavor': 'test_flavor',
      'labels.request_id': 'req-5b6c791d-5709-4f36-8fbe-c3e02869e35d',
    },
    'instance-live_migration_rollback-start.json': {
      'event.action': 'instance.live_migration_rollback.start',
      'host.name': 'compute',
      'cloud.instance.id': '178b0921-8f85-4257-88b6-2e743b5a975c',
      'openstack.nova.state': 'active',
    },
    'instance-reboot-error.json': {
      'event.action': 'instance.reboot.error',
      'event.severity': 3,
      'openstack.nova.task_state': 'reboot_started_hard',
      'error.type': 'UnsupportedVirtType',
    },
    'instance-volume_attach-error.json': {
      'event.action': 'instance.volume_attach.error',
      'cloud.instance.id': '0ab886d0-7443-4107-9265-48371bfa662b',
      'error.type': 'CinderConnectionFailed',
      'error.message': 'Connection to cinder host failed: Connection timed out',
    },
    'libvirt-connect-error.json': {
      'event.action': 'libvirt.connect.error',
      'event.severity': 3,
      'host.name': 'compute',
      'host.ip': ['10.0.2.15'],
      'error.type': 'libvirtError',
    },
    'service-update.json': {
      'event.action': 'service.update',
      'event.severity': 6,
      'host.name': 'host1',
      'service.name': 'nova-compute',
      'openstack.nova.service.forced_down': false,
      'openstack.nova.service.last_seen_up': '2012-10-29T13:42:05Z',
    },
  };

  it('covers every nova sample file', () => {
    const files = readdirSync(fixturePath('openstack', 'notifications', 'nova')).filter((f) =>
      f.endsWith('.json'),
    );
    expect(files.sort()).toEqual(Object.keys(expectations).sort());
  });

  it.each(Object.entries(expectations))(
    '%s decodes to one event with its queryable fields',
    (file, fields) => {
      const events = decodeFixture('nova', file);
      expect(events).toHaveLength(1);
      const e = events[0]!;
      expect(e).toMatchObject({
        'event.dataset': 'openstack.notification',
        'cloud.provider': 'openstack',
        'openstack.notification.versioned': true,
        // nova's samples carry no timestamp: the receive time stands in, and says so.
        '@timestamp': RECEIVED,
        'openstack.notification.time_source': 'received',
        ...fields,
      });
      if (e['event.severity'] <= 3) expect(e['event.type']).toEqual(['error']);
    },
  );

  it('resolves $ref the way nova’s tests do: nested refs resolved, overrides deep-merged', () => {
    const doc = JSON.parse(
      readFixture('openstack', 'notifications', 'nova', 'instance-delete-start_compute_down.json'),
    );
    const { value, unresolved } = resolveRefs(doc.payload);
    expect(unresolved).toEqual([]);
    const data = (value as Record<string, Record<string, unknown>>)['nova_object.data']!;
    // The override wins, the referenced InstanceActionPayload adds fault, InstancePayload the rest.
    expect(data.task_state).toBe('deleting');
    expect(data.fault).toBeNull();
    expect(data.uuid).toBe('178b0921-8f85-4257-88b6-2e743b5a975c');
    expect((value as Record<string, unknown>)['nova_object.name']).toBe('InstanceActionPayload');
    expect(data.flavor).toMatchObject({
      'nova_object.name': 'FlavorPayload',
      'nova_object.data': { name: 'test_flavor' },
    });
    expect(data.block_devices).toEqual([
      expect.objectContaining({ 'nova_object.name': 'BlockDevicePayload' }),
    ]);
    expect(JSON.stringify(value)).not.toContain('$ref');
    // The input is untouched.
    expect(doc.payload.$ref).toBe('common_payloads/InstanceActionPayload.json#');
  });

  it('a $ref the built-in table lacks does not crash: it is kept and flagged', () => {
    const r = source.decode(
      JSON.stringify({
        event_type: 'instance.shutdown.end',
        priority: 'INFO',
        publisher_id: 'nova-compute:c1',
        payload: { $ref: 'common_payloads/NoSuchPayload.json#', 'nova_object.data': { host: 'c1' } },
      }),
      {},
    );
    expect(r).toMatchObject({
      ok: true,
      events: [
        {
          'openstack.notification.unresolved_ref': ['common_payloads/NoSuchPayload.json#'],
          'host.name': 'c1',
        },
      ],
    });
  });
});

describe('ironic baremetal.* notifications (fixtures/openstack/notifications/ironic)', () => {
  const node = '1be26c0b-03f2-4d2e-ae87-c02d7f33c123';
  const expectations: Record<string, Record<string, unknown>> = {
    '01_baremetal.chassis.update.end.json': {
      'host.name': 'hostname02',
      'openstack.ironic.resource_uuid': '1910f669-ce8b-43c2-b1d8-cf3d65be815e',
    },
    '02_baremetal.deploy_template.update.end.json': {
      'host.name': 'hostname02',
      'service.name': 'ironic-api',
    },
    '03_baremetal.node.update.end.json': {
      'host.name': node,
      'openstack.ironic.node_uuid': node,
      'openstack.ironic.provision_state': 'deploying',
      'openstack.ironic.target_provision_state': 'active',
      'openstack.ironic.power_state': 'power off',
      'openstack.ironic.maintenance': false,
    },
    '04_baremetal.port.update.end.json': {
      'host.name': '5b236cab-ad4e-4220-b57c-e827e858745a',
      'openstack.ironic.node_uuid': '5b236cab-ad4e-4220-b57c-e827e858745a',
      'openstack.ironic.port.is_smartnic': true,
    },
    '05_baremetal.portgroup.update.end.json': {
      'openstack.ironic.node_uuid': '5b236cab-ad4e-4220-b57c-e827e858745a',
    },
    '06_baremetal.volumeconnector.update.end.json': {
      'openstack.ironic.node_uuid': '4dbb4e69-99a8-4e13-b6e8-dd2ad4a20caf',
    },
    '07_baremetal.node.maintenance_set.start.json': {
      'host.name': node,
      'openstack.ironic.maintenance': true,
      'openstack.ironic.maintenance_reason': 'hw upgrade',
    },
    '08_baremetal.node.console_set.end.json': {
      'service.name': 'ironic-conductor',
      'openstack.ironic.console_enabled': true,
    },
    '09_baremetal.node.power_state_corrected.success.json': {
      'host.name': node,
      'openstack.ironic.power_state': 'power off',
      'openstack.ironic.previous_power_state': 'power on',
      'cloud.instance.id': 'd6ea00c1-1f94-4e95-90b3-3462d7031678',
      'event.outcome': 'success',
    },
    '10_baremetal.node.provision_set.start.json': {
      'openstack.ironic.provision_state': 'deploying',
      'openstack.ironic.previous_provision_state': 'available',
      'openstack.ironic.event': 'deploy',
    },
  };

  it.each(Object.entries(expectations))('%s', (file, fields) => {
    const events = decodeFixture('ironic', file);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      'event.action': file.replace(/^\d+_/, '').replace(/\.json$/, ''),
      'event.severity': 6,
      'log.level': 'INFO',
      ...fields,
    });
  });

  it('the provisioning step reads as a state change in the message', () => {
    const [e] = decodeFixture('ironic', '10_baremetal.node.provision_set.start.json');
    expect(e!.message).toBe(
      `baremetal.node.provision_set.start: node ${node}: provision available → deploying, power power off`,
    );
  });

  it('a node fault raises the severity to warning', () => {
    const doc = JSON.parse(
      readFixture('openstack', 'notifications', 'ironic', '03_baremetal.node.update.end.json'),
    );
    doc.payload['ironic_object.data'].fault = 'power failure';
    doc.payload['ironic_object.data'].name = 'rack3-node17';
    const r = source.decode(JSON.stringify(doc), {});
    expect(r).toMatchObject({
      ok: true,
      events: [
        { 'event.severity': 4, 'openstack.ironic.fault': 'power failure', 'host.name': 'rack3-node17' },
      ],
    });
  });
});

describe('masakari notifications (fixtures/openstack/notifications/masakari)', () => {
  const files = readdirSync(fixturePath('openstack', 'notifications', 'masakari')).filter((f) =>
    f.endsWith('.json'),
  );

  it('decodes all 26 files, one event each (the list response holds one notification)', () => {
    expect(files).toHaveLength(26);
    for (const f of files) expect(decodeFixture('masakari', f), f).toHaveLength(1);
  });

  it('versioned notifications carry oslo’s UTC timestamp, message id and publisher', () => {
    const [e] = decodeFixture('masakari', 'notification_samples__create-host-end.json');
    expect(e).toMatchObject({
      '@timestamp': '2018-11-27T13:09:30.737Z',
      'event.action': 'host.create.end',
      'openstack.notification.message_id': 'e437834a-73e1-4c47-939a-83f6aca2e7ac',
      'service.name': 'masakari-api',
      'host.name': 'fake-mini',
      'openstack.masakari.segment': 'test',
    });
    expect(e!['openstack.notification.time_source']).toBeUndefined();
    const [noPriority] = decodeFixture('masakari', 'notification_samples__create-segment-start.json');
    expect(noPriority).toMatchObject({ 'event.severity': 6, 'event.action': 'segment.create.start' });
    expect(noPriority!['log.level']).toBeUndefined();
  });

  it('error notifications: segment.create.error and notification.process.error', () => {
    const [segment] = decodeFixture('masakari', 'notification_samples__error-exception.json');
    expect(segment).toMatchObject({
      'event.severity': 3,
      'error.type': 'DBError',
      'event.outcome': 'failure',
    });
    const [processing] = decodeFixture('masakari', 'notification_samples__process-notification-error.json');
    expect(processing).toMatchObject({
      'event.action': 'notification.process.error',
      'event.severity': 3,
      'openstack.masakari.type': 'PROCESS',
      'openstack.masakari.status': 'running',
      'process.name': 'nova-compute',
      'error.message': 'Failed to execute process recovery workflow.',
    });
  });

  it('failure notifications from host monitors: compute host, process and VM', () => {
    const [host] = decodeFixture('masakari', 'api_samples__notifications__host-notification-create-req.json');
    expect(host).toMatchObject({
      '@timestamp': '2017-04-24T08:34:46.000Z',
      'event.action': 'masakari.compute_host.stopped',
      'event.severity': 3,
      'host.name': 'openstack-VirtualBox',
      'openstack.masakari.host_status': 'UNKNOWN',
      'openstack.masakari.cluster_status': 'OFFLINE',
    });
    const [proc] = decodeFixture(
      'masakari',
      'api_samples__notifications__process-notification-create-resp.json',
    );
    expect(proc).toMatchObject({
      'event.action': 'masakari.process.stopped',
      'process.name': 'nova-compute',
      'openstack.masakari.status': 'new',
    });
    const [vm] = decodeFixture('masakari', 'api_samples__notifications__vm-notification-create-req.json');
    expect(vm).toMatchObject({
      '@timestamp': '2017-04-23T07:18:51.523Z',
      'cloud.instance.id': '96ab1c42-668c-4f2d-8689-afa3301d4ee9',
      'openstack.masakari.vir_domain_event': 'STOPPED_DESTROYED',
      'event.severity': 4,
    });
    const [got] = decodeFixture('masakari', 'api_samples__notifications__notification-get-resp.json');
    expect(got!['openstack.masakari.recovery_workflow']).toEqual([
      'StopInstanceTask:SUCCESS',
      'StartInstanceTask:SUCCESS',
      'ConfirmInstanceActiveTask:SUCCESS',
    ]);
    const [listed] = decodeFixture('masakari', 'api_samples__notifications__notifcations-list-resp.json');
    expect(listed).toMatchObject({
      'event.action': 'masakari.process.stopped',
      'openstack.masakari.notification_uuid': '32bc95ac-858d-460a-b562-7e365391be64',
    });
  });
});

describe('oslo.messaging envelope, legacy notifications, framing', () => {
  it('every fixture wrapped in the messagingv2 envelope decodes to the same fields', () => {
    for (const dir of ['nova', 'ironic', 'masakari']) {
      for (const f of readdirSync(fixturePath('openstack', 'notifications', dir)).filter((x) =>
        x.endsWith('.json'),
      )) {
        const text = readFixture('openstack', 'notifications', dir, f);
        const bare = decodeText(text).events[0]!;
        const r = source.decode(envelope(JSON.parse(text)), { receivedAt: RECEIVED });
        if (!r.ok) throw new Error(`${dir}/${f}: ${r.reason}`);
        const wrapped = r.events[0]!;
        const strip = (e: FaultEvent) => {
          const { 'event.original': _o, 'event.id': _i, ...rest } = e;
          return rest;
        };
        expect(strip(wrapped), `${dir}/${f}`).toEqual(strip(bare));
      }
    }
  });

  it('legacy unversioned notifications with oslo _context_ keys', () => {
    // Generated in the shape nova's legacy compute.instance.* notifications had (no fixture exists).
    const legacy = {
      message_id: '0a3b5f1e-6d2c-4f8a-9b1d-2c4e6a8b0d2f',
      event_type: 'compute.instance.create.end',
      publisher_id: 'compute.compute-07',
      priority: 'INFO',
      timestamp: '2026-03-01 12:34:56.789012',
      _context_project_id: '5f0c1d2e3a4b5c6d7e8f9a0b1c2d3e4f',
      _context_user_id: 'a1b2c3',
      _context_request_id: 'req-0a3b5f1e',
      payload: {
        instance_id: '7c1e9a4b-3d5f-4a2c-8e6b-1f3a5c7e9b0d',
        host: 'compute-07',
        state: 'active',
        memory_mb: 2048,
      },
    };
    const r = source.decode(envelope(legacy), {});
    expect(r).toMatchObject({
      ok: true,
      events: [
        {
          '@timestamp': '2026-03-01T12:34:56.789Z',
          'event.action': 'compute.instance.create.end',
          'service.name': 'compute',
          'host.name': 'compute-07',
          'cloud.instance.id': '7c1e9a4b-3d5f-4a2c-8e6b-1f3a5c7e9b0d',
          'cloud.project.id': '5f0c1d2e3a4b5c6d7e8f9a0b1c2d3e4f',
          'user.id': 'a1b2c3',
          'labels.request_id': 'req-0a3b5f1e',
          'openstack.notification.versioned': false,
          'openstack.legacy.state': 'active',
        },
      ],
    });
  });

  it('maps every oslo priority to a syslog severity', () => {
    const sev = (priority: string) =>
      (
        source.decode(JSON.stringify({ event_type: 'x.y', priority, payload: {} }), {}) as {
          events: FaultEvent[];
        }
      ).events[0]!['event.severity'];
    expect(
      ['DEBUG', 'INFO', 'AUDIT', 'WARN', 'WARNING', 'ERROR', 'CRITICAL', 'SAMPLE', 'info', 'bogus'].map(sev),
    ).toEqual([7, 6, 5, 4, 4, 3, 2, 6, 6, 6]);
  });

  it('frames NDJSON and lists of notifications; each list member gets its own id', () => {
    const a = JSON.parse(
      readFixture('openstack', 'notifications', 'masakari', 'notification_samples__create-host-start.json'),
    );
    const b = JSON.parse(
      readFixture('openstack', 'notifications', 'masakari', 'notification_samples__create-host-end.json'),
    );
    const ndjson = decodeText(`${JSON.stringify(a)}\n${envelope(b)}\n`);
    expect(ndjson.events.map((e) => e['event.action'])).toEqual(['host.create.start', 'host.create.end']);
    const list = source.decode(JSON.stringify([a, b]), {});
    expect(list.ok && list.events.map((e) => e['event.action'])).toEqual([
      'host.create.start',
      'host.create.end',
    ]);
    expect(list.ok && new Set(list.events.map((e) => e['event.id'])).size).toBe(2);
  });

  it('rejects with reason and JSON path', () => {
    expect(source.decode('{"event_type": ', {})).toMatchObject({
      ok: false,
      path: '$',
      reason: expect.stringMatching(/^invalid JSON/),
    });
    expect(source.decode('{"payload": {}}', {})).toEqual({
      ok: false,
      reason: 'not an OpenStack notification: no event_type',
      path: '$',
    });
    expect(source.decode('{"oslo.version": "2.0", "oslo.message": 7}', {})).toEqual({
      ok: false,
      reason: 'oslo.message is not a JSON string',
      path: '$["oslo.message"]',
    });
    expect(source.decode('{"oslo.version": "2.0", "oslo.message": "{nope"}', {})).toMatchObject({
      ok: false,
      path: '$["oslo.message"]',
    });
    expect(source.decode('[{"event_type": "a"}, 3]', {})).toEqual({
      ok: false,
      reason: 'expected a JSON object',
      path: '$[1]',
    });
    expect(source.decode('{"notification": {"payload": {}}}', {})).toMatchObject({
      ok: false,
      path: '$.notification.type',
    });
  });
});

describe('openstack-notification properties', () => {
  const ctx: DecodeContext = { host: 'prop-host', receivedAt: RECEIVED };
  const sample = readFixture('openstack', 'notifications', 'nova', 'instance-reboot-error.json');

  it('random text, random JSON and truncated documents never throw', () => {
    fc.assert(
      fc.property(
        fuzzInputs(sample),
        (s) => resultProblem(source.decode(s, ctx), 'openstack.notification') === undefined,
      ),
      { numRuns: 1500 },
    );
  });

  it('notifications with random payloads, priorities, timestamps and $refs never throw', () => {
    const anyJson = fc.jsonValue();
    fc.assert(
      fc.property(
        fc.record({
          event_type: fc.oneof(
            fc.string({ minLength: 1 }),
            fc.constantFrom('baremetal.node.update.end', 'instance.create.error'),
          ),
          priority: anyJson,
          timestamp: fc.oneof(
            anyJson,
            fc.date({ noInvalidDate: true }).map((d) => d.toISOString().replace('T', ' ')),
          ),
          publisher_id: anyJson,
          payload: fc.oneof(
            anyJson,
            fc.record({ 'nova_object.data': anyJson, 'nova_object.name': anyJson }),
            fc.record({
              'ironic_object.data': fc.dictionary(
                fc.constantFrom('uuid', 'name', 'fault', 'provision_state', 'maintenance'),
                anyJson,
              ),
            }),
            fc.record({
              $ref: fc.oneof(fc.string(), fc.constant('common_payloads/InstancePayload.json#')),
              'nova_object.data': anyJson,
            }),
          ),
        }),
        fc.boolean(),
        (n, wrap) =>
          resultProblem(
            source.decode(wrap ? envelope(n) : JSON.stringify(n), ctx),
            'openstack.notification',
          ) === undefined,
      ),
      { numRuns: 1500 },
    );
  });
});

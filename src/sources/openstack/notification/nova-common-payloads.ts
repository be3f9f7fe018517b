/**
 * nova's shared notification sample payloads, `doc/notification_samples/common_payloads/*.json` of
 * openstack/nova (Apache-2.0), compiled in once from the fixtures (commits per file in
 * fixtures/openstack/notifications/nova/files.tsv). nova's own samples point at them with
 * `{"$ref": "common_payloads/X.json#", …overrides}`; real traffic never carries `$ref`, so this
 * table only has to cover what the samples use. Two refs inside ComputeTaskPayload
 * (RequestSpecPayload, InstanceNUMATopologyPayload) are not among the fixtures, so they stay
 * unresolved and are flagged rather than guessed.
 */
// Generated from the fixture JSON: regenerate rather than edit by hand, so the two stay identical.

export const NOVA_COMMON_PAYLOADS: Readonly<Record<string, unknown>> = deepFreeze({
  // common_payloads/BlockDevicePayload.json @ 4b783a206c91
  BlockDevicePayload: {
    'nova_object.data': {
      boot_index: null,
      delete_on_termination: false,
      device_name: '/dev/sdb',
      tag: null,
      volume_id: 'a07f71dc-8151-4e7d-a0cc-cd24a3f11113',
    },
    'nova_object.name': 'BlockDevicePayload',
    'nova_object.namespace': 'nova',
    'nova_object.version': '1.0',
  },
  // common_payloads/ComputeTaskPayload.json @ f12144e9baee
  ComputeTaskPayload: {
    'nova_object.version': '1.0',
    'nova_object.namespace': 'nova',
    'nova_object.name': 'ComputeTaskPayload',
    'nova_object.data': {
      instance_uuid: 'd5e6a7b7-80e5-4166-85a3-cd6115201082',
      reason: {
        $ref: 'ExceptionPayload.json#',
      },
      request_spec: {
        $ref: 'RequestSpecPayload.json#',
        'nova_object.data': {
          flavor: {
            'nova_object.data': {
              extra_specs: {
                'hw:numa_cpus.0': '0',
                'hw:numa_mem.0': '512',
                'hw:numa_nodes': '1',
              },
            },
          },
          numa_topology: {
            $ref: 'InstanceNUMATopologyPayload.json#',
          },
        },
      },
      state: 'error',
    },
  },
  // common_payloads/ExceptionPayload.json @ fe4e47d9899b
  ExceptionPayload: {
    'nova_object.version': '1.1',
    'nova_object.namespace': 'nova',
    'nova_object.name': 'ExceptionPayload',
    'nova_object.data': {
      function_name: '_schedule_instances',
      module_name: 'nova.conductor.manager',
      exception: 'NoValidHost',
      exception_message: 'No valid host was found. There are not enough hosts available.',
      traceback: 'Traceback (most recent call last):\n  File "nova/conductor/manager.py", line ...',
    },
  },
  // common_payloads/FlavorPayload.json @ 48259c2bd728
  FlavorPayload: {
    'nova_object.name': 'FlavorPayload',
    'nova_object.data': {
      flavorid: 'a22d5517-147c-4147-a0d1-e698df5cd4e3',
      name: 'test_flavor',
      root_gb: 1,
      vcpus: 1,
      ephemeral_gb: 0,
      memory_mb: 512,
      disabled: false,
      rxtx_factor: 1.0,
      extra_specs: {
        'hw:watchdog_action': 'disabled',
      },
      projects: null,
      swap: 0,
      is_public: true,
      vcpu_weight: 0,
      description: null,
    },
    'nova_object.version': '1.4',
    'nova_object.namespace': 'nova',
  },
  // common_payloads/InstanceActionPayload.json @ 0e48e7b1d2ee
  InstanceActionPayload: {
    $ref: 'InstancePayload.json',
    'nova_object.data': {
      fault: null,
    },
    'nova_object.name': 'InstanceActionPayload',
    'nova_object.namespace': 'nova',
    'nova_object.version': '1.5',
  },
  // common_payloads/InstancePayload.json @ 2bca6431e69b
  InstancePayload: {
    'nova_object.data': {
      architecture: 'x86_64',
      availability_zone: 'nova',
      block_devices: [
        {
          $ref: 'BlockDevicePayload.json#',
        },
      ],
      created_at: '2012-10-29T13:42:11Z',
      deleted_at: null,
      display_name: 'some-server',
      display_description: 'some-server',
      host: 'compute',
      host_name: 'some-server',
      ip_addresses: [
        {
          $ref: 'IpPayload.json#',
        },
      ],
      kernel_id: '',
      key_name: 'my-key',
      launched_at: '2012-10-29T13:42:11Z',
      image_uuid: '155d900f-4e14-4e4c-a73d-069cbf4541e6',
      metadata: {},
      locked: false,
      node: 'fake-mini',
      os_type: null,
      progress: 0,
      ramdisk_id: '',
      reservation_id: 'r-npxv0e40',
      state: 'active',
      task_state: null,
      power_state: 'running',
      tenant_id: '6f70656e737461636b20342065766572',
      terminated_at: null,
      auto_disk_config: 'MANUAL',
      flavor: {
        $ref: 'FlavorPayload.json#',
      },
      updated_at: '2012-10-29T13:42:11Z',
      user_id: 'fake',
      uuid: '178b0921-8f85-4257-88b6-2e743b5a975c',
      request_id: 'req-5b6c791d-5709-4f36-8fbe-c3e02869e35d',
      action_initiator_user: 'fake',
      action_initiator_project: '6f70656e737461636b20342065766572',
    },
    'nova_object.name': 'InstancePayload',
    'nova_object.namespace': 'nova',
    'nova_object.version': '1.7',
  },
  // common_payloads/IpPayload.json @ 4b783a206c91
  IpPayload: {
    'nova_object.name': 'IpPayload',
    'nova_object.namespace': 'nova',
    'nova_object.version': '1.0',
    'nova_object.data': {
      mac: 'fa:16:3e:4c:2c:30',
      address: '192.168.1.3',
      port_uuid: 'ce531f90-199f-48c0-816c-13e38010b442',
      meta: {},
      version: 4,
      label: 'private-network',
      device_name: 'tapce531f90-19',
    },
  },
});

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

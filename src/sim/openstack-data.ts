import type { Random } from './random.js';

/*
 * What the simulator's OpenStack logs are made of, derived from the Loghub OpenStack 2k sample
 * (logpai/loghub dd61d0952749ee7963bde24220d1be5ede023033, `OpenStack_2k.log_structured.csv` and
 * `OpenStack_2k.log_templates.csv`; copied with provenance in test/fixtures/loghub/). Kept here are the
 * event templates (nova's own log format strings, from nova's Apache-2.0 source), the logger and
 * level each one is written with, the order and spacing of an instance's lifecycle, the periods of
 * the periodic tasks and five-number summaries of the numeric values — statistics, not records.
 * The error templates of a failed build are not in that normal-run sample; they are nova's
 * (nova/compute/manager.py).
 */

export interface LogTemplate {
  /** Loghub event id (E1…E43); `X…` for the error templates taken from nova's source. */
  id: string;
  template: string;
  logger: string;
  level: 'INFO' | 'WARNING' | 'ERROR';
  service: 'nova-compute' | 'nova-api' | 'nova-scheduler';
}

const compute = (id: string, logger: string, template: string, level: LogTemplate['level'] = 'INFO') =>
  ({ id, template, logger, level, service: 'nova-compute' }) as const;

export const TEMPLATES = {
  claimAttempt: compute(
    'E1',
    'nova.compute.claims',
    '[instance: <*>] Attempting claim: memory <*> MB, disk <*> GB, vcpus <*> CPU',
  ),
  claimOk: compute('E2', 'nova.compute.claims', '[instance: <*>] Claim successful'),
  creatingImage: compute('E3', 'nova.virt.libvirt.driver', '[instance: <*>] Creating image'),
  deletingFiles: compute('E4', 'nova.virt.libvirt.driver', '[instance: <*>] Deleting instance files <*>'),
  deletionComplete: compute('E5', 'nova.virt.libvirt.driver', '[instance: <*>] Deletion of <*> complete'),
  diskLimit: compute(
    'E6',
    'nova.compute.claims',
    '[instance: <*>] disk limit not specified, defaulting to unlimited',
  ),
  pendingSpawn: compute(
    'E7',
    'nova.compute.manager',
    '[instance: <*>] During sync_power_state the instance has a pending task (spawning). Skip.',
  ),
  destroyed: compute('E8', 'nova.virt.libvirt.driver', '[instance: <*>] Instance destroyed successfully.'),
  spawned: compute('E9', 'nova.virt.libvirt.driver', '[instance: <*>] Instance spawned successfully.'),
  memoryLimit: compute('E10', 'nova.compute.claims', '[instance: <*>] memory limit: <*> MB, free: <*> MB'),
  terminating: compute('E11', 'nova.compute.manager', '[instance: <*>] Terminating instance'),
  tookBuild: compute('E12', 'nova.compute.manager', '[instance: <*>] Took <*> seconds to build instance.'),
  tookDeallocate: compute(
    'E13',
    'nova.compute.manager',
    '[instance: <*>] Took <*> seconds to deallocate network for instance.',
  ),
  tookDestroy: compute(
    'E14',
    'nova.compute.manager',
    '[instance: <*>] Took <*> seconds to destroy the instance on the hypervisor.',
  ),
  tookSpawn: compute(
    'E15',
    'nova.compute.manager',
    '[instance: <*>] Took <*> seconds to spawn the instance on the hypervisor.',
  ),
  totalDisk: compute('E16', 'nova.compute.claims', '[instance: <*>] Total disk: <*> GB, used: <*> GB'),
  totalMemory: compute('E17', 'nova.compute.claims', '[instance: <*>] Total memory: <*> MB, used: <*> MB'),
  totalVcpu: compute('E18', 'nova.compute.claims', '[instance: <*>] Total vcpu: <*> VCPU, used: <*> VCPU'),
  vcpuLimit: compute(
    'E19',
    'nova.compute.claims',
    '[instance: <*>] vcpu limit not specified, defaulting to unlimited',
  ),
  vmPaused: compute('E20', 'nova.compute.manager', '[instance: <*>] VM Paused (Lifecycle Event)'),
  vmResumed: compute('E21', 'nova.compute.manager', '[instance: <*>] VM Resumed (Lifecycle Event)'),
  vmStarted: compute('E22', 'nova.compute.manager', '[instance: <*>] VM Started (Lifecycle Event)'),
  vmStopped: compute('E23', 'nova.compute.manager', '[instance: <*>] VM Stopped (Lifecycle Event)'),
  apiRequest: {
    id: 'E25',
    template: '<*> "<*> <*> HTTP/1.1" status: <*> len: <*> time: <*>',
    logger: 'nova.osapi_compute.wsgi.server',
    level: 'INFO',
    service: 'nova-api',
  },
  metadataRequest: {
    id: 'E25',
    template: '<*> "GET <*> HTTP/1.1" status: <*> len: <*> time: <*>',
    logger: 'nova.metadata.wsgi.server',
    level: 'INFO',
    service: 'nova-api',
  },
  activeBase: compute('E27', 'nova.virt.libvirt.imagecache', 'Active base files: <*>'),
  auditing: compute(
    'E28',
    'nova.compute.resource_tracker',
    'Auditing locally available compute resources for node <*>',
  ),
  serviceUpdated: compute('E30', 'nova.compute.resource_tracker', 'Compute_service record updated for <*>'),
  vifPlugged: {
    id: 'E31',
    template: 'Creating event network-vif-plugged:<*> for instance <*>',
    logger: 'nova.api.openstack.compute.server_external_events',
    level: 'INFO',
    service: 'nova-api',
  },
  finalResourceView: compute(
    'E32',
    'nova.compute.resource_tracker',
    'Final resource view: name=<*> phys_ram=<*>MB used_ram=<*>MB phys_disk=<*>GB used_disk=<*>GB total_vcpus=<*> used_vcpus=<*> pci_stats=[]',
  ),
  noInstancesForEvent: {
    id: 'E33',
    template: 'HTTP exception thrown: No instances found for any event',
    logger: 'nova.api.openstack.wsgi',
    level: 'INFO',
    service: 'nova-api',
  },
  imageChecking: compute('E34', 'nova.virt.libvirt.imagecache', 'image <*> at (<*>): checking'),
  imageInUse: compute(
    'E35',
    'nova.virt.libvirt.imagecache',
    'image <*> at (<*>): in use: on this node <*> local, <*> on other nodes sharing this instance storage',
  ),
  removableBase: compute('E36', 'nova.virt.libvirt.imagecache', 'Removable base files: <*>'),
  unknownBase: compute('E42', 'nova.virt.libvirt.imagecache', 'Unknown base file: <*>', 'WARNING'),
  usableVcpus: compute(
    'E41',
    'nova.compute.resource_tracker',
    'Total usable vcpus: <*>, total allocated vcpus: <*>',
  ),
  syncedInstances: {
    id: 'E39',
    template: "Successfully synced instances from host '<*>'.",
    logger: 'nova.scheduler.host_manager',
    level: 'INFO',
    service: 'nova-scheduler',
  },
  // A failed build (not in the normal-run sample): nova/compute/manager.py.
  spawnFailed: compute('X1', 'nova.compute.manager', '[instance: <*>] Instance failed to spawn', 'ERROR'),
  buildFailed: compute(
    'X2',
    'nova.compute.manager',
    '[instance: <*>] Build of instance <*> aborted: <*>',
    'ERROR',
  ),
} satisfies Record<string, LogTemplate>;

/** Fills the `<*>` slots of a template in order. */
export function fill(template: string, values: readonly (string | number)[]): string {
  let i = 0;
  return template.replace(/<\*>/g, () => String(values[i++] ?? '-'));
}

/** Five-number summary (min, q1, median, q3, max) of a value in the sample. */
export type Quantiles = readonly [number, number, number, number, number];

/** A draw from the piecewise-linear distribution through the five quantiles. */
export function sample(random: Random, q: Quantiles): number {
  const u = random.float() * 4;
  const i = Math.min(3, Math.floor(u));
  return q[i]! + (q[i + 1]! - q[i]!) * (u - i);
}

/** Value distributions measured on the sample (seconds unless named otherwise). */
export const DISTRIBUTIONS = {
  buildSeconds: [19.79, 20.14, 20.71, 20.89, 21.25],
  spawnSeconds: [18.98, 19.32, 19.74, 20.09, 20.47],
  destroySeconds: [0.99, 1.0, 1.02, 1.03, 1.11],
  deallocateSeconds: [0.45, 0.46, 0.47, 0.53, 0.58],
  apiGetSeconds: [0.0573, 0.2544, 0.2641, 0.273, 0.4555],
  apiPostSeconds: [0.0793, 0.0901, 0.097, 0.4846, 0.7117],
  apiDeleteSeconds: [0.2509, 0.256, 0.264, 0.2801, 0.3043],
  metadataSeconds: [0.000546, 0.000954, 0.219173, 0.229658, 0.466847],
  metadataLen: [117, 124, 157, 264, 967],
  /** Gap between two `GET /servers/detail` polls of one API worker (723 in 14m47s). */
  apiPollGapSeconds: [0.9, 1.1, 1.2, 1.3, 1.6],
} as const satisfies Record<string, Quantiles>;

/**
 * An instance's lifecycle on nova-compute, as offsets (seconds) from the claim, medians over the
 * sample's 21 complete lifecycles: claim and image, start, spawn, then the tenant deletes it.
 */
export const BUILD_SEQUENCE: readonly (readonly [number, keyof typeof TEMPLATES])[] = [
  [0.0, 'claimAttempt'],
  [0.0, 'totalMemory'],
  [0.0, 'memoryLimit'],
  [0.0, 'totalDisk'],
  [0.0, 'diskLimit'],
  [0.0, 'totalVcpu'],
  [0.0, 'vcpuLimit'],
  [0.04, 'claimOk'],
  [0.61, 'creatingImage'],
  [13.42, 'vmStarted'],
  [13.49, 'vmPaused'],
  [13.61, 'pendingSpawn'],
  [20.56, 'vmResumed'],
  [20.57, 'spawned'],
  [20.57, 'tookSpawn'],
  [20.7, 'tookBuild'],
];
export const DELETE_SEQUENCE: readonly (readonly [number, keyof typeof TEMPLATES])[] = [
  [0.0, 'terminating'],
  [0.3, 'destroyed'],
  [0.98, 'deletingFiles'],
  [0.98, 'deletionComplete'],
  [1.12, 'tookDestroy'],
  [1.64, 'tookDeallocate'],
  [15.3, 'vmStopped'],
];

/** Periodic tasks of nova-compute and their periods in the sample (resource audit 60 s, image cache 40 s). */
export const PERIODS = { auditSeconds: 60, imageCacheSeconds: 40, schedulerSyncSeconds: 121 } as const;

/** Claim sizes seen in the sample (flavor m1.small) and the host's resources it reports. */
export const FLAVOR = { memoryMb: 2048, diskGb: 20, vcpus: 1 } as const;

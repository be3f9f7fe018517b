import type { ComponentView, NodeView, PortView } from '../model/topology.js';
import type { Random } from './random.js';

/*
 * The simulated fleet's inventory: racks of bare-metal nodes, each with a BMC, a DPU and its ports,
 * CPUs, DIMMs, PSUs, fans and disks, with serial numbers and the labels printed on the board. Part
 * ids are spelled the way the decoders spell them in `hw.id` (src/sources/bmc/component.ts:
 * `CPU0_DIMM_A1`, `PSU1`, `FAN3`; SMART disks by serial), so the engine can join telemetry to parts
 * without knowing the data is simulated.
 */

export interface SimTenant {
  /** The tenant id (`cloud.account.id` after enrichment). */
  id: string;
  name: string;
  /** OpenStack project id (hex, as keystone writes it) the tenant's instances run under. */
  projectId: string;
  userId: string;
  /** Relative demand: how many of the fleet's leases this tenant tends to hold. */
  demand: number;
  /** The tenant network's segment (VXLAN VNI) and address block. */
  vni: number;
  subnet: [number, number];
}

export interface SimPort extends PortView {
  /** ifIndex the DPU reports in flow records (`in_if`). */
  ifIndex: number;
  mac: string;
  /** Line rate in bits per second. */
  speedBps: number;
}

export interface SimNode extends NodeView {
  rack: string;
  resourceClass: string;
  /** Ironic node UUID. */
  uuid: string;
  bmcAddress: string;
  /** Host address on the provisioning network. */
  ip: string;
  dpu: { id: string; serial: string; model: string; pciAddress: string; ports: SimPort[] };
  components: ComponentView[];
}

export interface SimFleet {
  nodes: SimNode[];
  tenants: SimTenant[];
  racks: string[];
  /** OpenStack control-plane hosts (nova-api, nova-scheduler, nova-conductor). */
  controllers: string[];
}

export interface FleetOptions {
  nodes: number;
  tenants: number;
  nodesPerRack?: number;
}

export const RESOURCE_CLASSES = [
  { name: 'baremetal.general', dimmsPerChannel: 1, cores: 32, memoryGb: 256 },
  { name: 'baremetal.memory', dimmsPerChannel: 2, cores: 48, memoryGb: 1024 },
] as const;

const CHANNELS = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'];
const TENANT_NAMES = [
  'acme',
  'globex',
  'initech',
  'umbrella',
  'hooli',
  'stark',
  'wayne',
  'tyrell',
  'cyberdyne',
  'soylent',
  'wonka',
  'oscorp',
  'vandelay',
  'aperture',
  'blackmesa',
  'gringotts',
  'monarch',
  'nakatomi',
  'pied-piper',
  'massive-dynamic',
];

export const DPU_PCI_ADDRESS = '0000:03:00.0';

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function mac(random: Random): string {
  const bytes = ['b8', 'ce', 'f6'];
  for (let i = 0; i < 3; i++) bytes.push(random.hex(2));
  return bytes.join(':');
}

function nodeComponents(random: Random, dimmsPerChannel: number): ComponentView[] {
  const parts: ComponentView[] = [];
  for (let cpu = 0; cpu < 2; cpu++) {
    parts.push({
      id: `CPU${cpu}`,
      type: 'cpu',
      location: `CPU${cpu}`,
      serial: random.serial('', 16),
      manufacturer: 'Intel',
      model: 'Xeon Gold 6338',
    });
    for (const ch of CHANNELS) {
      for (let slot = 1; slot <= dimmsPerChannel; slot++) {
        parts.push({
          id: `CPU${cpu}_DIMM_${ch}${slot}`,
          type: 'memory',
          // Inspur/Lenovo silkscreen: socket, channel letter, slot (CPU0_G1).
          location: `CPU${cpu}_${ch}${slot}`,
          serial: random.serial('', 8),
          manufacturer: random.pick(['Samsung', 'SK Hynix', 'Micron']),
          model: '32GB DDR4-3200 RDIMM',
        });
      }
    }
  }
  for (let psu = 1; psu <= 2; psu++) {
    parts.push({
      id: `PSU${psu}`,
      type: 'power_supply',
      location: `PSU${psu}`,
      serial: random.serial('D', 13),
      manufacturer: 'Delta',
      model: 'DPS-1600AB',
    });
  }
  for (let fan = 1; fan <= 6; fan++) {
    parts.push({ id: `FAN${fan}`, type: 'fan', location: `FAN${fan}`, serial: random.serial('F', 10) });
  }
  // SMART names disks by serial (hw.id), the board by the slot.
  const boot = random.serial('', 12);
  parts.push({
    id: boot,
    type: 'physical_disk',
    location: 'M.2_1',
    serial: boot,
    manufacturer: 'Micron',
    model: 'Micron_5300_MTFDDAV480TDS',
  });
  const data = `PHLJ${random.serial('', 8)}4P0DGN`;
  parts.push({
    id: data,
    type: 'physical_disk',
    location: 'NVMe0',
    serial: data,
    manufacturer: 'Intel',
    model: 'INTEL SSDPE2KX040T8',
  });
  return parts;
}

/** Builds the fleet an operator would have enrolled: deterministic in the random stream. */
export function buildFleet(random: Random, options: FleetOptions): SimFleet {
  const perRack = options.nodesPerRack ?? 20;
  const width = Math.max(3, String(options.nodes).length);
  const rackCount = Math.ceil(options.nodes / perRack);
  const racks = Array.from({ length: rackCount }, (_, i) => `r${pad(i + 1, 2)}`);
  const nodes: SimNode[] = [];
  for (let i = 0; i < options.nodes; i++) {
    const rack = racks[Math.floor(i / perRack)]!;
    const slot = (i % perRack) + 1;
    const cls = random.chance(0.25) ? RESOURCE_CLASSES[1] : RESOURCE_CLASSES[0];
    const id = `bm-${pad(i + 1, width)}`;
    const ports: SimPort[] = [0, 1].map((p) => ({
      name: `p${p}`,
      switchPort: `tor-${rack}-${p === 0 ? 'a' : 'b'}:Ethernet${slot * 4 - 4}`,
      vnis: [],
      ifIndex: p + 1,
      mac: mac(random),
      speedBps: 100e9,
    }));
    nodes.push({
      id,
      rack,
      resourceClass: cls.name,
      uuid: random.uuid(),
      bmcAddress: `10.1.${Math.floor(i / 250)}.${(i % 250) + 2}`,
      ip: `10.2.${Math.floor(i / 250)}.${(i % 250) + 2}`,
      dpu: {
        id: `${id}-dpu`,
        serial: random.serial('MT', 10),
        model: 'BlueField-3 B3220',
        pciAddress: DPU_PCI_ADDRESS,
        ports,
      },
      components: nodeComponents(random, cls.dimmsPerChannel),
    });
  }
  const tenants: SimTenant[] = [];
  for (let t = 0; t < options.tenants; t++) {
    const base = TENANT_NAMES[t % TENANT_NAMES.length]!;
    const name = t < TENANT_NAMES.length ? base : `${base}-${Math.floor(t / TENANT_NAMES.length) + 1}`;
    tenants.push({
      id: `tenant-${pad(t + 1, 2)}`,
      name,
      projectId: random.hex(32),
      userId: random.hex(32),
      // A few large tenants and a long tail, as in any cloud.
      demand: 1 / (t + 1) ** 0.8,
      vni: 10000 + t + 1,
      subnet: [10 + Math.floor(t / 250), t % 250],
    });
  }
  return { nodes, tenants, racks, controllers: ['ctl-1', 'ctl-2', 'ctl-3'] };
}

export function componentsOf(node: SimNode, type: ComponentView['type']): ComponentView[] {
  return node.components.filter((c) => c.type === type);
}

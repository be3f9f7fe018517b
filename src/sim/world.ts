import type { SimFleet, SimNode } from './fleet.js';
import { type SelRow, selElistLine } from './formats/sel.js';
import type { DiskHealth } from './formats/smart.js';
import { rfc5424Line } from './formats/syslog.js';
import type { Random } from './random.js';
import type { NodeState, PortCounters, SimRecord, SimWorld } from './types.js';

function freshCounters(): PortCounters {
  return {
    rxBytes: 0,
    txBytes: 0,
    rxPackets: 0,
    txPackets: 0,
    rxDropped: 0,
    txDropped: 0,
    rxErrors: 0,
    rxCrcErrors: 0,
    rxMissed: 0,
    carrierChanges: 1,
    up: true,
  };
}

function disksOf(node: SimNode, random: Random): Map<string, DiskHealth> {
  const disks = new Map<string, DiskHealth>();
  for (const c of node.components) {
    if (c.type !== 'physical_disk') continue;
    const nvme = c.location.startsWith('NVMe');
    const hours = random.between(2000, 30000);
    disks.set(c.id, {
      serial: c.id,
      model: c.model ?? 'disk',
      kind: nvme ? 'nvme' : 'ata',
      device: nvme ? '/dev/nvme0' : '/dev/sda',
      powerOnHours: hours,
      powerCycles: Math.floor(hours / 400) + random.int(5, 40),
      temperature: random.between(30, 42),
      // A stable handful of reallocated sectors on a working drive: about 1% of Backblaze's operational
      // drives report SMART 5 above zero ("What SMART Stats Tell Us About Hard Drives", 2016; the 4%
      // there is any of five attributes). Such a disk alerts (DiskPredictiveFailure) without failing.
      reallocated: random.chance(0.011) ? random.int(1, 8) : 0,
      pending: 0,
      spare: 100,
      mediaErrors: 0,
      percentUsed: Math.floor(hours / 1500),
      failed: false,
    });
  }
  return disks;
}

export function createWorld(fleet: SimFleet, random: Random, emit: (record: SimRecord) => void): SimWorld {
  const nodes = new Map<string, NodeState>();
  for (const node of fleet.nodes) {
    nodes.set(node.id, {
      node,
      phase: 'available',
      lease: undefined,
      powered: true,
      ports: new Map(node.dpu.ports.map((p) => [p.name, freshCounters()])),
      selId: 1,
      portLoad: new Map(),
      disks: disksOf(node, random),
    });
  }
  return { fleet, nodes, emit };
}

export function stateOf(world: SimWorld, node: SimNode | string): NodeState {
  const id = typeof node === 'string' ? node : node.id;
  const state = world.nodes.get(id);
  if (state === undefined) throw new Error(`unknown simulated node ${id}`);
  return state;
}

/** Appends a row to the node's SEL (the BMC numbers records itself) and emits its elist line. */
export function emitSel(world: SimWorld, state: NodeState, row: Omit<SelRow, 'id'>): void {
  const id = state.selId;
  state.selId = state.selId >= 0xffff ? 1 : state.selId + 1;
  world.emit({
    time: row.time,
    source: 'ipmi-sel',
    host: state.node.id,
    payload: selElistLine({ ...row, id }),
  });
}

export function emitSyslog(
  world: SimWorld,
  host: string,
  time: number,
  facility: number,
  severity: number,
  app: string,
  message: string,
  pid?: number,
): void {
  world.emit({
    time,
    source: 'syslog',
    host,
    payload: rfc5424Line(time, facility, severity, host, app, message, pid),
  });
}

/** Times t = phase + k·period that fall in [from, to). */
export function* periodic(from: number, to: number, period: number, phase: number): Generator<number> {
  let k = Math.ceil((from - phase) / period);
  for (let t = phase + k * period; t < to; t = phase + ++k * period) yield t;
}

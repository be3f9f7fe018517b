import type { HwType } from '../model/event.js';
import { FaultlineError } from '../shared/errors.js';
import { isUniqueViolation } from './fleet-repository.js';
import type { FleetService } from './fleet-service.js';
import type { Component, Dpu } from './model.js';

type Json = Record<string, unknown>;

const obj = (v: unknown): Json | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
const link = (v: unknown): string | undefined => str(obj(v)?.['@odata.id']);
const links = (v: unknown): string[] =>
  Array.isArray(v) ? v.map(link).filter((x): x is string => x !== undefined) : [];

/** What a technician reads next to the part: Redfish `Location.PartLocation.ServiceLabel` first. */
function serviceLabel(r: Json): string | undefined {
  return str(obj(obj(r.Location)?.PartLocation)?.ServiceLabel);
}

const PROCESSOR_TYPES: Record<string, HwType> = {
  CPU: 'cpu',
  GPU: 'gpu',
  FPGA: 'pcie',
  DSP: 'pcie',
  Accelerator: 'pcie',
};

/** A Redfish client over one service: GETs relative to its origin, with a clear error per resource. */
class RedfishReader {
  readonly origin: string;
  constructor(
    url: string,
    private readonly auth?: { username: string; password: string },
  ) {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new FaultlineError('FAULTLINE_VALIDATION', `not a URL: ${url}`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:')
      throw new FaultlineError(
        'FAULTLINE_VALIDATION',
        `a Redfish service is reached over http(s), not ${u.protocol}`,
      );
    this.origin = u.origin;
  }

  async get(path: string): Promise<Json> {
    const url = new URL(path, this.origin).toString();
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.auth !== undefined)
      headers.authorization = `Basic ${Buffer.from(`${this.auth.username}:${this.auth.password}`).toString('base64')}`;
    let res: Response;
    try {
      res = await fetch(url, { headers, signal: AbortSignal.timeout(15_000) });
    } catch (error) {
      throw new FaultlineError(
        'FAULTLINE_UNAVAILABLE',
        `Redfish service unreachable at ${url}: ${(error as Error).message}`,
      );
    }
    if (!res.ok) throw new FaultlineError('FAULTLINE_UNAVAILABLE', `Redfish GET ${url}: HTTP ${res.status}`);
    const body = obj(await res.json().catch(() => undefined));
    if (body === undefined)
      throw new FaultlineError('FAULTLINE_UNAVAILABLE', `Redfish GET ${url}: not a JSON object`);
    return body;
  }

  /** Members of a collection resource (each fetched), or [] when the link is absent or broken. */
  async members(collection: string | undefined): Promise<Json[]> {
    if (collection === undefined) return [];
    const c = await this.get(collection).catch(() => undefined);
    if (c === undefined) return [];
    const out: Json[] = [];
    for (const m of links(c.Members)) {
      const r = await this.get(m).catch(() => undefined);
      if (r !== undefined) out.push(r);
    }
    return out;
  }
}

function component(id: string, type: HwType, r: Json, fallbackLocation: string): Component {
  const c: Component = { id, type, location: serviceLabel(r) ?? fallbackLocation };
  const serial = str(r.SerialNumber);
  const manufacturer = str(r.Manufacturer);
  const model = str(r.Model);
  if (serial !== undefined) c.serial = serial;
  if (manufacturer !== undefined) c.manufacturer = manufacturer;
  if (model !== undefined) c.model = model;
  const detail: Record<string, unknown> = {};
  for (const k of [
    'PartNumber',
    'CapacityMiB',
    'CapacityBytes',
    'TotalCores',
    'MaxSpeedMHz',
    'PowerCapacityWatts',
    'MediaType',
    'Protocol',
    'FirmwareVersion',
  ])
    if (r[k] !== undefined && r[k] !== null) detail[k] = r[k];
  const health = str(obj(r.Status)?.Health);
  if (health !== undefined) detail.Health = health;
  if (Object.keys(detail).length > 0) c.detail = detail;
  return c;
}

interface SystemInventory {
  id: string;
  bmcAddress: string;
  rack?: string;
  components: Component[];
  dpu?: Dpu;
}

/** Every chassis a system sits in, and what those contain (cards, sleds), without repeats. */
async function chassisOf(rf: RedfishReader, system: Json): Promise<Json[]> {
  const seen = new Set<string>();
  const out: Json[] = [];
  const queue = links(obj(system.Links)?.Chassis);
  while (queue.length > 0) {
    const path = queue.shift()!;
    if (seen.has(path)) continue;
    seen.add(path);
    const c = await rf.get(path).catch(() => undefined);
    if (c === undefined) continue;
    out.push(c);
    queue.push(...links(obj(c.Links)?.Contains));
  }
  return out;
}

async function readSystem(
  rf: RedfishReader,
  system: Json,
  dpuSystems: Map<string, Json>,
): Promise<SystemInventory> {
  const sysId = str(system.Id) ?? 'system';
  const components: Component[] = [];
  for (const p of await rf.members(link(system.Processors))) {
    const id = str(p.Id) ?? `${components.length}`;
    const type = PROCESSOR_TYPES[str(p.ProcessorType) ?? 'CPU'] ?? 'cpu';
    components.push(component(`Processor.${id}`, type, p, str(p.Socket) ?? id));
  }
  for (const m of await rf.members(link(system.Memory))) {
    const id = str(m.Id) ?? `${components.length}`;
    components.push(component(`Memory.${id}`, 'memory', m, str(m.DeviceLocator) ?? id));
  }
  for (const s of await rf.members(link(system.Storage)))
    for (const d of links(s.Drives)) {
      const drive = await rf.get(d).catch(() => undefined);
      if (drive !== undefined)
        components.push(component(`Drive.${str(drive.Id) ?? d}`, 'physical_disk', drive, str(drive.Id) ?? d));
    }
  let rack: string | undefined;
  let dpu: Dpu | undefined;
  for (const ch of await chassisOf(rf, system)) {
    const chId = str(ch.Id) ?? 'chassis';
    rack ??= str(obj(obj(ch.Location)?.Placement)?.Rack);
    const psus = (
      await rf.members(`${link(ch.PowerSubsystem) ?? ''}/PowerSupplies`.replace(/^\/PowerSupplies$/, ''))
    ).concat(
      Array.isArray(obj(await rf.get(link(ch.Power) ?? '').catch(() => undefined))?.PowerSupplies)
        ? ((await rf.get(link(ch.Power)!)).PowerSupplies as Json[])
        : [],
    );
    for (const p of psus) {
      const id = str(p.Id) ?? str(p.MemberId) ?? `${components.length}`;
      components.push(component(`PowerSupply.${chId}.${id}`, 'power_supply', p, str(p.Name) ?? id));
    }
    const fans = (await rf.members(`${link(ch.ThermalSubsystem) ?? ''}/Fans`.replace(/^\/Fans$/, ''))).concat(
      Array.isArray(obj(await rf.get(link(ch.Thermal) ?? '').catch(() => undefined))?.Fans)
        ? ((await rf.get(link(ch.Thermal)!)).Fans as Json[])
        : [],
    );
    for (const f of fans) {
      const id = str(f.Id) ?? str(f.MemberId) ?? `${components.length}`;
      components.push(component(`Fan.${chId}.${id}`, 'fan', f, str(f.Name) ?? id));
    }
    for (const d of await rf.members(link(ch.Drives))) {
      const id = str(d.Id) ?? `${components.length}`;
      if (
        !components.some(
          (c) => c.type === 'physical_disk' && c.serial !== undefined && c.serial === str(d.SerialNumber),
        )
      )
        components.push(component(`Drive.${chId}.${id}`, 'physical_disk', d, str(d.Name) ?? id));
    }
    const dpuSystem = links(obj(ch.Links)?.ComputerSystems)
      .map((l) => dpuSystems.get(l))
      .find((s) => s !== undefined);
    for (const a of await rf.members(link(ch.NetworkAdapters))) {
      const id = str(a.Id) ?? `${components.length}`;
      const ports = await rf.members(link(a.Ports) ?? link(a.NetworkPorts));
      if (dpuSystem !== undefined && dpu === undefined) {
        dpu = {
          id: str(dpuSystem.Id) ?? id,
          ports: ports.map((p, i) => ({
            name: str(p.Id) ?? str(p.PortId) ?? lastSegment(str(p['@odata.id'])) ?? `p${i}`,
          })),
        };
        const serial = str(dpuSystem.SerialNumber) ?? str(a.SerialNumber);
        const model = str(a.Model) ?? str(dpuSystem.Model);
        if (serial !== undefined) dpu.serial = serial;
        if (model !== undefined) dpu.model = model;
        components.push(component(`NetworkAdapter.${chId}.${id}`, 'dpu', a, str(ch.Name) ?? chId));
      } else {
        components.push(component(`NetworkAdapter.${chId}.${id}`, 'network', a, str(a.Name) ?? id));
      }
    }
  }
  const inv: SystemInventory = {
    id: str(system.HostName) ?? sysId,
    bmcAddress: new URL(str(system['@odata.id']) ?? `/redfish/v1/Systems/${sysId}`, rf.origin).toString(),
    components,
  };
  if (rack !== undefined) inv.rack = rack;
  if (dpu !== undefined) inv.dpu = dpu;
  return inv;
}

function lastSegment(path: string | undefined): string | undefined {
  return path?.split('/').filter(Boolean).pop();
}

/** Reads every host system of a Redfish service (DPU systems become the host's DPU). */
export async function readRedfishInventory(
  url: string,
  auth?: { username: string; password: string },
): Promise<SystemInventory[]> {
  const rf = new RedfishReader(url, auth);
  const root = await rf.get('/redfish/v1');
  const systems = await rf.members(link(root.Systems) ?? '/redfish/v1/Systems');
  if (systems.length === 0)
    throw new FaultlineError('FAULTLINE_VALIDATION', `no ComputerSystem at ${rf.origin}/redfish/v1/Systems`);
  const dpuSystems = new Map<string, Json>();
  for (const s of systems) if (str(s.SystemType) === 'DPU') dpuSystems.set(str(s['@odata.id']) ?? '', s);
  const out: SystemInventory[] = [];
  for (const s of systems) if (str(s.SystemType) !== 'DPU') out.push(await readSystem(rf, s, dpuSystems));
  return out;
}

/**
 * `faultline fleet import-redfish <url>` and `POST /v1/nodes/import-redfish`: enrolls each host
 * system as a node (id = its HostName), or replaces the inventory of a node that exists.
 */
export async function importRedfish(
  fleet: FleetService,
  url: string,
  options: { resourceClass?: string; rack?: string; username?: string; password?: string } = {},
): Promise<{ nodes: { id: string; created: boolean; components: number }[] }> {
  const auth =
    options.username === undefined
      ? undefined
      : { username: options.username, password: options.password ?? '' };
  const systems = await readRedfishInventory(url, auth);
  const nodes: { id: string; created: boolean; components: number }[] = [];
  for (const s of systems) {
    const exists = (await fleet.repo.node(s.id)) !== undefined;
    if (exists) {
      await fleet.setInventory(s.id, {
        components: s.components,
        ...(s.dpu === undefined ? {} : { dpu: s.dpu }),
      });
    } else {
      try {
        const rack = options.rack ?? s.rack;
        await fleet.createNode({
          id: s.id,
          resourceClass: options.resourceClass ?? 'baremetal',
          bmcAddress: s.bmcAddress,
          components: s.components,
          ...(rack === undefined ? {} : { rack }),
          ...(s.dpu === undefined ? {} : { dpu: s.dpu }),
        });
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
      }
    }
    nodes.push({ id: s.id, created: !exists, components: s.components.length });
  }
  return { nodes };
}

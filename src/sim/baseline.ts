import type { SimNode } from './fleet.js';
import { counterLine, flowLine } from './formats/dpu.js';
import { type OsloLevel, osloLine, requestContext } from './formats/openstack.js';
import { smartctlJson } from './formats/smart.js';
import { DAEMON, KERN } from './formats/syslog.js';
import {
  BUILD_SEQUENCE,
  DELETE_SEQUENCE,
  DISTRIBUTIONS,
  FLAVOR,
  fill,
  type LogTemplate,
  PERIODS,
  sample,
  TEMPLATES,
} from './openstack-data.js';
import type { Random } from './random.js';
import type { NodeState, SimProcess, SimWorld } from './types.js';
import { emitSyslog, periodic } from './world.js';

/*
 * The telemetry a healthy fleet sends all the time, at the rates its agents would: DPU port counters
 * every minute, flow records every minute, nova-compute's periodic tasks and instance churn, the API
 * servers' request logs, SMART polls every 30 minutes, and the background noise of real hosts (benign
 * daemon lines, a stray corrected ECC error now and then). Faults add to this; they never replace it.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** A phase in [0, period) per node, drawn once, so that nodes do not all report in the same millisecond. */
function phases(random: Random, nodes: readonly SimNode[], period: number): Map<string, number> {
  return new Map(nodes.map((n) => [n.id, random.float() * period]));
}

function isServing(state: NodeState): boolean {
  return state.powered && state.lease !== undefined && state.phase === 'active';
}

/** Mean traffic now: the lease's level, a day curve (peak mid-afternoon UTC) and the faults' extra load. */
function trafficBps(state: NodeState, port: string, at: number, lineRate: number): number {
  const lease = state.lease;
  const hour = (at / HOUR) % 24;
  const day = 0.65 + 0.35 * Math.sin(((hour - 9) / 24) * 2 * Math.PI);
  // p0 carries the tenant's data plane, p1 storage (the cloud disk) and management.
  const share = port === 'p0' ? 0.7 : 0.3;
  const base = lease !== undefined && state.phase === 'active' ? lease.trafficBps * day * share : 2e5;
  const extra = (state.portLoad.get(port) ?? 0) * lineRate;
  return Math.min(lineRate, base + extra);
}

export class PortCounterProcess implements SimProcess {
  readonly name = 'dpu-metrics';
  // Prometheus's default scrape interval: what an operator scraping DPU exporters gets out of the box.
  private readonly period = MINUTE;
  private readonly phase: Map<string, number>;
  private readonly last = new Map<string, number>();

  constructor(
    private readonly random: Random,
    nodes: readonly SimNode[],
  ) {
    this.phase = phases(random, nodes, this.period);
  }

  step(world: SimWorld, from: number, to: number): void {
    for (const state of world.nodes.values()) {
      const node = state.node;
      for (const t of periodic(from, to, this.period, this.phase.get(node.id)!)) {
        const dt = (t - (this.last.get(node.id) ?? t - this.period)) / SECOND;
        this.last.set(node.id, t);
        // The DPU draws its power from the host's PCIe slot: a dark host has a dark DPU.
        if (!state.powered) continue;
        for (const port of node.dpu.ports) {
          const c = state.ports.get(port.name)!;
          if (c.up) {
            const bps = trafficBps(state, port.name, t, port.speedBps);
            const rx = (bps * dt * this.random.between(0.9, 1.1)) / 8;
            const tx = (bps * dt * this.random.between(0.8, 1.0)) / 8;
            c.rxBytes += Math.round(rx);
            c.txBytes += Math.round(tx);
            c.rxPackets += Math.round(rx / 900);
            c.txPackets += Math.round(tx / 900);
            c.rxDropped += this.random.poisson(dt * 0.002);
            const load = state.portLoad.get(port.name) ?? 0;
            if (load > 0) {
              // A saturated port drops what its buffers cannot hold.
              c.txDropped += this.random.poisson(dt * load * 4000);
              c.rxMissed += this.random.poisson(dt * load * 1500);
            }
          }
          const gauges: Record<string, number> = { speed_mbps: port.speedBps / 1e6 };
          if (port.name === 'p0') gauges.temperature_c = Math.round(this.random.normal(62, 2));
          world.emit({
            time: t,
            source: 'dpu-metrics',
            host: node.id,
            payload: counterLine(t, node.id, node.dpu.id, port.name, c, gauges),
          });
        }
      }
    }
  }
}

const SERVICE_PORTS = [443, 443, 443, 80, 5432, 6379, 9092, 3306, 8080, 2379];

export class FlowProcess implements SimProcess {
  readonly name = 'dpu-flow';
  private readonly period = MINUTE;
  private readonly phase: Map<string, number>;
  private sequence = 0;

  constructor(
    private readonly random: Random,
    nodes: readonly SimNode[],
  ) {
    this.phase = phases(random, nodes, this.period);
  }

  step(world: SimWorld, from: number, to: number): void {
    for (const state of world.nodes.values()) {
      if (!isServing(state)) continue;
      const node = state.node;
      const lease = state.lease!;
      const tenant = lease.tenant;
      const index = Number(node.id.replace(/\D/g, ''));
      const self = `10.${tenant.subnet[0]}.${tenant.subnet[1]}.${(index % 250) + 2}`;
      for (const t of periodic(from, to, this.period, this.phase.get(node.id)!)) {
        const p0 = node.dpu.ports[0]!;
        const volume = (trafficBps(state, 'p0', t, p0.speedBps) * 60) / 8;
        const flows = this.random.int(2, 5);
        for (let f = 0; f < flows; f++) {
          const external = this.random.chance(0.3);
          const dst = external
            ? `203.0.113.${this.random.int(1, 254)}`
            : `10.${tenant.subnet[0]}.${tenant.subnet[1]}.${this.random.int(2, 251)}`;
          const bytes = Math.max(64, Math.round((volume / flows) * this.random.between(0.3, 1.7)));
          const start = t - this.random.int(5, 59) * SECOND;
          world.emit({
            time: t,
            source: 'dpu-flow',
            host: node.id,
            payload: flowLine({
              start,
              end: t,
              src: self,
              dst,
              srcPort: this.random.int(32768, 60999),
              dstPort: this.random.pick(SERVICE_PORTS),
              proto: this.random.chance(0.9) ? 6 : 17,
              bytes,
              packets: Math.max(1, Math.round(bytes / 900)),
              vni: tenant.vni,
              inIf: p0.ifIndex,
              exporter: node.ip,
              sequence: ++this.sequence,
              host: node.id,
              dpu: node.dpu.id,
            }),
          });
        }
      }
    }
  }
}

interface Line {
  time: number;
  template: LogTemplate;
  values: (string | number)[];
  context: string;
}

/** Writes oslo.log lines of nova services. */
export function emitNova(world: SimWorld, host: string, pid: number, line: Line, level?: OsloLevel): void {
  world.emit({
    time: line.time,
    source: 'openstack-log',
    host,
    payload: osloLine(
      line.time,
      pid,
      level ?? line.template.level,
      line.template.logger,
      line.context,
      fill(line.template.template, line.values),
    ),
  });
}

const COMPUTE_PID = 2931;
const API_PID = 25746;
const API_HOST = 'ctl-1';

/**
 * nova-compute on each leased node (the tenants run the operator's OpenStack on their nodes): the
 * resource audit every minute, the image cache manager, and instances built and deleted at the
 * sample's pace, with the nova-api lines the same actions cause on the controller.
 */
export class NovaComputeProcess implements SimProcess {
  readonly name = 'openstack-log';
  private readonly auditPhase: Map<string, number>;
  private readonly cachePhase: Map<string, number>;
  private readonly nextBuild = new Map<string, number>();
  private readonly instances = new Map<string, { uuid: string; end: number }[]>();
  private readonly pollPhase: number;

  constructor(
    private readonly random: Random,
    nodes: readonly SimNode[],
  ) {
    this.auditPhase = phases(random, nodes, PERIODS.auditSeconds * SECOND);
    this.cachePhase = phases(random, nodes, PERIODS.imageCacheSeconds * SECOND);
    this.pollPhase = random.float() * SECOND;
  }

  private req(): string {
    return `req-${this.random.uuid()}`;
  }

  step(world: SimWorld, from: number, to: number): void {
    for (const state of world.nodes.values()) {
      if (!isServing(state)) {
        this.nextBuild.delete(state.node.id);
        continue;
      }
      this.audit(world, state, from, to);
      this.imageCache(world, state, from, to);
      this.churn(world, state, from, to);
    }
    this.apiPolls(world, from, to);
  }

  private audit(world: SimWorld, state: NodeState, from: number, to: number): void {
    const node = state.node;
    const host = node.id;
    const cores = node.resourceClass === 'baremetal.memory' ? 48 : 32;
    const ramMb = node.resourceClass === 'baremetal.memory' ? 1031891 : 257763;
    const running = this.instances.get(host)?.length ?? 0;
    for (const t of periodic(from, to, PERIODS.auditSeconds * SECOND, this.auditPhase.get(host)!)) {
      const context = requestContext(this.req());
      const line = (dt: number, template: LogTemplate, values: (string | number)[]) =>
        emitNova(world, host, COMPUTE_PID, { time: t + dt, template, values, context });
      line(0, TEMPLATES.auditing, [host]);
      line(410, TEMPLATES.usableVcpus, [cores, running]);
      line(455, TEMPLATES.finalResourceView, [
        host,
        ramMb,
        512 + running * FLAVOR.memoryMb,
        1787,
        running * FLAVOR.diskGb,
        cores,
        running,
      ]);
      line(528, TEMPLATES.serviceUpdated, [`${host}:${host}`]);
    }
  }

  private imageCache(world: SimWorld, state: NodeState, from: number, to: number): void {
    const host = state.node.id;
    const base = '/var/lib/nova/instances/_base/a489c868f0c37da93b76227c91bb03908ac0e742';
    for (const t of periodic(from, to, PERIODS.imageCacheSeconds * SECOND, this.cachePhase.get(host)!)) {
      const context = requestContext(this.req());
      const running = this.instances.get(host)?.length ?? 0;
      emitNova(world, host, COMPUTE_PID, {
        time: t,
        template: TEMPLATES.imageChecking,
        values: ['0673dd71-34c5-4fbb-86c4-40623fbe45b4', base],
        context,
      });
      emitNova(world, host, COMPUTE_PID, {
        time: t + 2,
        template: TEMPLATES.imageInUse,
        values: ['0673dd71-34c5-4fbb-86c4-40623fbe45b4', base, running, 0],
        context,
      });
      emitNova(world, host, COMPUTE_PID, {
        time: t + 5,
        template: TEMPLATES.activeBase,
        values: [base],
        context,
      });
    }
  }

  private churn(world: SimWorld, state: NodeState, from: number, to: number): void {
    const host = state.node.id;
    const lease = state.lease!;
    const list = this.instances.get(host) ?? [];
    this.instances.set(host, list);
    // Deletions of instances whose time is up.
    for (let i = list.length - 1; i >= 0; i--) {
      const inst = list[i]!;
      if (inst.end >= to) continue;
      list.splice(i, 1);
      const context = requestContext(this.req(), lease.tenant.userId, lease.tenant.projectId);
      this.api(
        world,
        inst.end - 300,
        'DELETE',
        `/v2/${lease.tenant.projectId}/servers/${inst.uuid}`,
        204,
        203,
      );
      for (const [dt, key] of DELETE_SEQUENCE) {
        const tpl = TEMPLATES[key];
        const values: (string | number)[] = [inst.uuid];
        if (key === 'deletingFiles') values.push(`/var/lib/nova/instances/${inst.uuid}_del`);
        if (key === 'deletionComplete') values.push(`/var/lib/nova/instances/${inst.uuid}_del`);
        if (key === 'tookDestroy') values.push(sample(this.random, DISTRIBUTIONS.destroySeconds).toFixed(2));
        if (key === 'tookDeallocate')
          values.push(sample(this.random, DISTRIBUTIONS.deallocateSeconds).toFixed(2));
        emitNova(world, host, COMPUTE_PID, { time: inst.end + dt * SECOND, template: tpl, values, context });
      }
    }
    let next = this.nextBuild.get(host) ?? from + this.random.exponential(45 * MINUTE);
    while (next < to) {
      const uuid = this.random.uuid();
      const life = Math.min(6 * HOUR, this.random.exponential(70 * MINUTE)) + 2 * MINUTE;
      list.push({ uuid, end: next + life });
      this.build(world, state, next, uuid);
      next += this.random.exponential(45 * MINUTE);
    }
    this.nextBuild.set(host, next);
  }

  /** The build of one instance: the sample's sequence, its timings and the API calls around it. */
  private build(world: SimWorld, state: NodeState, at: number, uuid: string): void {
    const host = state.node.id;
    const tenant = state.lease!.tenant;
    const context = requestContext(this.req(), tenant.userId, tenant.projectId);
    this.api(world, at - 1200, 'POST', `/v2/${tenant.projectId}/servers`, 202, 733);
    const ramMb = state.node.resourceClass === 'baremetal.memory' ? 1031891 : 257763;
    for (const [dt, key] of BUILD_SEQUENCE) {
      const tpl = TEMPLATES[key];
      let values: (string | number)[] = [uuid];
      if (key === 'claimAttempt') values = [uuid, FLAVOR.memoryMb, FLAVOR.diskGb, FLAVOR.vcpus];
      else if (key === 'totalMemory') values = [uuid, ramMb, '512.00'];
      else if (key === 'memoryLimit')
        values = [uuid, (ramMb * 1.5).toFixed(2), (ramMb * 1.5 - 512).toFixed(2)];
      else if (key === 'totalDisk') values = [uuid, 1787, '0.00'];
      else if (key === 'totalVcpu') values = [uuid, 32, '0.00'];
      else if (key === 'tookSpawn')
        values = [uuid, sample(this.random, DISTRIBUTIONS.spawnSeconds).toFixed(2)];
      else if (key === 'tookBuild')
        values = [uuid, sample(this.random, DISTRIBUTIONS.buildSeconds).toFixed(2)];
      emitNova(world, host, COMPUTE_PID, { time: at + dt * SECOND, template: tpl, values, context });
    }
    const vif = this.random.uuid();
    const plugged = at + 13_400;
    emitNova(world, API_HOST, API_PID, {
      time: plugged,
      template: TEMPLATES.vifPlugged,
      values: [vif, uuid],
      context: requestContext(this.req(), tenant.userId, tenant.projectId),
    });
    this.api(world, plugged + 10, 'POST', `/v2/${tenant.projectId}/os-server-external-events`, 200, 380);
  }

  private api(world: SimWorld, at: number, verb: string, path: string, status: number, len: number): void {
    const q =
      verb === 'POST'
        ? DISTRIBUTIONS.apiPostSeconds
        : verb === 'DELETE'
          ? DISTRIBUTIONS.apiDeleteSeconds
          : DISTRIBUTIONS.apiGetSeconds;
    emitNova(world, API_HOST, API_PID, {
      time: at,
      template: TEMPLATES.apiRequest,
      values: ['10.11.10.1', verb, path, status, len, sample(this.random, q).toFixed(7)],
      context: requestContext(this.req(), this.random.hex(32), this.random.hex(32)),
    });
  }

  /** The monitoring poller's `GET /servers/detail` about once a second, as in the sample. */
  private apiPolls(world: SimWorld, from: number, to: number): void {
    const gap = (DISTRIBUTIONS.apiPollGapSeconds[2] ?? 1.2) * SECOND;
    for (const t of periodic(from, to, gap, this.pollPhase)) {
      const jitter = sample(this.random, DISTRIBUTIONS.apiPollGapSeconds) * SECOND - gap;
      emitNova(world, API_HOST, API_PID, {
        time: Math.max(from, Math.round(t + jitter)),
        template: TEMPLATES.apiRequest,
        values: [
          '10.11.10.1',
          'GET',
          '/v2/54fadb412c4e40cdbaed9335e4c35a9e/servers/detail',
          200,
          1893,
          sample(this.random, DISTRIBUTIONS.apiGetSeconds).toFixed(7),
        ],
        context: requestContext(
          this.req(),
          '113d3a99c3da401fbd62cc2caa5b96d2',
          '54fadb412c4e40cdbaed9335e4c35a9e',
        ),
      });
    }
  }
}

/** smartd-style polls of `smartctl --json --all` for each disk every 30 minutes. */
export class SmartProcess implements SimProcess {
  readonly name = 'smart';
  private readonly period = 30 * MINUTE;
  private readonly phase: Map<string, number>;

  constructor(
    private readonly random: Random,
    nodes: readonly SimNode[],
  ) {
    this.phase = phases(random, nodes, this.period);
  }

  step(world: SimWorld, from: number, to: number): void {
    for (const state of world.nodes.values()) {
      for (const t of periodic(from, to, this.period, this.phase.get(state.node.id)!)) {
        if (!state.powered) continue;
        for (const disk of state.disks.values()) {
          disk.powerOnHours += this.period / HOUR;
          disk.temperature = Math.max(25, Math.min(55, disk.temperature + this.random.normal(0, 0.5)));
          world.emit({ time: t, source: 'smart', host: state.node.id, payload: smartctlJson(t, disk) });
        }
      }
    }
  }
}

const BENIGN_DAEMON_LINES: readonly (readonly [string, string])[] = [
  ['systemd', 'Started Daily apt download activities.'],
  ['systemd', 'logrotate.service: Succeeded.'],
  ['chronyd', 'Selected source 10.0.0.1 (ntp1.mgmt)'],
  ['systemd', 'Starting Cleanup of Temporary Directories...'],
  ['CRON', '(root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)'],
  ['sshd', 'Accepted publickey for ops from 10.0.0.5 port 52210 ssh2: ED25519 SHA256:0sW4v'],
];

/** Share of nodes with a DIMM that logs corrected errors steadily and does not fail (see HostNoiseProcess). */
const HARD_CE_SHARE = 0.08;
/** Their steady rates, log-uniform (per hour): below the 2,000-a-day pace of the DIMM prediction rule. */
const HARD_CE_RATES: readonly [number, number] = [0.2, 40];

/**
 * What real hosts say when nothing is wrong: daemon chatter every ~15 minutes, rare isolated corrected
 * memory errors (about one per node every few days), and on some nodes a DIMM with a hard fault that
 * logs corrected errors at a steady rate without ever failing. The field studies (Schroeder et al.
 * 2009: > 8% of DIMMs and a third of machines see CEs in a year, mostly hard errors that recur; M²-MFP
 * 2025: about 0.6% of CE-reporting DIMMs fail in a month) make these the common case, and a
 * predictor that cries wolf on them is wrong: only an accelerating rate precedes an uncorrectable error.
 */
export class HostNoiseProcess implements SimProcess {
  readonly name = 'host-noise';
  private readonly chatterGap = 15 * MINUTE;
  private readonly strayCeGap = 72 * HOUR;
  /** Per node, the steadily erring DIMM and its rate per ms (undefined: none); drawn once per node. */
  private readonly hardCe = new Map<string, { dimm: string; perMs: number } | undefined>();
  private readonly hardRandom: Random;

  constructor(private readonly random: Random) {
    // Its own stream: the chatter and stray errors stay what they were without it.
    this.hardRandom = random.fork('hard-ce');
  }

  private hardCeOf(state: NodeState): { dimm: string; perMs: number } | undefined {
    if (this.hardCe.has(state.node.id)) return this.hardCe.get(state.node.id);
    let hard: { dimm: string; perMs: number } | undefined;
    if (this.hardRandom.chance(HARD_CE_SHARE)) {
      const dimms = state.node.components.filter((c) => c.type === 'memory');
      const [lo, hi] = HARD_CE_RATES;
      const perHour = Math.exp(this.hardRandom.between(Math.log(lo), Math.log(hi)));
      hard = { dimm: this.hardRandom.pick(dimms).id, perMs: perHour / HOUR };
    }
    this.hardCe.set(state.node.id, hard);
    return hard;
  }

  step(world: SimWorld, from: number, to: number): void {
    const span = to - from;
    for (const state of world.nodes.values()) {
      const hard = this.hardCeOf(state);
      if (!state.powered) continue;
      const host = state.node.id;
      if (hard !== undefined)
        for (let i = this.hardRandom.poisson(span * hard.perMs); i > 0; i--) {
          const t = from + Math.floor(this.hardRandom.float() * span);
          emitSyslog(world, host, t, KERN, 4, 'kernel', edacLine('CE', hard.dimm, this.hardRandom));
        }
      for (let i = this.random.poisson(span / this.chatterGap); i > 0; i--) {
        const [app, message] = this.random.pick(BENIGN_DAEMON_LINES);
        const t = from + Math.floor(this.random.float() * span);
        emitSyslog(world, host, t, DAEMON, 6, app, message, this.random.int(300, 40000));
      }
      if (this.random.chance(span / this.strayCeGap)) {
        const dimms = state.node.components.filter((c) => c.type === 'memory');
        const dimm = this.random.pick(dimms);
        const t = from + Math.floor(this.random.float() * span);
        emitSyslog(world, host, t, KERN, 4, 'kernel', edacLine('CE', dimm.id, this.random));
      }
    }
  }
}

/** The EDAC line the kernel writes for a memory error, with the DIMM label registered by edac-ctl. */
export function edacLine(kind: 'CE' | 'UE', dimmId: string, random: Random, count = 1): string {
  const m = /^CPU(\d+)_DIMM_([A-H])(\d)$/.exec(dimmId);
  const socket = Number(m?.[1] ?? 0);
  const channel = m === null ? 0 : m[2]!.charCodeAt(0) - 65;
  const slot = Number(m?.[3] ?? 1) - 1;
  return `EDAC MC${socket}: ${count} ${kind} memory read error on ${dimmId} (channel:${channel} slot:${slot} page:0x${random.hex(5)} offset:0x${random.hex(3)} grain:32 syndrome:0x0 - area:DRAM err_code:0001:009${channel} socket:${socket} ha:0 channel_mask:${1 << channel} rank:${slot})`;
}

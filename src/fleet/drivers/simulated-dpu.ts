import type { Clock } from '../clock.js';
import { type BmcPower, type BootDevice, type DpuAgent, DriverError, type PowerState } from './types.js';

/** Step durations in ms and the probability that each step fails. */
export interface SimulatedTimings {
  attachDiskMs: number;
  detachDiskMs: number;
  vnicMs: number;
  segmentMs: number;
  powerMs: number;
  /** From power-on to the OS answering on the network: POST plus boot from the cloud disk. */
  bootMs: number;
  /** Relative spread of every duration (0.1 = ±10 %), drawn from `random`. */
  jitter: number;
}

/**
 * Measured on DPU-based bare-metal services (published figures of the providers that boot from
 * cloud disks): a volume attaches in seconds, a server POSTs in 1–2 minutes and boots a cloud image
 * in under a minute. Bench and demo use these; tests pass their own.
 */
export const REALISTIC_TIMINGS: SimulatedTimings = {
  attachDiskMs: 8_000,
  detachDiskMs: 5_000,
  vnicMs: 2_000,
  segmentMs: 1_500,
  powerMs: 3_000,
  bootMs: 95_000,
  jitter: 0.15,
};

export interface SimulatedFailures {
  /** Probability per step name (attach_disk, detach_disk, create_vnic, delete_vnic, program_segment, power, boot). */
  [step: string]: number;
}

/**
 * A simulated DPU fleet and its BMCs in one: the state they would hold (disks, vNICs, segments,
 * power), steps that take time on the injected clock and fail at configured rates. Deterministic
 * given `random`.
 */
export class SimulatedDpuFleet implements DpuAgent, BmcPower {
  private readonly disks = new Map<string, string>();
  private readonly vnics = new Map<string, Set<string>>();
  private readonly segs = new Map<string, Set<string>>();
  private readonly powerStates = new Map<string, PowerState>();
  private readonly boot = new Map<string, BootDevice>();
  /** Every step run, for tests and the bench's breakdown. */
  readonly log: { nodeId: string; step: string; at: number; ms: number; ok: boolean }[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly timings: SimulatedTimings = REALISTIC_TIMINGS,
    private readonly failures: SimulatedFailures = {},
    private readonly random: () => number = Math.random,
  ) {}

  /** Changes a failure rate at run time (fault injection). */
  setFailureRate(step: string, p: number): void {
    this.failures[step] = p;
  }

  private async step(nodeId: string, step: string, ms: number): Promise<void> {
    const spread = 1 + (this.random() * 2 - 1) * this.timings.jitter;
    const d = Math.max(0, Math.round(ms * spread));
    const at = this.clock.now();
    await this.clock.sleep(d);
    const ok = this.random() >= (this.failures[step] ?? 0);
    this.log.push({ nodeId, step, at, ms: d, ok });
    if (!ok) throw new DriverError(step, `simulated ${step} failure on ${nodeId}`);
  }

  async attachDisk(nodeId: string, diskId: string): Promise<void> {
    const current = this.disks.get(nodeId);
    if (current !== undefined && current !== diskId)
      throw new DriverError('attach_disk', `${nodeId} already boots from ${current}`);
    await this.step(nodeId, 'attach_disk', this.timings.attachDiskMs);
    this.disks.set(nodeId, diskId);
  }

  async detachDisk(nodeId: string, diskId: string): Promise<void> {
    if (this.disks.get(nodeId) !== diskId) return;
    await this.step(nodeId, 'detach_disk', this.timings.detachDiskMs);
    this.disks.delete(nodeId);
  }

  async createVnic(nodeId: string, port: string): Promise<void> {
    await this.step(nodeId, 'create_vnic', this.timings.vnicMs);
    setOf(this.vnics, nodeId).add(port);
  }

  async deleteVnic(nodeId: string, port: string): Promise<void> {
    if (!setOf(this.vnics, nodeId).has(port)) return;
    await this.step(nodeId, 'delete_vnic', this.timings.vnicMs);
    setOf(this.vnics, nodeId).delete(port);
  }

  async programSegment(nodeId: string, port: string, vni: number, present: boolean): Promise<void> {
    await this.step(nodeId, 'program_segment', this.timings.segmentMs);
    const key = `${port}\u0000${vni}`;
    if (present) setOf(this.segs, nodeId).add(key);
    else setOf(this.segs, nodeId).delete(key);
  }

  async segments(nodeId: string): Promise<{ port: string; vni: number }[]> {
    return [...setOf(this.segs, nodeId)].map((k) => {
      const [port, vni] = k.split('\u0000');
      return { port: port!, vni: Number(vni) };
    });
  }

  /** Programs a segment without going through the provisioner: what a stale or rogue agent does. */
  injectSegment(nodeId: string, port: string, vni: number): void {
    setOf(this.segs, nodeId).add(`${port}\u0000${vni}`);
  }

  diskOf(nodeId: string): string | undefined {
    return this.disks.get(nodeId);
  }

  async power(bmcAddress: string, action: 'on' | 'off' | 'reboot'): Promise<void> {
    await this.step(bmcAddress, 'power', this.timings.powerMs);
    this.powerStates.set(bmcAddress, action === 'off' ? 'power off' : 'power on');
  }

  async waitForBoot(nodeId: string): Promise<void> {
    await this.step(nodeId, 'boot', this.timings.bootMs);
  }

  async powerState(bmcAddress: string): Promise<PowerState> {
    return this.powerStates.get(bmcAddress) ?? 'power off';
  }

  async setBootDevice(bmcAddress: string, device: BootDevice): Promise<void> {
    this.boot.set(bmcAddress, device);
  }
}

/** A small seeded PRNG (mulberry32): simulations and benches replay exactly from their seed. */
export function seededRandom(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function setOf<K, V>(map: Map<K, Set<V>>, key: K): Set<V> {
  let s = map.get(key);
  if (s === undefined) {
    s = new Set();
    map.set(key, s);
  }
  return s;
}

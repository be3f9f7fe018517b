import { FaultlineError } from '../shared/errors.js';
import { type BmcPower, type DpuAgent, DriverError } from './drivers/types.js';
import { isLeaseOverlap } from './fleet-repository.js';
import type { FleetService } from './fleet-service.js';
import type { Lease, Node } from './model.js';
import { API_VERBS, FAIL_STATES, type ProvisionVerb, TRANSITIONS } from './provision-states.js';

/** One provisioning step: its name (as in events) and what it does; `undo` reverts it on failure. */
interface Step {
  name: string;
  run(): Promise<void>;
  undo?(): Promise<void>;
}

/**
 * Drives nodes through deploy and clean with the DPU agent and the BMC, leases through their life
 * (start → deploy → active; end → clean → available), evacuation to a spare, and the segment
 * invariant. One operation per node at a time (Ironic's conductor lock); a failed step is undone
 * as far as it got and leaves the node in the fail state with the reason, never half-configured.
 */
export class Provisioner {
  private readonly running = new Map<string, Promise<unknown>>();
  private ops = 0;

  constructor(
    private readonly fleet: FleetService,
    private readonly dpu: DpuAgent,
    private readonly bmc: BmcPower,
  ) {}

  /** Serializes work per node; the returned promise settles with `fn`'s outcome. */
  private exclusive<T>(nodeId: string, fn: () => Promise<T>): Promise<T> {
    const before = this.running.get(nodeId) ?? Promise.resolve();
    const next = before.then(fn, fn);
    const tracked = next.catch(() => undefined);
    this.running.set(nodeId, tracked);
    void tracked.then(() => {
      if (this.running.get(nodeId) === tracked) this.running.delete(nodeId);
    });
    return next;
  }

  /** Resolves when no node operation is in flight (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running.values()]);
  }

  private async runSteps(node: Node, steps: Step[]): Promise<{ failed?: { step: string; reason: string } }> {
    const done: Step[] = [];
    for (const s of steps) {
      const t0 = this.fleet.clock.now();
      try {
        await s.run();
        await this.fleet.recordStep(node.id, s.name, 'success', this.fleet.clock.now() - t0);
        done.push(s);
      } catch (error) {
        const reason = `${s.name}: ${error instanceof Error ? error.message : String(error)}`;
        await this.fleet.recordStep(node.id, s.name, 'failure', this.fleet.clock.now() - t0, { reason });
        for (const d of done.reverse()) {
          // Best effort: a step that cannot be undone is reported by the invariant check later.
          await d.undo?.().catch(() => undefined);
        }
        return { failed: { step: s.name, reason } };
      }
    }
    return {};
  }

  private async vnis(lease: Lease): Promise<number[]> {
    const out: number[] = [];
    for (const id of lease.networkIds) {
      const n = await this.fleet.repo.network(id);
      if (n !== undefined) out.push(n.vni);
    }
    return out;
  }

  private async deploySteps(node: Node, lease: Lease): Promise<{ before: Step[]; boot: Step[] }> {
    const ports = (await this.fleet.repo.dpu(node.id))?.ports.map((p) => p.name) ?? [];
    const vnis = await this.vnis(lease);
    const before: Step[] = [
      {
        name: 'attach_disk',
        run: () => this.dpu.attachDisk(node.id, lease.diskId),
        undo: () => this.dpu.detachDisk(node.id, lease.diskId),
      },
    ];
    for (const port of ports) {
      before.push({
        name: 'create_vnic',
        run: () => this.dpu.createVnic(node.id, port),
        undo: () => this.dpu.deleteVnic(node.id, port),
      });
      for (const vni of vnis) before.push(this.segmentStep(node.id, port, vni, true));
    }
    const bmc = node.bmcAddress ?? node.id;
    before.push({ name: 'set_boot_device', run: () => this.bmc.setBootDevice(bmc, 'disk') });
    before.push({
      name: 'power_on',
      run: async () => {
        await this.bmc.power(bmc, 'on');
        await this.fleet.setPowerState(node.id, 'power on');
      },
      undo: async () => {
        await this.bmc.power(bmc, 'off');
        await this.fleet.setPowerState(node.id, 'power off');
      },
    });
    return { before, boot: [{ name: 'boot', run: () => this.dpu.waitForBoot(node.id) }] };
  }

  private segmentStep(nodeId: string, port: string, vni: number, present: boolean): Step {
    const apply = async (on: boolean) => {
      await this.dpu.programSegment(nodeId, port, vni, on);
      await this.fleet.work(async (w) => {
        await w.repo.setSegment(nodeId, port, vni, on, w.at);
        w.events.push({
          type: on ? 'segment.program' : 'segment.remove',
          at: w.at,
          node_id: nodeId,
          port,
          vni,
        });
      });
    };
    return { name: 'program_segment', run: () => apply(present), undo: () => apply(!present) };
  }

  /**
   * Nodes stuck in a transient state (a deploy, clean, inspection or teardown that no process is
   * driving any more: the one that started it stopped) are failed with the reason once they have
   * been there `olderThanMs`, as Ironic's callback timeouts do (30 min by default): never left
   * half-configured and silent. A time bound, not "everything at start-up", because another replica
   * may be driving the node right now. A deploy's active lease ends in `error`, as on any failed
   * deploy. Returns the nodes it failed.
   */
  async failStuck(olderThanMs = 30 * 60_000): Promise<Node[]> {
    const cutoff = Date.parse(this.fleet.nowIso()) - olderThanMs;
    const stuck = (await this.fleet.repo.nodes()).filter(
      (n) =>
        TRANSITIONS.fail[n.provisionState] !== undefined &&
        !this.running.has(n.id) &&
        Date.parse(n.updatedAt) < cutoff,
    );
    const failed: Node[] = [];
    for (const node of stuck) {
      const reason = `stuck in ${node.provisionState} since ${node.updatedAt}: the operation was interrupted`;
      failed.push(
        await this.exclusive(node.id, () =>
          this.fleet.work(async (w) => {
            const after = await this.fleet.transitionIn(w, node.id, 'fail', { reason });
            if (node.provisionState === 'deploying' || node.provisionState === 'wait call-back') {
              const [lease] = await w.repo.leases({ nodeId: node.id, status: ['active'] });
              if (lease !== undefined) await this.fleet.endLeaseIn(w, lease, 'error', reason);
            }
            return after;
          }),
        ),
      );
    }
    return failed;
  }

  /** Deploys a node for an active lease; on failure the node is `deploy failed` and the lease `error`. */
  deploy(lease: Lease): Promise<Node> {
    return this.exclusive(lease.nodeId, async () => {
      let node = await this.fleet.transition(lease.nodeId, 'deploy', {
        detail: { lease_id: lease.id, tenant_id: lease.tenantId },
      });
      const { before, boot } = await this.deploySteps(node, lease);
      let outcome = await this.runSteps(node, before);
      if (outcome.failed === undefined) {
        node = await this.fleet.transition(node.id, 'wait');
        outcome = await this.runSteps(node, boot);
        if (outcome.failed === undefined) node = await this.fleet.transition(node.id, 'resume');
        else
          await this.runSteps(
            node,
            [...before].reverse().flatMap((s) => (s.undo ? [{ name: `undo_${s.name}`, run: s.undo }] : [])),
          );
      }
      if (outcome.failed !== undefined) {
        const reason = outcome.failed.reason;
        return this.fleet.work(async (w) => {
          const failed = await this.fleet.transitionIn(w, node.id, 'fail', {
            reason,
            detail: { step: outcome.failed!.step },
          });
          const current = await w.repo.lease(lease.id);
          if (current !== undefined && current.status === 'active')
            await this.fleet.endLeaseIn(w, current, 'error', reason);
          return failed;
        });
      }
      return this.fleet.transition(node.id, 'done', {
        detail: { lease_id: lease.id, tenant_id: lease.tenantId },
      });
    });
  }

  /** Takes a node back after its lease: detach the disk, remove the segments, power off; then available. */
  clean(nodeId: string, lease?: Lease): Promise<Node> {
    return this.exclusive(nodeId, async () => {
      let node = await this.fleet.node(nodeId);
      if (
        node.provisionState === 'active' ||
        node.provisionState === 'deploy failed' ||
        node.provisionState === 'wait call-back'
      )
        node = await this.fleet.transition(nodeId, 'delete');
      const outcome = await this.runSteps(node, await this.teardownSteps(node, lease));
      if (node.provisionState !== 'deleting') return this.fleet.node(nodeId);
      if (outcome.failed !== undefined)
        return this.fleet.transition(nodeId, 'fail', { reason: outcome.failed.reason });
      // Nothing to wipe: the tenant's data lives on its cloud disk, which left with the lease.
      await this.fleet.transition(nodeId, 'clean');
      return this.fleet.transition(nodeId, 'done');
    });
  }

  private async teardownSteps(node: Node, lease?: Lease): Promise<Step[]> {
    const steps: Step[] = [];
    const bmc = node.bmcAddress ?? node.id;
    steps.push({
      name: 'power_off',
      run: async () => {
        await this.bmc.power(bmc, 'off');
        await this.fleet.setPowerState(node.id, 'power off');
      },
    });
    for (const s of await this.fleet.repo.segments(node.id))
      steps.push(this.segmentStep(node.id, s.port, s.vni, false));
    for (const p of (await this.fleet.repo.dpu(node.id))?.ports ?? [])
      steps.push({ name: 'delete_vnic', run: () => this.dpu.deleteVnic(node.id, p.name) });
    if (lease !== undefined)
      steps.push({ name: 'detach_disk', run: () => this.dpu.detachDisk(node.id, lease.diskId) });
    return steps;
  }

  /** The operator verbs of `PUT /v1/nodes/{id}/states/provision`, with the conductor's follow-up work. */
  async operatorVerb(nodeId: string, verb: ProvisionVerb, reason?: string): Promise<Node> {
    const node = await this.fleet.transition(nodeId, verb, {
      among: API_VERBS,
      ...(reason ? { reason } : {}),
    });
    // What the conductor does next; runs after the answer (202), one operation per node.
    const follow = async () => {
      const st = node.provisionState;
      if (st === 'verifying') {
        try {
          if (node.bmcAddress !== null) await this.bmc.powerState(node.bmcAddress);
          return this.fleet.transition(nodeId, 'done');
        } catch (error) {
          return this.fleet.transition(nodeId, 'fail', { reason: `verify: ${(error as Error).message}` });
        }
      }
      if (st === 'inspecting') return this.fleet.transition(nodeId, 'done');
      if (st === 'cleaning') {
        const outcome = await this.runSteps(node, await this.teardownSteps(node));
        return this.fleet.transition(
          nodeId,
          outcome.failed ? 'fail' : 'done',
          outcome.failed ? { reason: outcome.failed.reason } : {},
        );
      }
      return node;
    };
    void this.exclusive(nodeId, follow).catch(() => undefined);
    return node;
  }

  /** Walks a freshly enrolled node to `available` (manage → verify → provide → clean). */
  async makeAvailable(nodeId: string): Promise<Node> {
    await this.makeAvailableAll([nodeId]);
    return this.fleet.node(nodeId);
  }

  /**
   * `makeAvailable` for a whole enrollment at once: every node verified, then every node cleaned, the
   * operations running side by side as the conductor runs them. (One `makeAvailable` per node, all
   * awaited together, makes each caller wait on every operation: quadratic, 2 min for 5,000 nodes.)
   */
  async makeAvailableAll(nodeIds: readonly string[]): Promise<void> {
    for (const verb of ['manage', 'provide'] as const) {
      for (const id of nodeIds) await this.operatorVerb(id, verb);
      await this.idle();
    }
  }

  /**
   * Starts leases whose start has come (their node must be available and out of maintenance) and
   * ends those whose end has passed. Returns the deploy and clean operations it began.
   */
  async tick(): Promise<{ started: Lease[]; ended: Lease[]; operations: Promise<unknown>[] }> {
    const now = this.fleet.nowIso();
    const started: Lease[] = [];
    const ended: Lease[] = [];
    const operations: Promise<unknown>[] = [];
    for (const l of await this.fleet.repo.leases({ status: ['pending'] })) {
      if (l.end <= now) {
        await this.fleet.work((w) =>
          this.fleet.endLeaseIn(w, l, 'expired', 'never started: node not available'),
        );
        continue;
      }
      if (l.start > now || this.running.has(l.nodeId)) continue;
      let lease = l;
      const node = await this.fleet.repo.node(l.nodeId);
      if (node === undefined) continue;
      if (node.maintenance || FAIL_STATES.has(node.provisionState)) {
        // The booked node broke before the lease began: give the tenant a healthy one of its class.
        const moved = await this.rebook(l, node, now);
        if (moved === undefined) continue;
        lease = moved;
      } else if (node.provisionState !== 'available') continue; // still cleaning: next tick
      const due = lease;
      const active = await this.fleet.work((w) => this.fleet.activateLeaseIn(w, due)).catch(() => undefined);
      if (active === undefined) continue; // another scheduler started it
      started.push(active);
      operations.push(this.deploy(active).catch(() => undefined));
    }
    for (const l of await this.fleet.repo.leases({ status: ['active'] })) {
      if (l.end > now) continue;
      const done = await this.fleet.work((w) => this.fleet.endLeaseIn(w, l, 'expired'));
      ended.push(done);
      operations.push(this.clean(l.nodeId, l).catch(() => undefined));
    }
    return { started, ended, operations };
  }

  /** Moves a pending lease to a spare of its class; undefined when there is none (it waits). */
  private async rebook(lease: Lease, broken: Node, now: string): Promise<Lease | undefined> {
    const spare = await this.pickSpare(lease, now).catch(() => undefined);
    if (spare === undefined) return undefined;
    const why = broken.maintenance
      ? `node ${broken.id} in maintenance: ${broken.maintenanceReason ?? ''}`
      : `node ${broken.id} is ${broken.provisionState}`;
    try {
      return await this.fleet.work(async (w) => {
        await w.repo.updateLease(lease.id, { node_id: spare.id, reason: `moved: ${why}`, updated_at: w.at });
        await w.repo.appendHistory({
          nodeId: broken.id,
          at: w.at,
          event: 'lease.moved',
          detail: { lease: lease.id, to: spare.id },
        });
        w.events.push({
          type: 'lease.create',
          at: w.at,
          lease_id: lease.id,
          node_id: spare.id,
          tenant_id: lease.tenantId,
          start: lease.start,
          end: lease.end,
          status: 'pending',
          reason: `moved from ${broken.id}: ${why}`,
        });
        return { ...lease, nodeId: spare.id, reason: `moved: ${why}`, updatedAt: w.at };
      });
    } catch (error) {
      if (isLeaseOverlap(error)) return undefined; // the spare was booked meanwhile: next tick
      throw error;
    }
  }

  /** Cancels a lease; an active one is cleaned off its node. */
  async cancel(leaseId: string, reason?: string): Promise<Lease> {
    const lease = await this.fleet.lease(leaseId);
    if (lease.status !== 'pending' && lease.status !== 'active')
      throw new FaultlineError('FAULTLINE_CONFLICT', `lease ${leaseId} is ${lease.status}`, {
        status: lease.status,
      });
    const ended = await this.fleet.work((w) => this.fleet.endLeaseIn(w, lease, 'cancelled', reason));
    if (lease.status === 'active') void this.clean(lease.nodeId, lease).catch(() => undefined);
    return ended;
  }

  /**
   * Moves the active lease of a failing node to a spare of the same class: the spare boots the
   * tenant's cloud disk with the same segments; the old node goes to maintenance with the fault.
   */
  async evacuate(nodeId: string, fault: string, targetNodeId?: string): Promise<{ from: Lease; to: Lease }> {
    const now = this.fleet.nowIso();
    const lease = (await this.fleet.repo.leases({ nodeId, status: ['active'] }))[0];
    if (lease === undefined)
      throw new FaultlineError('FAULTLINE_CONFLICT', `node ${nodeId} has no active lease to evacuate`);
    const spare = await this.pickSpare(lease, now, targetNodeId);
    const moved = await this.fleet.work(async (w) => {
      const from = await this.fleet.endLeaseIn(w, lease, 'evacuated', fault);
      await this.fleet.setMaintenanceIn(w, nodeId, true, fault);
      const to: Lease = {
        ...lease,
        id: crypto.randomUUID(),
        nodeId: spare.id,
        start: w.at,
        status: 'pending',
        activatedAt: null,
        evacuatedFrom: lease.id,
        reason: null,
        createdAt: w.at,
        updatedAt: w.at,
      };
      await w.repo.insertLease(to);
      const active = await this.fleet.activateLeaseIn(w, to);
      w.events.push({
        type: 'node.evacuate',
        at: w.at,
        node_id: nodeId,
        target_node_id: spare.id,
        lease_id: lease.id,
        tenant_id: lease.tenantId,
        disk_id: lease.diskId,
        reason: fault,
      });
      return { from, to: active };
    });
    // The lease has moved once the transaction committed; the hardware follows in the background
    // (the caller gets its answer now; `idle()` waits). Detaching the disk from the failing node
    // first frees the volume for the spare; that node may not answer, which must not stop the move.
    const spareDeploy = this.clean(nodeId, lease)
      .catch(() => undefined)
      .then(() => this.deploy(moved.to));
    void spareDeploy.catch(() => undefined);
    this.track(spareDeploy);
    return moved;
  }

  /** Keeps `idle()` waiting for work that spans several nodes. */
  private track(p: Promise<unknown>): void {
    const key = `\u0000op:${++this.ops}`;
    const done = p.catch(() => undefined);
    this.running.set(key, done);
    void done.then(() => this.running.delete(key));
  }

  private async pickSpare(lease: Lease, now: string, targetNodeId?: string): Promise<Node> {
    const busy = await this.fleet.repo.busyNodes(lease.resourceClass, now, lease.end);
    const candidates = (await this.fleet.repo.nodes({ resourceClass: lease.resourceClass })).filter(
      (n) => n.id !== lease.nodeId && !n.maintenance && n.provisionState === 'available' && !busy.has(n.id),
    );
    const spare = targetNodeId === undefined ? candidates[0] : candidates.find((n) => n.id === targetNodeId);
    if (spare === undefined)
      throw new FaultlineError(
        'FAULTLINE_NO_CAPACITY',
        targetNodeId === undefined
          ? `no spare of class ${lease.resourceClass} is available until ${lease.end}`
          : `node ${targetNodeId} is not an available spare of class ${lease.resourceClass}`,
      );
    return spare;
  }

  /**
   * The isolation invariant: a node's DPU ports carry only the segments of the networks its
   * current lease attached (none when unleased). Each stray segment is a violation event.
   */
  async checkSegments(): Promise<{ nodeId: string; port: string; vni: number; reason: string }[]> {
    const violations: { nodeId: string; port: string; vni: number; reason: string }[] = [];
    const now = this.fleet.nowIso();
    const nets = new Map((await this.fleet.repo.networks()).map((n) => [n.vni, n]));
    for (const node of await this.fleet.repo.nodes()) {
      const lease = await this.fleet.repo.whoLeasedAt(node.id, now);
      const allowed = new Set<number>();
      if (lease !== undefined && lease.status === 'active')
        for (const id of lease.networkIds) {
          const n = await this.fleet.repo.network(id);
          if (n !== undefined) allowed.add(n.vni);
        }
      for (const s of await this.dpu.segments(node.id)) {
        if (allowed.has(s.vni)) continue;
        const owner = nets.get(s.vni)?.tenantId;
        const reason =
          lease === undefined
            ? `segment ${s.vni}${owner ? ` of tenant ${owner}` : ''} on unleased node ${node.id} port ${s.port}`
            : `segment ${s.vni}${owner ? ` of tenant ${owner}` : ''} on node ${node.id} port ${s.port}, leased to ${lease.tenantId}`;
        violations.push({ nodeId: node.id, port: s.port, vni: s.vni, reason });
      }
    }
    if (violations.length > 0)
      // Through a unit of work like every other fleet event: into the outbox, then on the bus.
      await this.fleet.work(async (w) => {
        for (const v of violations) {
          const owner = nets.get(v.vni)?.tenantId;
          w.events.push({
            type: 'invariant.violation',
            at: now,
            node_id: v.nodeId,
            port: v.port,
            vni: v.vni,
            reason: v.reason,
            ...(owner === undefined ? {} : { tenant_id: owner }),
          });
        }
      });
    return violations;
  }
}

export { DriverError };

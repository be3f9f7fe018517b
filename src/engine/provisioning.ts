import type { FaultEvent } from '../model/event.js';

export type Activity = 'deploy' | 'cleaning' | 'maintenance' | 'provisioning';

interface Window {
  since: number;
  until?: number;
  lease?: string;
}

/** BMC records of a power cycle trail the leasing core's "done" by a little: they still belong to it. */
const GRACE_MS = 5 * 60_000;
/** A power action the core itself took (node.power_set) explains what follows for this long. */
const POWER_ACTION_MS = 10 * 60_000;

/** Ironic's provision states (src/fleet/provision-states.ts) by the activity they belong to. */
function activityOfState(state: string): Activity | undefined {
  if (/^(deploying|wait call-back|deploy)/.test(state)) return 'deploy';
  if (/^clean/.test(state) && state !== 'clean failed') return 'cleaning';
  if (/^(inspecting|inspect wait|verifying|deleting|rescu)/.test(state)) return 'provisioning';
  return undefined;
}

/**
 * What the leasing core is doing to each node, from its `fleet.event`s (src/sources/fleet): a node
 * in deploy, cleaning, maintenance, or just power-cycled by the core is expected to power-cycle and
 * flap links. `node.provision_set` opens and closes deploy/cleaning/provisioning windows by
 * `fleet.provision_state`, `node.maintenance_set` the maintenance window by `fleet.maintenance`,
 * `node.power_set` a short window of its own.
 */
export class ProvisioningWindows {
  private readonly byHost = new Map<string, Map<Activity, Window>>();

  observe(event: FaultEvent, at: number): void {
    const host = event['host.name'];
    if (host === undefined) return;
    const fields = event as unknown as Record<string, unknown>;
    const lease = fields['labels.lease_id'];
    const action = event['event.action'] ?? '';
    let windows = this.byHost.get(host);
    if (windows === undefined) {
      windows = new Map();
      this.byHost.set(host, windows);
    }
    const open = (activity: Activity, until?: number) => {
      const current = windows.get(activity);
      if (current !== undefined && current.until === undefined) return;
      const w: Window = { since: at };
      if (until !== undefined) w.until = until;
      if (typeof lease === 'string') w.lease = lease;
      windows.set(activity, w);
    };
    const close = (activity: Activity) => {
      const current = windows.get(activity);
      if (current !== undefined && current.until === undefined) current.until = at;
    };
    const state = fields['fleet.provision_state'];
    if (typeof state === 'string') {
      const activity = activityOfState(state);
      for (const a of ['deploy', 'cleaning', 'provisioning'] as const) if (a !== activity) close(a);
      if (activity !== undefined) open(activity);
    }
    const maintenance = fields['fleet.maintenance'];
    if (maintenance === true) open('maintenance');
    else if (maintenance === false) close('maintenance');
    if (action === 'node.power_set') {
      const current = windows.get('provisioning');
      if (current === undefined || current.until !== undefined) open('provisioning', at + POWER_ACTION_MS);
    }
  }

  /** The activity covering `host` at `at` among `kinds`, as text for the alert, or undefined. */
  activeAt(host: string, at: number, kinds: readonly string[]): string | undefined {
    if (kinds.length === 0) return undefined;
    const windows = this.byHost.get(host);
    if (windows === undefined) return undefined;
    for (const [activity, w] of windows) {
      if (!kinds.includes(activity)) continue;
      if (at < w.since || (w.until !== undefined && at > w.until + GRACE_MS)) continue;
      return `${activity} since ${new Date(w.since).toISOString()}${w.lease !== undefined ? ` (${w.lease})` : ''}`;
    }
    return undefined;
  }
}

import type { FaultEvent } from '../model/event.js';

export type Activity = 'deploy' | 'cleaning' | 'maintenance' | 'provisioning';

interface Window {
  activity: Activity;
  since: number;
  until?: number;
  lease?: string;
}

/** BMC records of a power cycle trail the leasing core's "done" by a little: they still belong to it. */
const GRACE_MS = 5 * 60_000;

function activityOf(text: string): Activity | undefined {
  if (/deploy/i.test(text)) return 'deploy';
  if (/clean/i.test(text)) return 'cleaning';
  if (/maint/i.test(text)) return 'maintenance';
  if (/provision|inspect|rescue|enroll|manag/i.test(text)) return 'provisioning';
  return undefined;
}

/**
 * What the leasing core is doing to each node, from its `fleet.event`s (DESIGN §1): a node in
 * deploy, cleaning or maintenance is expected to power-cycle and flap links. The state comes from
 * `fleet.state` (deploying, cleaning, maintenance, active, available, …) or, failing that, from an
 * `event.action` ending in `.start` / `.end` (`node.cleaning.start`).
 */
export class ProvisioningWindows {
  private readonly byHost = new Map<string, Window>();

  observe(event: FaultEvent, at: number): void {
    const host = event['host.name'];
    if (host === undefined) return;
    const state = event['fleet.state'];
    const action = event['event.action'] ?? '';
    let activity: Activity | undefined;
    let ending = false;
    if (typeof state === 'string') activity = activityOf(state);
    else {
      activity = activityOf(action);
      ending = /\.(end|done|success|failed|error)$/.test(action);
    }
    const current = this.byHost.get(host);
    if (activity !== undefined && !ending) {
      if (current === undefined || current.until !== undefined || current.activity !== activity) {
        const w: Window = { activity, since: at };
        const lease = event['fleet.lease_id'] ?? event['labels.lease_id'];
        if (typeof lease === 'string') w.lease = lease;
        this.byHost.set(host, w);
      }
    } else if (current !== undefined && current.until === undefined) {
      current.until = at;
    }
  }

  /** The activity covering `host` at `at` among `kinds` (all when `kinds` lists `provisioning`), as text. */
  activeAt(host: string, at: number, kinds: readonly string[]): string | undefined {
    if (kinds.length === 0) return undefined;
    const w = this.byHost.get(host);
    if (w === undefined || at < w.since || (w.until !== undefined && at > w.until + GRACE_MS))
      return undefined;
    if (!kinds.includes(w.activity)) return undefined;
    return `${w.activity} since ${new Date(w.since).toISOString()}${w.lease !== undefined ? ` (${w.lease})` : ''}`;
  }
}

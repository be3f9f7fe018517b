import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  API_VERBS,
  PROVISION_STATES,
  PROVISION_VERBS,
  type ProvisionState,
  type ProvisionVerb,
} from '../../src/fleet/provision-states.js';
import { isFaultlineError } from '../../src/shared/errors.js';
import { type FleetHarness, fleetHarness } from './harness.js';

/**
 * The machine's edges, written out from Ironic's state_machine.py (the subset we keep), independent
 * of the table in src/: every listed edge must be taken, every other (state, verb) pair refused.
 */
const EDGES = `
enroll --manage--> verifying
verifying --done--> manageable
verifying --fail--> enroll
available --manage--> manageable
clean failed --manage--> manageable
inspect failed --manage--> manageable
manageable --inspect--> inspecting
inspect failed --inspect--> inspecting
inspecting --wait--> inspect wait
inspect wait --resume--> inspecting
inspecting --done--> manageable
inspect wait --done--> manageable
inspecting --fail--> inspect failed
inspect wait --fail--> inspect failed
inspect wait --abort--> inspect failed
manageable --provide--> cleaning
manageable --clean--> cleaning
deleting --clean--> cleaning
cleaning --wait--> clean wait
clean wait --resume--> cleaning
cleaning --done--> available
cleaning --fail--> clean failed
clean wait --fail--> clean failed
clean wait --abort--> clean failed
available --deploy--> deploying
deploy failed --deploy--> deploying
active --rebuild--> deploying
deploy failed --rebuild--> deploying
error --rebuild--> deploying
deploying --wait--> wait call-back
wait call-back --resume--> deploying
deploying --done--> active
deploying --fail--> deploy failed
wait call-back --fail--> deploy failed
wait call-back --abort--> deploy failed
active --delete--> deleting
wait call-back --delete--> deleting
deploy failed --delete--> deleting
error --delete--> deleting
deleting --fail--> error
`
  .trim()
  .split('\n')
  .map((l) => {
    const m = /^(.+) --(\w+)--> (.+)$/.exec(l)!;
    return { from: m[1] as ProvisionState, verb: m[2] as ProvisionVerb, to: m[3] as ProvisionState };
  });

const edge = (from: ProvisionState, verb: ProvisionVerb) =>
  EDGES.find((e) => e.from === from && e.verb === verb);

describe('provisioning state machine (through FleetService on a real store)', () => {
  let h: FleetHarness;
  let n = 0;
  beforeAll(async () => {
    h = await fleetHarness();
  });
  afterAll(async () => h.close());

  /** A node put straight into `state` (the test's own setup, not a transition). */
  async function nodeIn(state: ProvisionState): Promise<string> {
    const id = `sm-${n++}`;
    await h.fleet.createNode({ id, resourceClass: 'bm' });
    await h.store.db.updateTable('nodes').set({ provision_state: state }).where('id', '=', id).execute();
    return id;
  }

  for (const from of PROVISION_STATES) {
    for (const verb of PROVISION_VERBS) {
      const e = edge(from, verb);
      if (e !== undefined) {
        it(`${from} --${verb}--> ${e.to}`, async () => {
          const id = await nodeIn(from);
          const node = await h.fleet.transition(id, verb, {
            reason: verb === 'fail' ? 'step x failed' : undefined,
          });
          expect(node.provisionState).toBe(e.to);
          const stored = await h.fleet.node(id);
          expect(stored.provisionState).toBe(e.to);
          if (verb === 'fail') expect(stored.lastError).toBe('step x failed');
          const history = await h.fleet.repo.history(id);
          expect(history.at(-1)).toMatchObject({ event: `provision.${verb}`, from, to: e.to });
          expect(h.sink.events.at(-1)).toMatchObject({
            type: 'node.provision_set',
            node_id: id,
            verb,
            from,
            to: e.to,
          });
        });
      } else {
        it(`${from} refuses ${verb} with 409 and the allowed verbs`, async () => {
          const id = await nodeIn(from);
          const before = h.sink.events.length;
          const err = await h.fleet.transition(id, verb).catch((x: unknown) => x);
          expect(isFaultlineError(err)).toBe(true);
          const fe = err as {
            statusCode: number;
            code: string;
            details: { allowed: string[]; state: string };
          };
          expect(fe.statusCode).toBe(409);
          expect(fe.code).toBe('FAULTLINE_INVALID_TRANSITION');
          expect(fe.details.state).toBe(from);
          expect(fe.details.allowed.sort()).toEqual(
            EDGES.filter((x) => x.from === from)
              .map((x) => x.verb)
              .sort(),
          );
          expect((await h.fleet.node(id)).provisionState).toBe(from);
          expect(h.sink.events.length).toBe(before);
        });
      }
    }
  }

  it('limits the API to operator verbs: a conductor verb is refused even where the edge exists', async () => {
    const id = await nodeIn('deploying');
    const err = (await h.fleet.transition(id, 'done', { among: API_VERBS }).catch((x: unknown) => x)) as {
      details: { allowed: string[] };
    };
    expect(err.details.allowed).toEqual([]);
  });

  it('keeps maintenance and its fault beside the state, not in it', async () => {
    const id = await nodeIn('active');
    const node = await h.fleet.setMaintenance(id, true, 'PSU2 failed');
    expect(node).toMatchObject({
      provisionState: 'active',
      maintenance: true,
      maintenanceReason: 'PSU2 failed',
    });
    expect((await h.fleet.node(id)).fault).toBe('PSU2 failed');
    const off = await h.fleet.setMaintenance(id, false);
    expect(off).toMatchObject({ provisionState: 'active', maintenance: false, maintenanceReason: null });
  });
});

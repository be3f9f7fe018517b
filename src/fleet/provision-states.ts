/**
 * The provisioning state machine, after Ironic's (`ironic/common/states.py`, `state_machine.py`):
 * the same states and verbs, minus rescue, adoption and servicing, which a leasing platform that
 * boots cloud disks does not do. Maintenance and the fault reason sit beside the state (on the
 * node), never in it, as in Ironic.
 */
export const PROVISION_STATES = [
  'enroll',
  'verifying',
  'manageable',
  'inspecting',
  'inspect wait',
  'inspect failed',
  'cleaning',
  'clean wait',
  'clean failed',
  'available',
  'deploying',
  'wait call-back',
  'deploy failed',
  'active',
  'deleting',
  'error',
] as const;
export type ProvisionState = (typeof PROVISION_STATES)[number];

export const PROVISION_VERBS = [
  'manage',
  'inspect',
  'provide',
  'clean',
  'deploy',
  'rebuild',
  'delete',
  'abort',
  'wait',
  'resume',
  'done',
  'fail',
] as const;
export type ProvisionVerb = (typeof PROVISION_VERBS)[number];

/** The conductor's own steps: it waits, resumes, finishes or fails a step; no operator asks for them. */
const CONDUCTOR_VERBS: readonly ProvisionVerb[] = ['wait', 'resume', 'done', 'fail'];

/** Verbs an operator may ask for through the API. */
export const API_VERBS: readonly ProvisionVerb[] = PROVISION_VERBS.filter(
  (v) => !CONDUCTOR_VERBS.includes(v),
);

type Table = Readonly<Record<ProvisionVerb, Readonly<Partial<Record<ProvisionState, ProvisionState>>>>>;

export const TRANSITIONS: Table = {
  manage: {
    enroll: 'verifying',
    available: 'manageable',
    'clean failed': 'manageable',
    'inspect failed': 'manageable',
  },
  inspect: { manageable: 'inspecting', 'inspect failed': 'inspecting' },
  provide: { manageable: 'cleaning' },
  clean: { manageable: 'cleaning', deleting: 'cleaning' },
  deploy: { available: 'deploying', 'deploy failed': 'deploying' },
  rebuild: { active: 'deploying', 'deploy failed': 'deploying', error: 'deploying' },
  delete: {
    active: 'deleting',
    'wait call-back': 'deleting',
    'deploy failed': 'deleting',
    error: 'deleting',
  },
  abort: {
    'wait call-back': 'deploy failed',
    'clean wait': 'clean failed',
    'inspect wait': 'inspect failed',
  },
  wait: { deploying: 'wait call-back', cleaning: 'clean wait', inspecting: 'inspect wait' },
  resume: { 'wait call-back': 'deploying', 'clean wait': 'cleaning', 'inspect wait': 'inspecting' },
  done: {
    verifying: 'manageable',
    inspecting: 'manageable',
    'inspect wait': 'manageable',
    cleaning: 'available',
    deploying: 'active',
  },
  fail: {
    verifying: 'enroll',
    inspecting: 'inspect failed',
    'inspect wait': 'inspect failed',
    cleaning: 'clean failed',
    'clean wait': 'clean failed',
    deploying: 'deploy failed',
    'wait call-back': 'deploy failed',
    deleting: 'error',
  },
};

export function isProvisionState(value: string): value is ProvisionState {
  return (PROVISION_STATES as readonly string[]).includes(value);
}

export function isProvisionVerb(value: string): value is ProvisionVerb {
  return (PROVISION_VERBS as readonly string[]).includes(value);
}

/** The state `verb` leads to from `state`, or undefined when the machine has no such edge. */
export function nextState(state: ProvisionState, verb: ProvisionVerb): ProvisionState | undefined {
  return TRANSITIONS[verb][state];
}

/** Verbs that have an edge out of `state` (what a 409 lists). */
export function allowedVerbs(
  state: ProvisionState,
  among: readonly ProvisionVerb[] = PROVISION_VERBS,
): ProvisionVerb[] {
  return among.filter((v) => TRANSITIONS[v][state] !== undefined);
}

/** Failure states: the node stays there, with its fault reason, until an operator acts. */
export const FAIL_STATES: ReadonlySet<ProvisionState> = new Set([
  'inspect failed',
  'clean failed',
  'deploy failed',
  'error',
]);

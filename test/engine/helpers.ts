import type { FaultEvent } from '../../src/model/event.js';

let n = 0;

/** A normalized event with the always-present fields filled in (generated data for engine tests). */
export function ev(at: number, fields: Record<string, unknown>): FaultEvent {
  return {
    '@timestamp': new Date(at).toISOString(),
    'event.id': `e${++n}`,
    'event.kind': 'event',
    'event.severity': 6,
    'event.original': '',
    message: '',
    ...fields,
  } as FaultEvent;
}

/** A small deterministic PRNG (mulberry32): generated data must be the same on every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A correctable-ECC record of one DIMM as the SEL decoder gives it (generated: no public log has storms with timing). */
export function correctableEcc(at: number, host: string, dimm: string): FaultEvent {
  return ev(at, {
    'event.dataset': 'bmc.sel',
    'host.name': host,
    'hw.type': 'memory',
    'hw.id': dimm,
    'hw.fault.class': 'correctable',
    message: `Memory ${dimm}: Correctable ECC`,
  });
}

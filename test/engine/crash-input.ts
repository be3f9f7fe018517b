import type { FaultEvent } from '../../src/model/event.js';
import { ev } from './helpers.js';
import { ipmiEvents } from './sel-events.js';

/** Start of the generated part. */
const T0 = Date.parse('2026-05-04T00:00:00Z');

/**
 * The real SEL of a power-cycling server (fixture) on eight hosts, and generated correctable-ECC
 * errors (a windowed count and a trend prediction whose state spans any cut): no public log has a
 * DIMM storm with its timing.
 */
export function crashInput(): FaultEvent[] {
  const out: FaultEvent[] = [];
  const hosts = Array.from({ length: 8 }, (_, i) => `bm-${i + 1}`);
  for (const host of hosts)
    for (const e of ipmiEvents())
      out.push({ ...e, 'host.name': host, 'event.id': `${host}-${e['event.id']}` });
  // A rate rising over 6 h on bm-1 (as in scenario.test.ts), a trickle on the others.
  for (let i = 0; i < 2400; i++)
    out.push(
      ev(i % 4 === 3 ? T0 + i * 9000 : T0 + Math.floor(6 * 3_600_000 * Math.sqrt(i / 2400)), {
        'event.dataset': 'bmc.sel',
        'host.name': i % 4 === 3 ? (hosts[1 + (i % 7)] as string) : 'bm-1',
        'hw.type': 'memory',
        'hw.id': 'CPU0_DIMM_A1',
        'hw.fault.class': 'correctable',
        message: 'Memory CPU0_DIMM_A1: Correctable ECC',
      }),
    );
  return out;
}

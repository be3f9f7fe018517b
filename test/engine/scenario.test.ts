import { describe, expect, it } from 'vitest';
import { SHIPPED_RULES_DIR } from '../../src/cli/analyze.js';
import { Engine } from '../../src/engine/engine.js';
import { loadRuleDir } from '../../src/engine/rules/load.js';
import { StaticTopology } from '../../src/engine/static-topology.js';
import type { FaultEvent } from '../../src/model/event.js';
import { correctableEcc, ev, rng } from './helpers.js';

/**
 * Acceptance scenarios of issue 17 over the shipped rules. The data is generated (no public source
 * has a fleet's worth of per-DIMM error streams with leases): a seeded PRNG makes it the same on
 * every run.
 */
const rules = loadRuleDir(SHIPPED_RULES_DIR);
const T0 = Date.parse('2026-05-04T00:00:00Z');
const HOUR = 3_600_000;

function sorted(events: FaultEvent[]): FaultEvent[] {
  return events
    .map((e, i) => [Date.parse(e['@timestamp']), i, e] as const)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1])
    .map(([, , e]) => e);
}

describe('scenario: correctable ECC storm on one DIMM among 200 nodes', () => {
  const random = rng(42);
  const events: FaultEvent[] = [];
  const ce = correctableEcc;
  // 5,000 correctable errors on bm-042 CPU0_DIMM_C1 over 6 h, the rate rising over time.
  for (let i = 0; i < 5000; i++)
    events.push(ce(T0 + Math.floor(6 * HOUR * Math.sqrt(i / 5000)), 'bm-042', 'CPU0_DIMM_C1'));
  const ueAt = T0 + 6 * HOUR + 20 * 60_000;
  events.push(
    ev(ueAt, {
      'event.dataset': 'bmc.sel',
      'host.name': 'bm-042',
      'hw.type': 'memory',
      'hw.id': 'CPU0_DIMM_C1',
      'hw.fault.class': 'uncorrectable',
      message: 'Memory CPU0_DIMM_C1: Uncorrectable ECC',
    }),
  );
  // Noise: every node logs a few correctable errors on random DIMMs.
  for (let n = 0; n < 200; n++) {
    const host = `bm-${String(n).padStart(3, '0')}`;
    const count = Math.floor(random() * 15);
    for (let i = 0; i < count; i++) {
      events.push(
        ce(
          T0 + Math.floor(random() * 6 * HOUR),
          host,
          `CPU${Math.floor(random() * 2)}_DIMM_${'ABCDEFGH'[Math.floor(random() * 8)]}1`,
        ),
      );
    }
  }
  const topology = new StaticTopology({
    nodes: [
      {
        id: 'bm-042',
        components: [
          { id: 'CPU0_DIMM_C1', type: 'memory', location: 'CPU0_C1', serial: 'M393A4K40DB3-CWE-0042' },
        ],
      },
    ],
    leases: [
      {
        leaseId: 'lease-old',
        tenantId: 'tenant-before',
        nodeId: 'bm-042',
        start: '2026-04-01T00:00:00Z',
        end: '2026-05-03T00:00:00Z',
      },
      { leaseId: 'lease-acme', tenantId: 'tenant-acme', nodeId: 'bm-042', start: '2026-05-03T12:00:00Z' },
    ],
  });

  it('gives one prediction, for that DIMM, before its uncorrectable error, naming the tenant leasing the node then', () => {
    const engine = new Engine({ rules, topology, allowedLatenessMs: 60_000 });
    for (const e of sorted(events)) engine.push(e);
    engine.flush();
    const predictions = engine.predictions();
    expect(predictions.map((p) => [p.rule, p.labels.host_name, p.labels.hw_id])).toEqual([
      ['DimmFailurePredicted', 'bm-042', 'CPU0_DIMM_C1'],
    ]);
    const [p] = predictions;
    expect(Date.parse(p?.predictedAt ?? '')).toBeLessThan(ueAt);
    expect(p?.impact?.tenants).toEqual(['tenant-acme']);
    expect(p?.impact?.leases).toEqual(['lease-acme']);
    expect(p?.repair?.part).toMatchObject({
      id: 'CPU0_DIMM_C1',
      location: 'CPU0_C1',
      serial: 'M393A4K40DB3-CWE-0042',
    });
    expect(p?.confidence).toBeGreaterThanOrEqual(0.6);
    expect(p?.evidence.length).toBeGreaterThan(0);
    // The uncorrectable error itself is one critical alert on the same DIMM.
    const ue = engine.alerts().filter((a) => a.rule === 'MemoryUncorrectableEcc');
    expect(ue.map((a) => a.labels.hw_id)).toEqual(['CPU0_DIMM_C1']);
  });
});

describe('scenario: node power loss with 40 component alerts', () => {
  const node = 'bm-077';
  const at = Date.parse('2026-06-01T10:00:00Z');
  const component = (offsetMs: number, type: string, id: string, faultClass: string, message: string) =>
    ev(at + offsetMs, {
      'event.dataset': 'bmc.sel',
      'host.name': node,
      'hw.type': type,
      'hw.id': id,
      'hw.fault.class': faultClass,
      message,
    });
  const events: FaultEvent[] = [];
  // Some effects are logged before the cause: BMCs write records in no particular order.
  for (let i = 0; i < 10; i++)
    events.push(
      component(-10_000 + i * 1000, 'fan', `FAN${i}`, 'failure', `Fan FAN${i}: Lower Critical going low`),
    );
  events.push(component(0, 'power_supply', 'PSU1', 'failure', 'Power Supply PSU1: Power Supply AC lost'));
  for (let i = 0; i < 10; i++)
    events.push(
      component(
        2000 + i * 500,
        'temperature',
        `TEMP${i}`,
        'failure',
        `Temperature TEMP${i}: Upper Critical going high`,
      ),
    );
  for (let i = 0; i < 10; i++)
    events.push(
      component(5000 + i * 500, 'pcie', `PCIE${i}`, 'uncorrectable', `Critical Interrupt PCIE${i}: PCI SERR`),
    );
  for (let i = 0; i < 10; i++)
    events.push(
      component(
        60_000 + i * 1000,
        'physical_disk',
        `DISK${i}`,
        'failure',
        `Drive Slot DISK${i}: Drive Fault`,
      ),
    );
  // An unrelated node keeps its own alert and its own notification.
  events.push(
    ev(at + 3000, {
      'event.dataset': 'bmc.sel',
      'host.name': 'bm-078',
      'hw.type': 'fan',
      'hw.id': 'FAN1',
      'hw.fault.class': 'failure',
      message: 'Fan FAN1',
    }),
  );

  it('gives one root-cause alert with 40 children and one notification for the node', () => {
    const engine = new Engine({ rules, allowedLatenessMs: 60_000 });
    for (const e of sorted(events)) engine.push(e);
    engine.advanceTo(at + 10 * 60_000);
    const onNode = engine.alerts().filter((a) => a.host === node);
    const roots = onNode.filter((a) => a.parentId === undefined);
    expect(roots.map((a) => a.rule)).toEqual(['PowerInputLost']);
    expect(roots[0]?.children).toHaveLength(40);
    expect(onNode.filter((a) => a.parentId === roots[0]?.id && a.inhibited)).toHaveLength(40);
    const notified = engine.notifications().filter((n) => n.status === 'firing');
    const byId = new Map(engine.alerts().map((a) => [a.id, a]));
    expect(notified.map((n) => byId.get(n.alertId)?.host).sort()).toEqual(['bm-077', 'bm-078']);
    expect(notified.find((n) => byId.get(n.alertId)?.host === node)?.alertId).toBe(roots[0]?.id);
  });
});

describe('scale-out: engines that split the nodes between them give the alerts of one', () => {
  it('gives the same alerts and predictions from two instances, each owning half the hosts, as from one', () => {
    const random = rng(9);
    const events: FaultEvent[] = [];
    const types = [
      ['memory', 'correctable'],
      ['memory', 'uncorrectable'],
      ['fan', 'failure'],
      ['temperature', 'failure'],
      ['temperature', 'recovered'],
      ['power_supply', 'failure'],
    ] as const;
    for (let i = 0; i < 20_000; i++) {
      const [type, fault] = types[Math.floor(random() * types.length)] as (typeof types)[number];
      events.push(
        ev(T0 + Math.floor(random() * 12 * HOUR), {
          'event.dataset': 'bmc.sel',
          'host.name': `bm-${Math.floor(random() * 50)}`,
          'hw.type': type,
          'hw.id': `${type}-${Math.floor(random() * 3)}`,
          'hw.fault.class': fault,
          message: `${type} ${fault}`,
        }),
      );
    }
    const ordered = sorted(events);
    const run = (filter: (host: string) => boolean) => {
      const engine = new Engine({ rules, allowedLatenessMs: 60_000 });
      for (const e of ordered) if (filter(e['host.name'] ?? '')) engine.push(e);
      engine.flush();
      return [...engine.alerts(), ...engine.predictions()];
    };
    // The bus partitions by a hash of the key (host.name); any split that keeps a host whole will do.
    const owner = (host: string) => [...host].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7) % 2;
    const byId = (list: { id: string }[]) => list.map((f) => JSON.stringify(f)).sort();
    const one = run(() => true);
    const two = [...run((h) => owner(h) === 0), ...run((h) => owner(h) === 1)];
    expect(one.length).toBeGreaterThan(100);
    expect(byId(two)).toEqual(byId(one));
  });
});

describe('provisioning windows that arrive late', () => {
  it('suppresses a power-off the cleaning caused even when the fleet event comes after the BMC record', () => {
    const engine = new Engine({ rules, allowedLatenessMs: 60_000 });
    const sel = (at: number, host: string) =>
      ev(at, {
        'event.dataset': 'bmc.sel',
        'host.name': host,
        'hw.type': 'system',
        'hw.id': 'ACPI_Stat',
        'hw.fault.class': 'informational',
        message: 'System ACPI Power State ACPI_Stat: S4/S5: soft-off',
      });
    engine.push(sel(T0 + 60_000, 'bm-060'));
    engine.push(sel(T0 + 3 * 60_000, 'bm-061'));
    expect(engine.alerts().map((a) => a.host)).toEqual(['bm-060']);
    // The cleaning started 30 s before the power-off; its record comes through a later fleet batch.
    engine.push(
      ev(T0 + 30_000, {
        'event.dataset': 'fleet.event',
        'event.action': 'node.provision_set',
        'host.name': 'bm-060',
        'fleet.provision_state': 'cleaning',
      }),
    );
    engine.flush();
    expect(engine.alerts().map((a) => a.host)).toEqual(['bm-061']);
    expect(engine.suppressed().map((a) => [a.host, a.suppressedBy?.startsWith('cleaning since')])).toEqual([
      ['bm-060', true],
    ]);
    expect(engine.stats.reordered).toBe(1);
  });
});

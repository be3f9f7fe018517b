import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../src/cli/parse.js';
import type { FaultEvent } from '../../src/model/event.js';
import { Simulator } from '../../src/sim/simulator.js';
import { FAULT_KINDS, parseTruth, truthJson } from '../../src/sim/truth.js';
import type { SimRecord } from '../../src/sim/types.js';
import { getSource } from '../../src/sources/registry.js';

// Generated data on purpose: no public source has a fleet with injected faults and their ground truth.
const START = Date.parse('2026-12-07T00:00:00Z');
const HOUR = 3_600_000;

function run(seed: number, hours: number, nodes = 40) {
  const sim = new Simulator({ seed, start: START, nodes, faults: { early: true } });
  const records = sim.advance(START + hours * HOUR);
  return { sim, records };
}

function decodeAll(records: readonly SimRecord[]) {
  const events: FaultEvent[] = [];
  const rejected: { source: string; reason: string; payload: string }[] = [];
  for (const r of records) {
    const result = getSource(r.source)!.decode(r.payload, {
      host: r.host,
      receivedAt: new Date(r.time).toISOString(),
    });
    if (result.ok) events.push(...result.events);
    else rejected.push({ source: r.source, reason: result.reason, payload: r.payload.slice(0, 300) });
  }
  return { events, rejected };
}

const fourHours = run(11, 4.25);
const decoded = decodeAll(fourHours.records);

describe('simulator', () => {
  it('gives the same telemetry and the same truth for the same seed, and other data for another seed', () => {
    const a = run(3, 1, 20);
    const b = run(3, 1, 20);
    const c = run(4, 1, 20);
    expect(a.records.length).toBeGreaterThan(1000);
    expect(b.records).toEqual(a.records);
    expect(b.sim.truth).toEqual(a.sim.truth);
    expect(c.records.map((r) => r.payload)).not.toEqual(a.records.map((r) => r.payload));
  });

  it('writes every wire format, and every record decodes with the registry decoders (zero rejections)', () => {
    const sources = new Set(fourHours.records.map((r) => r.source));
    // Ironic's notifications go to the fleet source when the registry has one.
    const fleet = getSource('fleet') !== undefined ? ['fleet'] : [];
    expect([...sources].sort()).toEqual(
      [
        'dpu-flow',
        'dpu-metrics',
        'ipmi-sel',
        'openstack-log',
        'openstack-notification',
        'redfish',
        'smart',
        'syslog',
        ...fleet,
      ].sort(),
    );
    expect(decoded.rejected.slice(0, 5)).toEqual([]);
    expect(decoded.events.length).toBeGreaterThan(fourHours.records.length);
  });

  it('decodes as files through `faultline parse` (framers and byte fast paths included), per source', async () => {
    const bySource = new Map<string, string[]>();
    for (const r of fourHours.records) {
      if (r.time > START + HOUR) continue;
      const list = bySource.get(r.source) ?? [];
      list.push(r.payload);
      bySource.set(r.source, list);
    }
    const sink = () => new Writable({ write: (_c, _e, done) => done() });
    for (const [source, payloads] of bySource) {
      const rejections: string[] = [];
      const stderr = new Writable({
        write(chunk, _enc, done) {
          rejections.push(String(chunk));
          done();
        },
      });
      const summary = await parseCommand({
        source,
        input: Readable.from([`${payloads.join('\n')}\n`]),
        stdout: sink(),
        stderr,
        host: 'bm-001',
      });
      expect(summary.rejected, `${source}: ${rejections.slice(0, 2).join('')}`).toBe(0);
      expect(summary.records, source).toBe(payloads.length);
    }
  });

  it('keeps records in event-time order and stamps each event with its record time', () => {
    const times = fourHours.records.map((r) => r.time);
    expect(times).toEqual([...times].sort((x, y) => x - y));
    const first = decoded.events.find((e) => e['event.dataset'] === 'bmc.sel')!;
    expect(Date.parse(first['@timestamp'])).toBeGreaterThanOrEqual(START);
  });

  it('injects every fault kind once early on a real part of the node, with the truth written out', () => {
    const faults = fourHours.sim.truth.filter((t) => (FAULT_KINDS as readonly string[]).includes(t.kind));
    expect(new Set(faults.map((f) => f.kind))).toEqual(new Set(FAULT_KINDS));
    for (const f of faults) {
      const node = fourHours.sim.fleet.nodes.find((n) => n.id === f.node)!;
      expect(node).toBeDefined();
      expect(f.manifestAt).toBeGreaterThanOrEqual(f.start);
      if (
        f.component !== undefined &&
        ['memory', 'power_supply', 'physical_disk'].includes(f.component.type)
      ) {
        if (f.kind !== 'power-loss') expect(node.components.map((c) => c.id)).toContain(f.component.id);
      }
      // The JSON-lines form reads back to the same record.
      expect(parseTruth(truthJson(f))).toEqual(f);
    }
    // The topology of the run names the tenant the truth names, and the part with its board label.
    const topology = fourHours.sim.topology();
    for (const f of faults) {
      expect(topology.leaseAt(f.node, f.manifestAt)?.tenantId).toBe(f.tenant);
      if (f.kind === 'dimm-uncorrectable')
        expect(topology.node(f.node)!.components.find((c) => c.id === f.component!.id)!.location).toBe(
          f.component!.location,
        );
    }
    // The fleet's own deploys and cleanings are in the truth too, as things that must not alert.
    const ops = fourHours.sim.truth.filter((t) => t.kind === 'deploy' || t.kind === 'clean');
    expect(ops.length).toBeGreaterThan(0);
    expect(ops.every((o) => !o.expect.alert)).toBe(true);
  });

  it('names the faulty part in the decoded events the way the truth names it (hw.id joins)', () => {
    const truth = fourHours.sim.truth;
    const onNode = (node: string) =>
      decoded.events.filter(
        (e) =>
          e['host.name'] === node &&
          e['hw.fault.class'] !== undefined &&
          e['hw.fault.class'] !== 'informational',
      );
    const dimm = truth.find((t) => t.kind === 'dimm-uncorrectable' && t.manifestAt < START + 4.25 * HOUR)!;
    const dimmEvents = onNode(dimm.node).filter((e) => e['hw.type'] === 'memory');
    const classes = new Set(dimmEvents.map((e) => e['hw.fault.class']));
    expect(classes).toContain('correctable');
    expect(classes).toContain('uncorrectable');
    // Kernel EDAC, SEL and Redfish all name the DIMM as the truth does (SEL from its board label).
    const byDataset = new Map<string, Set<unknown>>();
    for (const e of dimmEvents) {
      const set = byDataset.get(e['event.dataset']) ?? new Set();
      set.add(e['hw.id']);
      byDataset.set(e['event.dataset'], set);
    }
    for (const ds of ['host.syslog', 'bmc.sel', 'bmc.redfish'])
      expect([...(byDataset.get(ds) ?? [])], ds).toContain(dimm.component!.id);
    // Correctable errors accelerate: the last hour before the failure has more than the hour before it.
    const ce = dimmEvents.filter(
      (e) => e['event.dataset'] === 'host.syslog' && e['hw.fault.class'] === 'correctable',
    );
    const inHour = (end: number) =>
      ce.filter((e) => {
        const t = Date.parse(e['@timestamp']);
        return t < end && t >= end - HOUR;
      }).length;
    expect(inHour(dimm.manifestAt)).toBeGreaterThan(2 * inHour(dimm.manifestAt - HOUR));

    const psu = truth.find((t) => t.kind === 'psu-failure')!;
    const psuEvents = onNode(psu.node).filter((e) => e['hw.type'] === 'power_supply');
    const psuClasses = psuEvents.map((e) => e['hw.fault.class']);
    expect(psuClasses).toContain('failure');
    // Repeated PMBus warnings before the failure: enough points for a trend.
    expect(psuClasses.filter((c) => c === 'predictive').length).toBeGreaterThanOrEqual(5);
    expect(psuEvents.filter((e) => e['hw.fault.class'] === 'failure').map((e) => e['hw.id'])).toContain(
      psu.component!.id,
    );

    const disk = truth.find((t) => t.kind === 'disk-wearout')!;
    const smart = decoded.events.filter(
      (e) => e['event.dataset'] === 'host.smart' && e['hw.id'] === disk.component!.id,
    );
    expect(smart.map((e) => e['hw.fault.class'])).toContain('failure');
    const reallocated = smart.map((e) => e['smart.reallocated_sectors'] as number);
    expect(reallocated.at(-1)!).toBeGreaterThan(reallocated[0]!);

    const power = truth.find((t) => t.kind === 'power-loss')!;
    const storm = onNode(power.node).filter((e) => {
      const t = Date.parse(e['@timestamp']);
      return t >= power.manifestAt && t < power.manifestAt + 60_000;
    });
    // One cause, many component events: PSUs, fans and voltage rails.
    expect(new Set(storm.map((e) => e['hw.id'])).size).toBeGreaterThanOrEqual(10);
  });

  it('lets the fleet deploy and clean without a single failure-class hardware event on healthy nodes', () => {
    const faulty = new Set(
      fourHours.sim.truth
        .filter((t) => (FAULT_KINDS as readonly string[]).includes(t.kind))
        .map((t) => t.node),
    );
    // SMART is left out on purpose: a few healthy disks carry a stable handful of reallocated sectors
    // (predictive by the decoder, as smartctl users read them), which a predictor must not call failing.
    const bad = decoded.events.filter(
      (e) =>
        !faulty.has(e['host.name'] ?? '') &&
        e['event.dataset'] !== 'host.smart' &&
        ['failure', 'uncorrectable', 'predictive'].includes(e['hw.fault.class'] ?? ''),
    );
    expect(bad.map((e) => `${e['host.name']} ${e.message}`)).toEqual([]);
    const deploys = fourHours.sim.truth.filter((t) => t.kind === 'deploy');
    expect(deploys.length).toBeGreaterThan(0);
  });
});

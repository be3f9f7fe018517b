import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getSource } from '../../src/sources/registry.js';
import type { DecodeContext } from '../../src/sources/types.js';
import { fuzzInputs, resultProblem } from '../helpers/decoder-properties.js';
import { readFixture } from '../helpers/fixtures.js';
import { availableNode, fleetHarness } from './harness.js';

const source = getSource('fleet')!;
const RECEIVED = '2026-03-01T10:00:00.000Z';
const ctx: DecodeContext = { receivedAt: RECEIVED };
const ironic = (name: string) => readFixture('openstack', 'notifications', 'ironic', name);

describe('fleet source', () => {
  it('is registered and decodes every event the core emits during a lease life', async () => {
    const h = await fleetHarness();
    try {
      const t = await h.fleet.createTenant({ id: 'acme', name: 'Acme' });
      const net = await h.fleet.createNetwork({ tenantId: t.id, name: 'prod' });
      await availableNode(h, 'n1');
      const now = h.clock.now();
      await h.fleet.createLeases({
        tenantId: t.id,
        nodeId: 'n1',
        start: new Date(now).toISOString(),
        end: new Date(now + 3_600_000).toISOString(),
        networkIds: [net.id],
      });
      await h.settle(Promise.all((await h.prov.tick()).operations));
      expect(h.sink.events.length).toBeGreaterThan(20);
      for (const e of h.sink.events) {
        const r = source.decode(JSON.stringify(e), {});
        expect(r.ok, JSON.stringify(r)).toBe(true);
        if (!r.ok) continue;
        const ev = r.events[0]!;
        expect(ev['event.dataset']).toBe('fleet.event');
        expect(ev['event.action']).toBe(e.type);
        expect(ev['@timestamp']).toBe(e.at);
        if (e.node_id !== undefined) expect(ev['host.name']).toBe(e.node_id);
      }
      const active = h.sink.events.find((e) => e.type === 'node.provision_set' && e.to === 'active')!;
      const r = source.decode(JSON.stringify(active), {});
      expect(r.ok && r.events[0]).toMatchObject({
        'host.name': 'n1',
        'fleet.provision_state': 'active',
        'fleet.previous_provision_state': 'deploying',
        'fleet.verb': 'done',
        'event.severity': 6,
        'labels.lease_id': expect.any(String),
        'cloud.account.id': 'acme',
      });
      // Our own power-on during deploy is told apart from a fault: it is a fleet step event.
      const power = h.sink.events.find((e) => e.type === 'node.step' && e.step === 'power_on')!;
      const pr = source.decode(JSON.stringify(power), {});
      expect(pr.ok && pr.events[0]).toMatchObject({ 'fleet.step': 'power_on', 'event.outcome': 'success' });
    } finally {
      await h.close();
    }
  });

  it("decodes Ironic's baremetal.node.provision_set notification (ironic docs)", () => {
    const r = source.decode(ironic('10_baremetal.node.provision_set.start.json'), ctx);
    expect(r.ok).toBe(true);
    expect(r.ok && r.events[0]).toMatchObject({
      '@timestamp': RECEIVED,
      'event.dataset': 'fleet.event',
      'event.action': 'node.provision_set',
      'event.provider': 'ironic',
      'host.name': '1be26c0b-03f2-4d2e-ae87-c02d7f33c123',
      'fleet.previous_provision_state': 'available',
      'fleet.provision_state': 'deploying',
      'fleet.verb': 'deploy',
    });
  });

  it('decodes maintenance_set and power_state_corrected; refuses other baremetal notifications with a reason', () => {
    const m = source.decode(ironic('07_baremetal.node.maintenance_set.start.json'), ctx);
    expect(m.ok && m.events[0]).toMatchObject({
      'event.action': 'node.maintenance_set',
      'fleet.maintenance': true,
      'event.severity': 4,
    });
    const p = source.decode(ironic('09_baremetal.node.power_state_corrected.success.json'), ctx);
    expect(p.ok && p.events[0]).toMatchObject({
      'event.action': 'node.power_set',
      'fleet.power_state': 'power off',
      'event.outcome': 'success',
    });
    const c = source.decode(ironic('01_baremetal.chassis.update.end.json'), ctx);
    expect(c).toMatchObject({ ok: false, reason: expect.stringContaining('openstack-notification') });
  });

  it('decodes power_set with the NodeSetPowerStatePayload fields of the Ironic docs (to_power, from_power)', () => {
    // Built from the provision_set fixture with the fields ironic's docs list for power_set
    // (no power_set sample was published); an error phase is a failure.
    const base = JSON.parse(ironic('10_baremetal.node.provision_set.start.json'));
    base.event_type = 'baremetal.node.power_set.error';
    base.timestamp = '2026-03-01 09:59:58.123456';
    base.payload['ironic_object.data'].to_power = 'power on';
    base.payload['ironic_object.data'].from_power = 'power off';
    base.payload['ironic_object.data'].last_error = 'IPMI call failed: timeout';
    const r = source.decode(JSON.stringify(base), ctx);
    expect(r.ok && r.events[0]).toMatchObject({
      '@timestamp': '2026-03-01T09:59:58.123Z',
      'event.action': 'node.power_set',
      'event.outcome': 'failure',
      'event.severity': 3,
      'fleet.power_state': 'power on',
      'fleet.reason': 'IPMI call failed: timeout',
    });
    const wrapped = source.decode(
      JSON.stringify({ 'oslo.version': '2.0', 'oslo.message': JSON.stringify(base) }),
      ctx,
    );
    expect(wrapped.ok).toBe(true);
  });

  it('rejects bad input with a reason, never throws', () => {
    expect(source.decode('{', ctx)).toMatchObject({ ok: false, reason: expect.stringContaining('not JSON') });
    expect(source.decode('{"type":"node.explode","at":"2026-01-01T00:00:00Z"}', ctx)).toMatchObject({
      ok: false,
    });
    expect(source.decode('{"type":"node.power_set","at":"yesterday"}', ctx)).toMatchObject({ ok: false });
    const sample = ironic('10_baremetal.node.provision_set.start.json');
    fc.assert(
      fc.property(fuzzInputs(sample), (s) => {
        const r = source.decode(s, { host: 'h', receivedAt: RECEIVED });
        return resultProblem(r, 'fleet.event') === undefined;
      }),
      { numRuns: 800 },
    );
  });
});

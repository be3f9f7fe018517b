import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KyselyAlertRepository } from '../../src/engine/alert-repository.js';
import type { Alert } from '../../src/model/alert.js';
import { readFixture } from '../helpers/fixtures.js';
import { auth, startRuntime, waitForIngest } from '../helpers/runtime.js';

/** `serve` on the embedded adapters: ingest → faultline.events → engine → state store → /v1/alerts. */
describe('alerts through the live engine and the API', () => {
  let t: Awaited<ReturnType<typeof startRuntime>>;
  const keys: Record<string, string> = {};

  beforeAll(async () => {
    t = await startRuntime();
    for (const [name, body] of Object.entries({
      sre: { name: 'sre', role: 'sre' },
      acme: { name: 'acme viewer', role: 'viewer', tenantId: 'acme' },
    })) {
      const res = await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: auth(), payload: body });
      keys[name] = res.json<{ secret: string }>().secret;
    }
  });
  afterAll(() => t.close());

  async function alertsUntil(count: number, key?: string): Promise<Alert[]> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const res = await t.app.inject({ url: '/v1/alerts?limit=100', headers: auth(key) });
      expect(res.statusCode, res.body).toBe(200);
      const alerts = res.json<{ alerts: Alert[] }>().alerts;
      if (alerts.length >= count || Date.now() > deadline) return alerts;
      await sleep(100);
    }
  }

  it('turns an ingested SEL into the alerts analyze gives, newest first', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/ingest/ipmi-sel?host=bm-001',
      headers: { ...auth(), 'content-type': 'text/plain' },
      payload: readFixture('bmc', 'ipmi-sel', 'linuxfabrik', 'ipmitool_sel_elist_chassis-intrusion.txt'),
    });
    expect(res.statusCode, res.body).toBe(202);
    await waitForIngest(t.app);
    const alerts = await alertsUntil(5);
    expect(alerts.map((a) => `${a.rule} ${a.labels.hw_id} ×${a.count}`)).toEqual([
      'ChassisIntrusion Chassis_Intru ×1',
      'PowerSupplyFailure PS1 ×1',
      'PowerSupplyFailure PS1 ×1',
      'ChassisIntrusion Chassis_Intru ×1',
      'ChassisIntrusion Chassis_Intru ×3',
    ]);
    const page1 = await t.app.inject({ url: '/v1/alerts?limit=2&rule=ChassisIntrusion', headers: auth() });
    const body1 = page1.json<{ alerts: Alert[]; next?: string }>();
    expect(body1.alerts).toHaveLength(2);
    const page2 = await t.app.inject({
      url: `/v1/alerts?limit=2&rule=ChassisIntrusion&cursor=${body1.next}`,
      headers: auth(),
    });
    expect(page2.json<{ alerts: Alert[]; next?: string }>().alerts.map((a) => a.count)).toEqual([3]);
  });

  it('shows one alert with its history, acknowledges it, and silences by matchers', async () => {
    const [first] = await alertsUntil(1);
    const one = await t.app.inject({ url: `/v1/alerts/${first?.id}`, headers: auth() });
    expect(one.json()).toMatchObject({
      id: first?.id,
      history: expect.arrayContaining([expect.objectContaining({ change: first?.status })]),
    });
    const ack = await t.app.inject({
      method: 'POST',
      url: `/v1/alerts/${first?.id}/ack`,
      headers: auth(keys.sre),
    });
    expect(ack.statusCode, ack.body).toBe(200);
    expect(ack.json()).toMatchObject({ ack: { by: 'sre' } });
    const viewerAck = await t.app.inject({
      method: 'POST',
      url: `/v1/alerts/${first?.id}/ack`,
      headers: auth(keys.acme),
    });
    expect(viewerAck.statusCode).toBe(403);

    const bad = await t.app.inject({
      method: 'POST',
      url: '/v1/silences',
      headers: auth(keys.sre),
      payload: {
        matchers: [{ name: 'host_name', value: '.*', op: '=~' }],
        endsAt: '2030-01-01T00:00:00Z',
        comment: 'all',
      },
    });
    expect(bad.statusCode).toBe(400);
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/silences',
      headers: auth(keys.sre),
      payload: {
        matchers: [{ name: 'alertname', value: 'ChassisIntrusion' }],
        startsAt: '2019-01-01T00:00:00Z',
        endsAt: '2030-01-01T00:00:00Z',
        comment: 'planned DC work',
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const silence = created.json<{ id: string }>();
    const listed = (await alertsUntil(5)).filter(
      (a) => (a as { silencedBy?: string[] }).silencedBy !== undefined,
    );
    expect(listed.map((a) => a.rule)).toEqual(['ChassisIntrusion', 'ChassisIntrusion', 'ChassisIntrusion']);
    const expired = await t.app.inject({
      method: 'DELETE',
      url: `/v1/silences/${silence.id}`,
      headers: auth(keys.sre),
    });
    expect(expired.statusCode).toBe(200);
    expect(
      (await alertsUntil(5)).some((a) => (a as { silencedBy?: string[] }).silencedBy !== undefined),
    ).toBe(false);
  });

  it('shows a tenant key only the alerts and predictions that touch its tenant', async () => {
    const repo = new KyselyAlertRepository(t.runtime.stateStore.db);
    const base = (await alertsUntil(1))[0] as Alert;
    const touching = (id: string, tenant: string): Alert => ({
      ...base,
      id,
      fingerprint: id,
      startsAt: '2031-01-01T00:00:00.000Z',
      impact: { at: 0, tenants: [tenant], leases: [], flows: [], bytes: 0, packets: 0 },
    });
    await repo.upsert([touching('a-acme', 'acme'), touching('a-globex', 'globex')], new Date().toISOString());
    const mine = await t.app.inject({ url: '/v1/alerts', headers: auth(keys.acme) });
    expect(mine.json<{ alerts: Alert[] }>().alerts.map((a) => a.id)).toEqual(['a-acme']);
    const other = await t.app.inject({ url: '/v1/alerts/a-globex', headers: auth(keys.acme) });
    expect(other.statusCode).toBe(404);
    const asked = await t.app.inject({ url: '/v1/alerts?tenant=globex', headers: auth(keys.acme) });
    expect(asked.statusCode).toBe(403);
    const diagnose = await t.app.inject({ url: '/v1/tenants/acme/diagnose', headers: auth(keys.acme) });
    expect(diagnose.json<{ findings: Alert[] }>().findings.map((a) => a.id)).toEqual(['a-acme']);
    const predictions = await t.app.inject({ url: '/v1/predictions', headers: auth(keys.acme) });
    expect(predictions.json()).toEqual({ predictions: [] });
    // Acknowledging and silences are the operator's: fleet-wide, naming other tenants' nodes.
    const refused: [string, string, unknown][] = [
      ['POST', '/v1/alerts/a-acme/ack', {}],
      ['GET', '/v1/silences', undefined],
      ['GET', '/v1/silences/x', undefined],
      [
        'POST',
        '/v1/silences',
        { matchers: [{ name: 'host_name', value: 'bm-1' }], endsAt: '2031-01-02T00:00:00Z' },
      ],
      [
        'PUT',
        '/v1/silences/x',
        { matchers: [{ name: 'host_name', value: 'bm-1' }], endsAt: '2031-01-02T00:00:00Z' },
      ],
      ['DELETE', '/v1/silences/x', undefined],
    ];
    for (const [method, url, payload] of refused) {
      const res = await t.app.inject({
        method: method as 'GET',
        url,
        headers: auth(keys.acme),
        ...(payload === undefined ? {} : { payload: payload as object }),
      });
      expect(res.statusCode, `${method} ${url}`).toBe(403);
    }
  });
});

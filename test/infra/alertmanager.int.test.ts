import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertmanagerUrl, alertmanagerWebhookUrl, uniqueName } from '../helpers/infra.js';

/** Alertmanager webhook payload (version 4), the fields this test reads. */
interface Notification {
  version: string;
  status: 'firing' | 'resolved';
  receiver: string;
  alerts: { status: string; labels: Record<string, string>; annotations: Record<string, string> }[];
}

const webhook = alertmanagerWebhookUrl();
const received: Notification[] = [];
let server: Server | undefined;
const waiters: (() => void)[] = [];

beforeAll(async () => {
  if (webhook === undefined) return;
  const target = new URL(webhook);
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      if (req.method === 'POST' && req.url === target.pathname)
        received.push(JSON.parse(body) as Notification);
      res.writeHead(200).end();
      for (const wake of waiters.splice(0)) wake();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server?.once('error', reject);
    server?.listen(Number(target.port), '127.0.0.1', resolve);
  });
});

afterAll(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

/** Resolves with the first notification that satisfies `match`, or fails after `ms`. */
async function notification(match: (n: Notification) => boolean, ms = 30_000): Promise<Notification> {
  const deadline = Date.now() + ms;
  for (;;) {
    const hit = received.find(match);
    if (hit) return hit;
    const left = deadline - Date.now();
    if (left <= 0)
      throw new Error(`no matching webhook notification within ${ms} ms (got ${received.length})`);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, left);
      waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

async function postAlerts(alerts: unknown[]): Promise<void> {
  const res = await fetch(`${alertmanagerUrl()}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(alerts),
  });
  expect(res.status).toBe(200);
}

describe('Alertmanager on loopback', () => {
  it('is ready and reports its version over API v2', async () => {
    const res = await fetch(`${alertmanagerUrl()}/api/v2/status`);
    expect(res.status).toBe(200);
    const status = (await res.json()) as { versionInfo: { version: string }; cluster: { status: string } };
    expect(status.versionInfo.version).toMatch(/^0\.\d+\.\d+/);
  });

  it('accepts an alert, lists it, and notifies the webhook receiver of firing and resolved', async () => {
    if (webhook === undefined) {
      throw new Error(
        'FAULTLINE_ALERTMANAGER_WEBHOOK_URL is not set: with an external FAULTLINE_ALERTMANAGER_URL, set it to the URL its default receiver posts to',
      );
    }
    const alertname = uniqueName('smoke_alert');
    const labels = { alertname, severity: 'critical', host: 'compute-07', hw_id: 'CPU0_DIMM_C1' };
    const annotations = { summary: 'Uncorrectable ECC error on CPU0_DIMM_C1' };
    const startsAt = new Date().toISOString();
    await postAlerts([{ labels, annotations, startsAt, generatorURL: 'http://127.0.0.1/faultline' }]);

    const listed = await fetch(
      `${alertmanagerUrl()}/api/v2/alerts?filter=${encodeURIComponent(`alertname="${alertname}"`)}`,
    );
    expect(listed.status).toBe(200);
    const alerts = (await listed.json()) as { labels: Record<string, string>; status: { state: string } }[];
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.labels).toEqual(labels);
    expect(alerts[0]?.status.state).toBe('active');

    const firing = await notification(
      (n) => n.status === 'firing' && n.alerts.some((a) => a.labels['alertname'] === alertname),
    );
    expect(firing.version).toBe('4');
    expect(firing.alerts).toHaveLength(1);
    expect(firing.alerts[0]?.labels).toEqual(labels);
    expect(firing.alerts[0]?.annotations).toEqual(annotations);

    // Ending the alert sends the resolved notification (send_resolved in the infra config).
    await postAlerts([{ labels, annotations, startsAt, endsAt: new Date().toISOString() }]);
    const resolved = await notification(
      (n) => n.status === 'resolved' && n.alerts.some((a) => a.labels['alertname'] === alertname),
    );
    expect(resolved.alerts[0]?.status).toBe('resolved');
  });
});

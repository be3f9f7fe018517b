import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/**
 * docker-compose.yml cannot be run here (no Docker engine), so its promises are checked as data:
 * every service healthy before its dependants, nothing published beyond loopback, Faultline wired to
 * the real servers by their compose names, Grafana provisioned with the shipped dashboards.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const read = (path: string) => readFileSync(resolve(root, path), 'utf8');

interface Service {
  image?: string;
  build?: unknown;
  environment?: Record<string, string | number> | string[];
  ports?: (string | { host_ip?: string; published?: string | number; target: number })[];
  volumes?: string[];
  healthcheck?: { test?: string | string[]; disable?: boolean };
  depends_on?: Record<string, { condition?: string }> | string[];
  command?: string[];
}
const compose = parse(read('docker-compose.yml')) as { services: Record<string, Service> };
const services = compose.services;

function env(service: Service): Record<string, string> {
  const raw = service.environment ?? {};
  if (Array.isArray(raw)) {
    return Object.fromEntries(raw.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  }
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, String(v)]));
}

describe('docker-compose.yml', () => {
  it('defines the whole distributed stack', () => {
    expect(Object.keys(services).sort()).toEqual(
      ['alertmanager', 'elasticsearch', 'faultline', 'grafana', 'kafka', 'postgres'].sort(),
    );
    expect(services['elasticsearch']?.image).toMatch(/elasticsearch:8\./);
    expect(services['kafka']?.image).toMatch(/^apache\/kafka:3\.9\./);
    expect(env(services['kafka']!)['KAFKA_PROCESS_ROLES']).toBe('broker,controller');
    expect(services['faultline']?.build).toBeDefined();
  });

  it.each(Object.keys(services))('gives %s a health check', (name) => {
    const check = services[name]?.healthcheck;
    expect(check?.disable).not.toBe(true);
    expect(check?.test, `${name} has no healthcheck.test`).toBeDefined();
    const test = Array.isArray(check?.test) ? check.test : [check?.test];
    expect(['CMD', 'CMD-SHELL']).toContain(test[0]);
    expect(test.length).toBeGreaterThan(1);
  });

  it.each(Object.keys(services))('publishes the ports of %s on 127.0.0.1 only', (name) => {
    const ports = services[name]?.ports ?? [];
    expect(ports.length, `${name} publishes no port`).toBeGreaterThan(0);
    for (const port of ports) {
      if (typeof port === 'string') expect(port).toMatch(/^127\.0\.0\.1:\d+:\d+(\/(tcp|udp))?$/);
      else expect(port.host_ip).toBe('127.0.0.1');
    }
  });

  it('points Faultline at the four servers by their compose names', () => {
    const vars = env(services['faultline']!);
    expect(vars['FAULTLINE_KAFKA_BROKERS']).toBe('kafka:9092');
    expect(vars['FAULTLINE_ES_URL']).toBe('http://elasticsearch:9200');
    expect(new URL(vars['FAULTLINE_PG_URL'] ?? '').host).toBe('postgres:5432');
    expect(new URL(vars['FAULTLINE_PG_URL'] ?? '').protocol).toBe('postgres:');
    expect(vars['FAULTLINE_ALERTMANAGER_URL']).toBe('http://alertmanager:9093');
    expect(vars['FAULTLINE_PORT']).toBe('8080');
    expect(vars['FAULTLINE_DATA_DIR']).toMatch(/^\//);
    // Published ports only reach a process listening beyond the container's own loopback.
    expect(vars['FAULTLINE_HOST']).toBe('0.0.0.0');
    expect(services['faultline']?.ports).toContain(`127.0.0.1:8080:${vars['FAULTLINE_PORT']}`);

    // The PostgreSQL credentials are the ones the postgres service creates.
    const pg = env(services['postgres']!);
    const url = new URL(vars['FAULTLINE_PG_URL'] ?? '');
    expect(url.username).toBe(pg['POSTGRES_USER']);
    expect(url.password).toBe(pg['POSTGRES_PASSWORD']);
    expect(url.pathname).toBe(`/${pg['POSTGRES_DB']}`);
  });

  it('starts Faultline only once every server it uses is healthy', () => {
    const deps = services['faultline']?.depends_on;
    expect(Array.isArray(deps)).toBe(false);
    for (const name of ['kafka', 'elasticsearch', 'postgres', 'alertmanager']) {
      expect((deps as Record<string, { condition?: string }>)[name]?.condition).toBe('service_healthy');
    }
    for (const [name, service] of Object.entries(services)) {
      for (const [dep, spec] of Object.entries(service.depends_on ?? {})) {
        expect(services[dep], `${name} depends on undefined ${dep}`).toBeDefined();
        expect((spec as { condition?: string }).condition, `${name} -> ${dep}`).toBe('service_healthy');
      }
    }
  });

  it('runs Alertmanager without clustering and with a webhook to Faultline', () => {
    expect(services['alertmanager']?.command).toContain('--cluster.listen-address=');
    const mount = services['alertmanager']?.volumes?.find((v) =>
      v.endsWith(':/etc/alertmanager/alertmanager.yml:ro'),
    );
    expect(mount).toBeDefined();
    const config = parse(read(mount!.split(':')[0]!)) as {
      route: { receiver: string };
      receivers: { name: string; webhook_configs?: { url: string }[] }[];
    };
    const receiver = config.receivers.find((r) => r.name === config.route.receiver);
    expect(receiver?.webhook_configs?.[0]?.url).toBe('http://faultline:8080/v1/integrations/alertmanager');
  });

  it('mounts the Grafana provisioning and dashboards that exist in the repo', () => {
    const volumes = services['grafana']?.volumes ?? [];
    expect(volumes).toContain('./dashboards/grafana/provisioning:/etc/grafana/provisioning:ro');
    expect(volumes).toContain('./dashboards/grafana/json:/var/lib/grafana/dashboards:ro');

    const datasources = parse(read('dashboards/grafana/provisioning/datasources/faultline.yaml')) as {
      datasources: { uid: string; type: string; url: string; jsonData: Record<string, unknown> }[];
    };
    const es = datasources.datasources.find((d) => d.uid === 'faultline-es');
    expect(es?.type).toBe('elasticsearch');
    expect(es?.url).toBe('http://elasticsearch:9200');
    expect(es?.jsonData['timeField']).toBe('@timestamp');
    expect(es?.jsonData['index']).toBe('logs-faultline.*');

    const providers = parse(read('dashboards/grafana/provisioning/dashboards/faultline.yaml')) as {
      providers: { type: string; options: { path: string } }[];
    };
    expect(providers.providers[0]?.type).toBe('file');
    expect(providers.providers[0]?.options.path).toBe('/var/lib/grafana/dashboards');
  });
});

describe('dashboards/grafana/json/fleet-overview.json', () => {
  interface Target {
    datasource: { uid: string };
    query: string;
    bucketAggs: { type: string; field: string }[];
  }
  const dashboard = JSON.parse(read('dashboards/grafana/json/fleet-overview.json')) as {
    uid: string;
    panels: { title: string; type: string; datasource: { uid: string }; targets: Target[] }[];
  };

  it('queries only the provisioned Elasticsearch datasource', () => {
    expect(dashboard.uid).toBeTruthy();
    for (const panel of dashboard.panels) {
      expect(panel.datasource.uid).toBe('faultline-es');
      for (const target of panel.targets) expect(target.datasource.uid).toBe('faultline-es');
    }
  });

  it('shows events per dataset over time and the top hosts by error count', () => {
    const perDataset = dashboard.panels.find((p) => p.title === 'Events per dataset');
    expect(perDataset?.type).toBe('timeseries');
    expect(perDataset?.targets[0]?.bucketAggs.map((b) => `${b.type}:${b.field}`)).toEqual([
      'terms:event.dataset',
      'date_histogram:@timestamp',
    ]);

    const topHosts = dashboard.panels.find((p) => p.title === 'Top hosts by error count');
    expect(topHosts?.targets[0]?.bucketAggs.map((b) => `${b.type}:${b.field}`)).toEqual(['terms:host.name']);
    expect(topHosts?.targets[0]?.query).toContain('event.severity:[0 TO 3]');
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  it('builds on node:20-bookworm-slim with npm ci and npm run build, and serves', () => {
    expect(dockerfile).toMatch(/^FROM node:20-bookworm-slim/m);
    expect(dockerfile).toMatch(/npm ci\b/);
    expect(dockerfile).toMatch(/npm run build\b/);
    // Same command as `npm run serve` (exec'd there so signals reach node): they must not drift apart.
    const serve = (JSON.parse(read('package.json')) as { scripts: { serve: string } }).scripts.serve;
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfile)?.[1];
    expect(cmd).toBeDefined();
    expect(`exec ${(JSON.parse(cmd!) as string[]).join(' ')}`).toBe(serve);
  });
});

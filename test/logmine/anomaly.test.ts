import { describe, expect, it } from 'vitest';
import { LogAnomalyDetector } from '../../src/logmine/anomaly.js';
import { MemoryTemplateRepository } from '../../src/logmine/template-repository.js';
import { TemplateTagger } from '../../src/logmine/template-tagger.js';
import type { FaultEvent } from '../../src/model/event.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');

function line(minute: number, second: number, message: string, service = 'nova-compute'): FaultEvent {
  const ts = new Date(T0 + minute * 60_000 + second * 1000).toISOString();
  return {
    '@timestamp': ts,
    'event.id': `${minute}-${second}-${message}`,
    'event.dataset': 'openstack.log',
    'event.kind': 'event',
    'event.severity': 6,
    'event.original': message,
    'service.name': service,
    'host.name': 'compute-1',
    message,
  };
}

/** An hour of a steady service: 10 claims and 2 audits a minute. */
function steadyHour(): FaultEvent[] {
  const out: FaultEvent[] = [];
  for (let m = 0; m < 60; m++) {
    for (let s = 0; s < 10; s++) out.push(line(m, s, `Claim successful for instance ${m * 100 + s}`));
    out.push(line(m, 30, `Auditing locally available compute resources for node cn-${m}`));
    out.push(line(m, 31, `Auditing locally available compute resources for node cn-${m + 1}`));
  }
  return out;
}

/**
 * Ingest tags (TemplateTagger, stateless in what it stores); the engine keeps the baselines
 * (LogAnomalyDetector, fed by EngineService): this is that chain without the bus between.
 */
function chain() {
  const tagger = new TemplateTagger();
  const detector = new LogAnomalyDetector();
  return async (events: FaultEvent[]) => {
    const tagged = await tagger.enrich(events);
    return { tagged, signals: detector.observe(tagged) };
  };
}

describe('log anomalies from template rates', () => {
  it('tags every OpenStack line with its template, adds no event, and finds nothing in a steady hour', async () => {
    const run = chain();
    const events = steadyHour();
    const { tagged, signals } = await run(events);
    expect(tagged).toHaveLength(events.length);
    expect(signals).toEqual([]);
    expect(new Set(events.map((e) => e['log.template.id'])).size).toBe(2);
  });

  it('reports a burst of one template on a service as a rate shift, in event time', async () => {
    const run = chain();
    await run(steadyHour());
    const burst: FaultEvent[] = [];
    for (let s = 0; s < 60; s++) burst.push(line(60, s, `Claim successful for instance ${9000 + s}`));
    burst.push(line(61, 0, 'Claim successful for instance 1'));
    const shifts = (await run(burst)).signals.filter((e) => e['event.action'] === 'log-template-rate-shift');
    expect(shifts).toHaveLength(1);
    expect(shifts[0]).toMatchObject({
      '@timestamp': new Date(T0 + 60 * 60_000).toISOString(),
      'event.kind': 'signal',
      'service.name': 'nova-compute',
      'labels.direction': 'up',
      'labels.count': '60',
      'log.template.id': burst[0]?.['log.template.id'],
    });
  });

  it('reports a template never seen on a service once the service is known, not at start-up', async () => {
    const run = chain();
    const first = await run(steadyHour());
    expect(first.signals.some((e) => e['event.action'] === 'log-template-new')).toBe(false);
    const out = await run([line(60, 5, 'Instance failed to spawn: libvirtError 42')]);
    const fresh = out.signals.filter((e) => e['event.action'] === 'log-template-new');
    expect(fresh).toHaveLength(1);
    expect(fresh[0]?.message).toMatch(/^new log template t[0-9a-f]+ on nova-compute$/);
  });

  it('gives the same anomaly events (same ids) on a replay', () => {
    const run = () => {
      const d = new LogAnomalyDetector({ warmupBuckets: 3, learnMs: 120_000 });
      const tagged = steadyHour().map((e) => ({
        ...e,
        'log.template.id': e.message.split(' ')[0] as string,
      }));
      tagged.push({ ...line(61, 0, 'x'), 'log.template.id': 'Boom' });
      return d.observe(tagged).map((e) => e['event.id']);
    };
    expect(run()).toEqual(run());
    expect(run().length).toBeGreaterThan(0);
  });

  it('restores templates from its repository and saves what changed', async () => {
    const repository = new MemoryTemplateRepository();
    const a = new TemplateTagger(repository, { countsEveryMs: 0 });
    await a.start();
    const events = steadyHour().slice(0, 24);
    await a.enrich(events);
    expect(repository.rows.size).toBe(2);
    const b = new TemplateTagger(repository, { countsEveryMs: 0 });
    await b.start();
    const again = steadyHour().slice(0, 24);
    await b.enrich(again);
    expect(again.map((e) => e['log.template.id'])).toEqual(events.map((e) => e['log.template.id']));
  });
});

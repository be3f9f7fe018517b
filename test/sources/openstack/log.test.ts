import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FaultEvent } from '../../../src/model/event.js';
import { frameText } from '../../../src/sources/framing.js';
import { openstackLogSource as source } from '../../../src/sources/openstack/log/index.js';
import { fuzzInputs, resultProblem } from '../../helpers/decoder-properties.js';
import { readFixture } from '../../helpers/fixtures.js';

function decodeAll(text: string, host?: string) {
  const frames = frameText(source.createFramer(), text);
  const events: FaultEvent[] = [];
  const rejected: Array<{ line: number; reason: string }> = [];
  for (const f of frames) {
    const r = source.decode(f.payload, {
      line: f.line,
      ...(host ? { host } : {}),
      ...(f.occurrence ? { occurrence: f.occurrence } : {}),
    });
    if (r.ok) events.push(...r.events);
    else rejected.push({ line: f.line, reason: r.reason });
  }
  return { frames, events, rejected };
}

describe('openstack-log on the Loghub OpenStack 2k sample', () => {
  const text = readFixture('loghub', 'OpenStack', 'OpenStack_2k.log');
  const { frames, events, rejected } = decodeAll(text, 'compute-7');

  it('decodes every one of the 2,000 lines, none rejected, ids unique', () => {
    expect(frames).toHaveLength(2000);
    expect(rejected).toEqual([]);
    expect(events).toHaveLength(2000);
    expect(new Set(events.map((e) => e['event.id'])).size).toBe(2000);
  });

  it('finds exactly the 31 WARNING lines and maps levels to syslog severities', () => {
    const warnings = events.filter((e) => e['log.level'] === 'WARNING');
    expect(warnings).toHaveLength(31);
    expect(new Set(warnings.map((e) => e['event.severity']))).toEqual(new Set([4]));
    const levels = new Set(events.map((e) => e['log.level']));
    expect([...levels].sort()).toEqual(['ERROR', 'INFO', 'WARNING'].filter((l) => levels.has(l)));
  });

  it('extracts service from the Loghub file prefix, logger, pid, request, user, project, instance', () => {
    const first = events[0]!;
    expect(first).toMatchObject({
      '@timestamp': '2017-05-16T00:00:00.008Z',
      'event.dataset': 'openstack.log',
      'service.name': 'nova-api',
      'log.logger': 'nova.osapi_compute.wsgi.server',
      'process.pid': 25746,
      'labels.request_id': 'req-38101a0b-2096-447d-96ea-a692162415ae',
      'user.id': '113d3a99c3da401fbd62cc2caa5b96d2',
      'cloud.project.id': '54fadb412c4e40cdbaed9335e4c35a9e',
      'host.name': 'compute-7',
    });
    expect(first.message.startsWith('10.11.10.1 "GET /v2/')).toBe(true);
    const services = new Map<string, number>();
    for (const e of events) services.set(e['service.name']!, (services.get(e['service.name']!) ?? 0) + 1);
    expect(Object.fromEntries(services)).toEqual({
      'nova-api': 1060,
      'nova-compute': 933,
      'nova-scheduler': 7,
    });
    const spawned = events.find((e) => e.message === 'Instance spawned successfully.')!;
    expect(spawned['cloud.instance.id']).toBe('b9000564-fe1a-409b-b8cc-1e88b294cd1d');
    expect(spawned['labels.request_id']).toBeUndefined(); // context was "[-]"
  });
});

describe('openstack-log formats beyond Loghub', () => {
  it('folds a traceback whose lines repeat the oslo prefix into the record that raised it', () => {
    const text = [
      '2024-03-01 10:00:00.123 4242 ERROR nova.compute.manager [req-11111111-2222-3333-4444-555555555555 admin demo - - -] [instance: 0d3a8f2c-1b9e-4d7a-9c1e-2f6b5a4c3d2e] Instance failed to spawn',
      '2024-03-01 10:00:00.123 4242 ERROR nova.compute.manager [instance: 0d3a8f2c-1b9e-4d7a-9c1e-2f6b5a4c3d2e] Traceback (most recent call last):',
      '2024-03-01 10:00:00.123 4242 ERROR nova.compute.manager [instance: 0d3a8f2c-1b9e-4d7a-9c1e-2f6b5a4c3d2e]   File "/usr/lib/python3/dist-packages/nova/compute/manager.py", line 2615, in _build_resources',
      '2024-03-01 10:00:00.123 4242 ERROR nova.compute.manager [instance: 0d3a8f2c-1b9e-4d7a-9c1e-2f6b5a4c3d2e]     yield resources',
      '2024-03-01 10:00:00.123 4242 ERROR nova.compute.manager [instance: 0d3a8f2c-1b9e-4d7a-9c1e-2f6b5a4c3d2e] nova.exception.PortBindingFailed: Binding failed for port 7a1c',
      '2024-03-01 10:00:01.000 4242 INFO nova.compute.manager [-] next record',
    ].join('\n');
    const { events, rejected } = decodeAll(text);
    expect(rejected).toEqual([]);
    expect(events).toHaveLength(2);
    const [failed, next] = events;
    expect(failed!.message).toBe('Instance failed to spawn');
    expect(failed!['error.type']).toBe('nova.exception.PortBindingFailed');
    expect(failed!['error.message']).toBe('Binding failed for port 7a1c');
    expect(failed!['error.stack_trace']).toContain('yield resources');
    expect(failed!['cloud.instance.id']).toBe('0d3a8f2c-1b9e-4d7a-9c1e-2f6b5a4c3d2e');
    expect(failed!['labels.request_id']).toBe('req-11111111-2222-3333-4444-555555555555');
    expect(failed!['user.id']).toBe('admin');
    expect(next!.message).toBe('next record');
  });

  it('folds a bare Python traceback and rejects a stray line after it', () => {
    const text = [
      '2024-03-01 10:00:00.123 77 ERROR ironic.conductor.manager [None req-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee admin admin - - - -] Deploy failed',
      'Traceback (most recent call last):',
      '  File "/opt/ironic/conductor/manager.py", line 10, in deploy',
      'ValueError: bad image',
      'this is not a log line',
      '2024-03-01 10:00:02.000 77 WARNING ironic.conductor.manager [-] after',
    ].join('\n');
    const { events, rejected } = decodeAll(text);
    expect(events.map((e) => e.message)).toEqual(['Deploy failed', 'after']);
    expect(events[0]!['error.type']).toBe('ValueError');
    expect(events[0]!['labels.request_id']).toBe('req-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee');
    expect(rejected).toEqual([{ line: 5, reason: expect.stringContaining('oslo.log format') }]);
  });

  it('strips ANSI colour codes but keeps event.original untouched', () => {
    const line = '\u001b[01;31m2024-03-01 10:00:00.123 9 ERROR neutron.agent [-] \u001b[00mport down';
    const r = source.decode(line, {});
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.events[0]).toMatchObject({
      'log.level': 'ERROR',
      message: 'port down',
      'service.name': 'neutron',
      'event.original': line,
    });
  });

  it('decodes oslo.log JSONFormatter lines', () => {
    const line = JSON.stringify({
      message: 'Lost connection to libvirt',
      asctime: '2024-03-01 10:00:00,123',
      name: 'nova.virt.libvirt.host',
      levelname: 'WARNING',
      created: 1709287200.123,
      process: 311,
      hostname: 'cmp-0042',
      context: { request_id: 'req-1', user_id: 'u1', project_id: 'p1' },
      extra: { project: 'nova', instance_uuid: '0d3a8f2c-1b9e-4d7a-9c1e-2f6b5a4c3d2e' },
      traceback: null,
    });
    const r = source.decode(line, { host: 'ignored-when-record-names-host' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.events[0]).toMatchObject({
      '@timestamp': '2024-03-01T10:00:00.123Z',
      'host.name': 'cmp-0042',
      'log.level': 'WARNING',
      'event.severity': 4,
      'process.pid': 311,
      'cloud.project.id': 'p1',
      'cloud.instance.id': '0d3a8f2c-1b9e-4d7a-9c1e-2f6b5a4c3d2e',
    });
  });

  it('gives byte-identical lines in one input distinct, stable ids', () => {
    const line = '2024-03-01 10:00:00.123 9 INFO nova.api [-] same';
    const a = decodeAll(`${line}\n${line}\n`).events.map((e) => e['event.id']);
    const b = decodeAll(`${line}\n${line}\n`).events.map((e) => e['event.id']);
    expect(new Set(a).size).toBe(2);
    expect(a).toEqual(b);
  });

  it('never throws, and everything it accepts carries the always-fields (property)', () => {
    // A plain line, an indented TRACE record, and a journald-wrapped devstack line with ANSI colours.
    const samples = [
      '2017-05-16 00:00:00.008 25746 INFO nova.osapi_compute.wsgi.server [req-38101a0b-2096-447d-96ea-a692162415ae a b - - -] msg',
      '    2015-05-22 12:43:01.844 46552 ERROR nova.compute.manager [instance: 1e2bd824-4e4e-44de-9b74-e30944a6edf5] failed\n    2015-05-22 12:43:01.844 46552 TRACE nova.compute.manager Traceback (most recent call last):\n    2015-05-22 12:43:01.844 46552 TRACE nova.compute.manager Exit code: 1',
      'Mar 05 10:12:44 devstack nova-compute[81234]: \u001b[01;31mERROR nova.compute.manager [\u001b[01;36mNone req-244527c1-6011-4ab1-8ec2-16cf64a0106e \u001b[00;36madmin admin\u001b[01;31m] \u001b[01;31mInstance failed to spawn\u001b[00m',
    ];
    fc.assert(
      fc.property(fc.oneof(...samples.map(fuzzInputs)), (input) => {
        const r = source.decode(input, { host: 'prop-host' });
        if (resultProblem(r, 'openstack.log') !== undefined) return false;
        return !r.ok || r.events.every((e) => e['event.original'] === input);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('openstack-log identity and line endings', () => {
  const line = '2017-05-16 00:00:00.008 25746 INFO nova.api [-] same bytes';
  const id = (host?: string) => {
    const r = source.decode(line, host === undefined ? {} : { host });
    return r.ok ? r.events[0]!['event.id'] : undefined;
  };

  it('gives the same bytes from two hosts two ids, and the same bytes from one host one id', () => {
    expect(id('cmp-1')).not.toBe(id('cmp-2'));
    expect(id('cmp-1')).toBe(id('cmp-1'));
  });

  it('accepts a record that kept its CR from a CRLF file', () => {
    const r = source.decode(`${line}\r`, {});
    expect(r.ok && r.events[0]!.message).toBe('same bytes');
  });
});

describe('openstack-log calendar checks', () => {
  const at = (date: string) => source.decode(`${date} 00:00:00.008 1 INFO nova.api [-] x`, {});

  it('refuses February 29th outside leap years (Date.parse would roll it to March 1st)', () => {
    expect(at('2017-02-29').ok).toBe(false);
    expect(at('1900-02-29').ok).toBe(false);
    const leap = at('2016-02-29');
    expect(leap.ok && leap.events[0]!['@timestamp']).toBe('2016-02-29T00:00:00.008Z');
    expect(at('2000-02-29').ok).toBe(true);
    expect(at('2017-04-31').ok).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { getSource } from '../../../src/sources/registry.js';
import { decodeText } from '../../helpers/decode-text.js';
import { readFixture } from '../../helpers/fixtures.js';

const source = getSource('openstack-log')!;
const INSTANCE = '1e2bd824-4e4e-44de-9b74-e30944a6edf5';
const REQ = 'req-244527c1-6011-4ab1-8ec2-16cf64a0106e';

// Generated in oslo.log's documented layouts (no licensed public paste exists): the text shape of
// Kilo-era nova-compute with logging_exception_prefix `… TRACE %(name)s %(instance)s`, and of
// devstack's journald format `%(color)s%(levelname)s %(name)s [%(request_id)s …] %(message)s`.
const TRACE_EXCERPT = [
  `2015-05-22 12:43:01.844 46552 ERROR nova.compute.manager [${REQ} None] [instance: ${INSTANCE}] Instance failed to spawn`,
  `2015-05-22 12:43:01.844 46552 TRACE nova.compute.manager [instance: ${INSTANCE}] Traceback (most recent call last):`,
  `2015-05-22 12:43:01.844 46552 TRACE nova.compute.manager [instance: ${INSTANCE}]   File "/usr/lib/python2.7/site-packages/nova/compute/manager.py", line 2231, in _build_resources`,
  `2015-05-22 12:43:01.844 46552 TRACE nova.compute.manager [instance: ${INSTANCE}]     yield resources`,
  `2015-05-22 12:43:01.844 46552 TRACE nova.compute.manager [instance: ${INSTANCE}] ProcessExecutionError: Unexpected error while running command.`,
  `2015-05-22 12:43:01.844 46552 TRACE nova.compute.manager [instance: ${INSTANCE}] Command: qemu-img convert -O raw /var/lib/nova/instances/_base/f5797db0.part`,
  `2015-05-22 12:43:01.844 46552 TRACE nova.compute.manager [instance: ${INSTANCE}] Exit code: 1`,
  `2015-05-22 12:43:01.846 46552 INFO nova.compute.manager [${REQ} None] [instance: ${INSTANCE}] Terminating instance`,
];

describe('openstack-log: logs as operators paste them', () => {
  it('reads the Operations Guide examples (real, indented as published): TRACE lines fold into the CRITICAL record', () => {
    const out = decodeText(
      source,
      readFixture('openstack', 'ops-guide', 'ops-logging_rst_cinder_trace.txt'),
      {
        host: 'ctl1',
      },
    );
    expect(out.rejected).toEqual([]);
    expect(out.events.map((e) => [e['log.level'], e['@timestamp']])).toEqual([
      ['CRITICAL', '2013-02-25T21:05:51.000Z'],
      ['ERROR', '2013-02-25T20:26:33.000Z'],
    ]);
    const critical = out.events[0]!;
    expect([critical['service.name'], critical['process.pid'], critical['error.type']]).toEqual([
      'cinder',
      17409,
      'VolumeBackendAPIException',
    ]);
    expect(critical['error.stack_trace']).toContain('check_for_setup_error');
  });

  it('folds TRACE lines into the error record, so level ERROR finds the traceback', () => {
    const out = decodeText(source, TRACE_EXCERPT.join('\n'), { host: 'cmp1' });
    expect(out.rejected).toEqual([]);
    expect(out.events.map((e) => e['log.level'])).toEqual(['ERROR', 'INFO']);
    const error = out.events[0]!;
    expect(error['error.type']).toBe('ProcessExecutionError');
    expect(error['error.stack_trace']).toContain('Exit code: 1');
    expect(error['cloud.instance.id']).toBe(INSTANCE);
  });

  it('reads an excerpt with a leading indent on every line as its records', () => {
    const indented = TRACE_EXCERPT.map((l) => `    ${l}`).join('\n');
    const out = decodeText(source, indented, { host: 'cmp1' });
    expect(out.rejected).toEqual([]);
    expect(out.events.map((e) => e['log.level'])).toEqual(['ERROR', 'INFO']);
    expect(out.events[0]!['@timestamp']).toBe('2015-05-22T12:43:01.844Z');
    expect(out.events[0]!['event.original']).toBe(
      TRACE_EXCERPT.slice(0, 7)
        .map((l) => `    ${l}`)
        .join('\n'),
    );
  });

  it('reads journald-wrapped devstack lines with ANSI colours, traceback folded', () => {
    const esc = '\u001b';
    const lines = [
      `Mar 05 10:12:44 devstack nova-compute[81234]: ${esc}[01;31mERROR nova.compute.manager [${esc}[01;36mNone ${REQ} ${esc}[00;36madmin admin${esc}[01;31m] ${esc}[01;35m[instance: ${INSTANCE}] ${esc}[01;31mInstance failed to spawn${esc}[00m`,
      `Mar 05 10:12:44 devstack nova-compute[81234]: ERROR nova.compute.manager [instance: ${INSTANCE}] Traceback (most recent call last):`,
      `Mar 05 10:12:44 devstack nova-compute[81234]: ERROR nova.compute.manager [instance: ${INSTANCE}]   File "/opt/stack/nova/nova/compute/manager.py", line 2743, in _build_resources`,
      `Mar 05 10:12:44 devstack nova-compute[81234]: ERROR nova.compute.manager [instance: ${INSTANCE}]     yield resources`,
      `Mar 05 10:12:44 devstack nova-compute[81234]: ERROR nova.compute.manager [instance: ${INSTANCE}] libvirt.libvirtError: internal error: qemu unexpectedly closed the monitor`,
      `Mar 05 10:12:45 devstack nova-compute[81234]: ${esc}[00;32mDEBUG oslo_concurrency.lockutils [${esc}[00;36mNone ${REQ} ${esc}[00;36madmin admin${esc}[00;32m] ${esc}[00;32mLock "compute_resources" released${esc}[00m`,
    ];
    const out = decodeText(source, lines.join('\n'), { receivedAt: '2026-03-06T00:00:00Z' });
    expect(out.rejected).toEqual([]);
    expect(out.events).toHaveLength(2);
    const [error, debug] = out.events;
    expect(error!['@timestamp']).toBe('2026-03-05T10:12:44.000Z');
    expect(error!['host.name']).toBe('devstack');
    expect(error!['service.name']).toBe('nova-compute');
    expect(error!['process.pid']).toBe(81234);
    expect(error!['log.level']).toBe('ERROR');
    expect(error!['labels.request_id']).toBe(REQ);
    expect(error!['cloud.instance.id']).toBe(INSTANCE);
    expect(error!['error.type']).toBe('libvirt.libvirtError');
    expect(error!['openstack.log.time_source']).toBe('journal_year_inferred');
    expect(debug!['log.logger']).toBe('oslo_concurrency.lockutils');
    expect(debug!.message).toBe('Lock "compute_resources" released');
  });
});

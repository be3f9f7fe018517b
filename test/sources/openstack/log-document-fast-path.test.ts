import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { osloDocumentFastPath } from '../../../src/sources/openstack/log/document-fast-path.js';
import { openstackLogSource } from '../../../src/sources/openstack/log/index.js';
import type { DecodeContext, DocumentFastPath } from '../../../src/sources/types.js';
import { expectSameAsDecode } from '../../helpers/document-fast-path.js';
import { readFixture } from '../../helpers/fixtures.js';

/**
 * The ingest pipeline's document fast path for openstack-log must write, for every record it takes,
 * exactly `documentJson` of what `decode` gives for that record and context (same id, same bytes),
 * and must take nothing that `decode` would refuse. Every test compares against the decoder.
 */

/** Runs one record both ways; returns whether the fast path took it. */
const expectSame = (fast: DocumentFastPath, record: string, ctx: DecodeContext = {}) =>
  expectSameAsDecode(openstackLogSource, 'openstack.log', fast, record, ctx, { eventsPerRecord: 1 });

const LOGHUB = readFixture('loghub', 'OpenStack', 'OpenStack_2k.log')
  .split('\n')
  .map((l) => l.replace(/\r$/, ''))
  .filter((l) => l !== '');
const A = '2017-05-16 00:00:00.008 25746 INFO nova.osapi_compute.wsgi.server';
const CTX =
  '[req-38101a0b-2096-447d-96ea-a692162415ae 113d3a99c3da401fbd62cc2caa5b96d2 54fadb412c4e40cdbaed9335e4c35a9e - - -]';

describe('openstack-log document fast path against decode + documentJson', () => {
  it('writes the same documents for every line of the Loghub OpenStack 2k sample, taking all of them', () => {
    const fast = osloDocumentFastPath();
    let took = 0;
    for (const line of LOGHUB) if (expectSame(fast, line)) took++;
    expect(LOGHUB).toHaveLength(2000);
    expect(took).toBe(2000);
    expect(fast.encoded).toBe(2000);
  });

  it('keeps the host hint and the occurrence in the id, switching hosts record by record', () => {
    const fast = osloDocumentFastPath();
    const hosts = ['bm-042', 'nœud "7"', undefined, '', 'bm-042', 'x'.repeat(2000)];
    for (const [i, line] of LOGHUB.slice(0, 60).entries()) {
      const host = hosts[i % hosts.length];
      const ctx: DecodeContext = { occurrence: i % 4 };
      if (host !== undefined) ctx.host = host;
      // A host hint too long for the id prefix's room goes the generic way.
      expect(expectSame(fast, line, ctx)).toBe(host === undefined || host.length < 1000);
    }
  });

  it('leaves tracebacks, JSON, ANSI, tabs, non-ASCII and malformed records to decode', () => {
    const fast = osloDocumentFastPath();
    const records = [
      `${A} ${CTX} first line\n${A} Traceback (most recent call last):\n  File "x.py", line 2\nValueError: bad`,
      '{"levelname": "INFO", "created": 1494892800.5, "message": "json line", "name": "nova.api"}',
      '\u001b[01;31m2017-05-16 00:00:02.000 2931 ERROR nova.compute.manager coloured\u001b[00m',
      `${A} tab\there`,
      `${A} héllo wörld`,
      `${A} \u0141 above latin-1`,
      `${A} ${CTX} carriage return\r`,
      `${A} nul \u0000 byte`,
      'stray text that is no record',
      '',
      `${A} long ${'x'.repeat(70_000)}`,
    ];
    for (const r of records) expect(expectSame(fast, r)).toBe(false);
    // And it still takes a plain record after all of those.
    expect(expectSame(fast, `${A} ${CTX} plain`)).toBe(true);
  });

  it('agrees on the edges of the head: dates, fractions, pids, levels, prefixes, contexts', () => {
    const fast = osloDocumentFastPath();
    const lines = [
      '2016-02-29 00:00:00.1 1 WARN a.b message',
      '2017-02-29 00:00:00.123 1 INFO a.b not a date',
      '1900-02-29 00:00:00.123 1 INFO a.b not a date either',
      '2000-02-29 00:00:00.123 1 INFO a.b a date',
      '2017-04-31 00:00:00.123 1 INFO a.b no such day',
      '0000-02-29 23:59:60,1234567 1 INFO a.b seven digits',
      '2017-05-16T24:00:00.000 1 INFO a.b hour 24',
      '2017-05-16T23:59:59.123456 0 INFO a.b pid zero',
      '2017-05-16 23:59:59 000123 DEBUG .logger leading zeros and a dot-first logger',
      '2017-05-16 23:59:59.5   77   AUDIT    spaced.logger    [req-38101a0b-2096-447d-96ea-a692162415ae] [instance: 0e0f1a2b-3c4d-5e6f-7a8b-9c0d1e2f3a4b] both',
      '2017-05-16 23:59:59.5 77 TRACE x [None req-38101a0b-2096-447d-96ea-a692162415ae u"1 p\\2 - - -] quotes in context',
      '2017-05-16 23:59:59.5 77 CRITICAL x [req-38101a0b-2096-447d-96ea-a692162415ae req-48101a0b-2096-447d-96ea-a692162415ae None -] global',
      '2017-05-16 23:59:59.5 77 ERROR x [req-38101a0b-2096-447d-96ea-a692162415ae req-48101a0b-2096-447d-96ea-a692162415ae u1 p2] global, user and project',
      '2017-05-16 23:59:59.5 77 FATAL x [instance: 0e0f1a2b-3c4d-5e6f-7a8b-9c0d1e2f3a4b]',
      '2017-05-16 23:59:59.5 77 INFO x [instance: 0E0F1A2B-3C4D-5E6F-7A8B-9C0D1E2F3A4B] upper case',
      '2017-05-16 23:59:59.5 77 INFO x',
      '2017-05-16 23:59:59.5 77 INFO x ',
      '2017-05-16 23:59:59.5 77 INFO',
      '2017-05-16 23:59:59.5 77 INFOX x message',
      'nova-compute.log 2017-05-16 00:00:00.008 1 INFO a.b prefixed',
      '/var/log/nova/.log.x.log 2017-05-16 00:00:00.008 1 INFO a.b dot-log first',
      'x.log 2017-05-16 00:00:00.008 1 INFO a.b short prefix',
      '.log 2017-05-16 00:00:00.008 1 INFO a.b prefix of only .log',
      '2017.log 2017-05-16 00:00:00.008 1 INFO a.b digit prefix',
      '{x.log 2017-05-16 00:00:00.008 1 INFO a.b brace first',
      'x.log  2017-05-16 00:00:00.008 1 ERROR a.b [ctx without end',
      'x.log 2017-05-16 00:00:00.008 1 ERROR a.b ["quoted" \\ back\\slash] "end"',
      '2017-05-16 00:00:00.008 12345678901234567 INFO a.b long pid',
      `nova-api.log.1 2017-05-16 00:00:00.008 25746 WARNING nova.x [req-38101a0b-2096-447d-96ea-a692162415ae - - - - -] "GET /v2 HTTP/1.1" status: 200`,
    ];
    // Every line decode accepts is one the fast path must write itself, but a pid of over 15 digits
    // (which it leaves to decode, as `faultline parse` does).
    const handedBack = lines.filter(
      (l) => !expectSame(fast, l, { host: 'bm-1', occurrence: 2 }) && openstackLogSource.decode(l, {}).ok,
    );
    expect(handedBack).toEqual(['2017-05-16 00:00:00.008 12345678901234567 INFO a.b long pid']);
  });

  it('writes the same documents for random oslo-like records (property)', () => {
    const piece = fc.oneof(
      fc.constantFrom(
        `${A} ${CTX} `,
        'nova-api.log.1 2017-05-16 00:00:00.008 25746 WARNING nova.x [req-38101a0b-2096-447d-96ea-a692162415ae - - - - -] ',
        '2017-05-16 00:00:00.008 25746 ERROR nova.compute.manager ',
        '2017-05-16 00:00:00.008 25746 CRITICAL nova.compute.manager [instance: 0e0f1a2b-3c4d-5e6f-7a8b-9c0d1e2f3a4b] ',
        '[req-38101a0b-2096-447d-96ea-a692162415ae req-48101a0b-2096-447d-96ea-a692162415ae u p] ',
        '"GET /v2 HTTP/1.1" status: 200',
        '\\',
        '"',
        '\t',
        '\n',
        '\u001b[0m',
        'é',
        '{',
        ' ',
        '\r',
      ),
      fc.string({ maxLength: 12 }),
    );
    const record = fc.array(piece, { minLength: 0, maxLength: 5 }).map((p) => p.join(''));
    const ctx = fc.record(
      {
        host: fc.constantFrom('bm-042', 'n"1', '', 'ü'),
        occurrence: fc.nat({ max: 3 }),
      },
      { requiredKeys: [] },
    );
    const fast = osloDocumentFastPath();
    let took = 0;
    fc.assert(
      fc.property(fc.array(fc.tuple(record, ctx), { minLength: 1, maxLength: 20 }), (cases) => {
        for (const [r, c] of cases) if (expectSame(fast, r, c)) took++;
      }),
      { numRuns: 300 },
    );
    // The generator makes plain records often enough that the comparison is not vacuous.
    expect(took).toBeGreaterThan(100);
  });
});

import { Writable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../../src/cli/parse.js';
import { osloFastPath } from '../../../src/sources/openstack/log/fast-path.js';
import type { ByteSink, Frame } from '../../../src/sources/types.js';
import { readFixture } from '../../helpers/fixtures.js';

/**
 * The byte fast path of `faultline parse --source openstack-log` must write exactly what the generic
 * path (framer, decode, JSON.stringify) writes: same events, same ids, same rejections, same order.
 * Every test here runs both and compares the bytes.
 */

function sink(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

async function* chunked(bytes: Buffer, cuts: number[]): AsyncGenerator<Buffer> {
  let at = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    if (cut <= at || cut >= bytes.length) continue;
    yield bytes.subarray(at, cut);
    at = cut;
  }
  yield bytes.subarray(at);
}

async function run(
  input: Buffer | AsyncIterable<unknown>,
  fastPath: boolean,
  options: { host?: string; cuts?: number[] } = {},
) {
  const out = sink();
  const err = sink();
  const summary = await parseCommand({
    source: 'openstack-log',
    input: Buffer.isBuffer(input) ? chunked(input, options.cuts ?? []) : input,
    stdout: out.stream,
    stderr: err.stream,
    fastPath,
    ...(options.host === undefined ? {} : { host: options.host }),
  });
  // The summary's last line carries the elapsed time; everything else must match byte for byte.
  const stderr = err.text().replace(/"seconds":[0-9.e+-]+/, '"seconds":0');
  return { stdout: out.text(), stderr, summary: { ...summary, seconds: 0 } };
}

async function expectSame(text: string | Buffer, options: { host?: string; cuts?: number[] } = {}) {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const generic = await run(bytes, false, options);
  const fast = await run(bytes, true, options);
  expect(fast.stdout).toBe(generic.stdout);
  expect(fast.stderr).toBe(generic.stderr);
  expect(fast.summary).toEqual(generic.summary);
  return generic;
}

/** Counts the records the fast path encodes itself for `text` (the rest went to the generic path). */
function encodedBy(text: string): number {
  const fast = osloFastPath();
  const out: ByteSink = { buffer: Buffer.alloc(1 << 22), used: 0, reserve: () => {} };
  const bytes = Buffer.from(text);
  const frames: Frame[] = [];
  let start = 0;
  let lineNo = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(10, start);
    if (end === -1) end = bytes.length;
    // Loghub's files are CRLF; the caller strips the CR.
    const stop = end > start && bytes[end - 1] === 13 ? end - 1 : end;
    frames.push(...fast.push(bytes, start, stop, ++lineNo, out));
    start = end + 1;
  }
  frames.push(...fast.end(out));
  return fast.encoded;
}

const LOGHUB = readFixture('loghub', 'OpenStack', 'OpenStack_2k.log');
const A = '2017-05-16 00:00:00.008 25746 INFO nova.osapi_compute.wsgi.server';
const CTX =
  '[req-38101a0b-2096-447d-96ea-a692162415ae 113d3a99c3da401fbd62cc2caa5b96d2 54fadb412c4e40cdbaed9335e4c35a9e - - -]';

describe('openstack-log byte fast path against the generic path', () => {
  it('writes the same bytes for the Loghub OpenStack 2k sample, encoding every line itself', async () => {
    const generic = await expectSame(LOGHUB, { cuts: [1, 2, 4096, 65_536, 100_000] });
    expect(generic.summary.events).toBe(2000);
    expect(encodedBy(LOGHUB)).toBe(2000);
  });

  it('writes the same bytes with a host hint (part of the id, and host.name), including one to escape', async () => {
    await expectSame(LOGHUB.split('\n').slice(0, 50).join('\n'), { host: 'bm-042' });
    await expectSame(LOGHUB.split('\n').slice(0, 50).join('\n'), { host: 'nœud "7"' });
  });

  it('hands tracebacks, JSON lines, ANSI colours, tabs and non-ASCII to the generic path and comes back', async () => {
    const text = [
      `${A} ${CTX} plain before`,
      '2017-05-16 00:00:01.000 2931 ERROR nova.compute.manager [instance: B9F5E0A2-0C4A-4B7B-9A5E-1234567890AB] Build failed',
      '2017-05-16 00:00:01.000 2931 ERROR nova.compute.manager Traceback (most recent call last):',
      '2017-05-16 00:00:01.000 2931 ERROR nova.compute.manager   File "/usr/lib/python2.7/nova/compute/manager.py", line 1, in f',
      '2017-05-16 00:00:01.000 2931 ERROR nova.compute.manager PortBindingFailed: Binding failed for port 1',
      `${A} ${CTX} plain after`,
      `${A} ${CTX} plain after`,
      'Traceback (most recent call last):',
      '  File "x.py", line 2, in <module>',
      'ValueError: bad',
      '{"levelname": "INFO", "created": 1494892800.5, "message": "json line", "name": "nova.api"}',
      '\u001b[01;31m2017-05-16 00:00:02.000 2931 ERROR nova.compute.manager coloured\u001b[00m',
      `${A} tab\there`,
      `${A} héllo wörld`,
      `${A} ${CTX} plain after`,
      '   ',
      '',
      `${A} ${CTX} plain after`,
      'stray text that is no record',
      `${A} ${CTX} plain last`,
    ].join('\n');
    const generic = await expectSame(text);
    expect(generic.summary.rejected).toBeGreaterThan(0);
    expect(encodedBy(text)).toBeGreaterThan(0);
  });

  it('numbers repeats alike across both modes (a repeat next to a traceback goes the generic way)', async () => {
    const line = `${A} ${CTX} same bytes`;
    const text = [
      line,
      line,
      '2017-05-16 00:00:00.008 25746 INFO nova.osapi_compute.wsgi.server Traceback (most recent call last):',
      '  File "x.py", line 2, in <module>',
      'ValueError: bad',
      line,
      line,
    ].join('\n');
    const generic = await expectSame(text);
    const ids = generic.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as Record<string, string>)['event.id']);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('agrees on the edges of the head: dates, fractions, pids, levels, prefixes, contexts', async () => {
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
    ];
    // Each case between two plain records, so that the fast path would have to write it itself.
    const plain = `${A} ${CTX} between`;
    const text = [plain, ...lines.flatMap((l) => [l, plain])];
    await expectSame(text.join('\n'));
    await expectSame(text.join('\r\n'));
    await expectSame(lines.join('\n'));
  });

  it('agrees on the shape of the input: BOM, CRLF, a last line without a break, a lone CR, long lines', async () => {
    const body = `${A} ${CTX} one\r\n${A} ${CTX} two\r\n\r\n${A} long ${'x'.repeat(70_000)}\n${A} last`;
    await expectSame(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body)]), {
      cuts: [1, 2, 3, 5],
    });
    await expectSame(`${body}\r`);
    await expectSame(Buffer.from([0xef, 0xbb]));
    await expectSame(
      Buffer.concat([
        Buffer.from(`${A} bad utf8 `),
        Buffer.from([0xe2, 0x82, 0x0a, 0xff]),
        Buffer.from(`\n${A} ok`),
      ]),
    );
  });

  it('writes the same bytes for random oslo-like input, cut into random chunks (property)', async () => {
    const piece = fc.oneof(
      fc.constantFrom(
        `${A} ${CTX} `,
        'nova-api.log.1 2017-05-16 00:00:00.008 25746 WARNING nova.x [req-38101a0b-2096-447d-96ea-a692162415ae - - - - -] ',
        '2017-05-16 00:00:00.008 25746 ERROR nova.compute.manager ',
        '2017-05-16 00:00:00.008 25746 ERROR nova.compute.manager Traceback (most recent call last):',
        '  File "a.py", line 1',
        'KeyError: x',
        '[instance: 0e0f1a2b-3c4d-5e6f-7a8b-9c0d1e2f3a4b] ',
        '"GET /v2 HTTP/1.1" status: 200',
        '\\',
        '\t',
        '\u001b[0m',
        'é',
        '{',
        ' ',
        '\r',
      ),
      fc.string({ maxLength: 12 }),
    );
    const line = fc.array(piece, { minLength: 0, maxLength: 5 }).map((p) => p.join(''));
    const input = fc.record({
      lines: fc.array(line, { minLength: 1, maxLength: 30 }),
      crlf: fc.boolean(),
      cuts: fc.array(fc.nat({ max: 4000 }), { maxLength: 4 }),
      host: fc.option(fc.constantFrom('bm-042', 'n"1'), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(input, async ({ lines, crlf, cuts, host }) => {
        const text = lines.join(crlf ? '\r\n' : '\n');
        const bytes = Buffer.from(text, 'utf8');
        const opts = host === undefined ? { cuts } : { cuts, host };
        const generic = await run(bytes, false, opts);
        const fast = await run(bytes, true, opts);
        expect(fast.stdout).toBe(generic.stdout);
        expect(fast.stderr).toBe(generic.stderr);
      }),
      { numRuns: 300 },
    );
  });

  it('reads a source that reuses one buffer for every chunk (an unfinished line is copied)', async () => {
    const whole = Buffer.from(`${A} first\n${A} second\n${A} third`);
    const reused = async function* () {
      const buf = Buffer.alloc(16);
      for (let at = 0; at < whole.length; at += 16) {
        const n = whole.copy(buf, 0, at, at + 16);
        yield buf.subarray(0, n);
      }
    };
    const generic = await run(reused(), false);
    const fast = await run(reused(), true);
    expect(fast.stdout).toBe(generic.stdout);
    expect(generic.summary.events).toBe(3);
  });

  it('leaves text chunks to the generic path (a lone surrogate, a BOM that is a character)', async () => {
    const text = async function* () {
      yield `\uFEFF${A} bom\n${A} x\uD83D`;
      yield `\uDE00y\n${A} lone \uD800 surrogate\n`;
    };
    const generic = await run(text(), false);
    const fast = await run(text(), true);
    expect(fast.stdout).toBe(generic.stdout);
    expect(fast.stderr).toBe(generic.stderr);
    expect(generic.summary.rejected).toBe(1);
  });

  it('writes a record bigger than the output buffer (a host hint of 1.1 million characters)', async () => {
    await expectSame(`${A} ${CTX} one\n${A} two`, { host: 'h'.repeat(1_100_000) });
  });
});

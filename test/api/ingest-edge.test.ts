import * as zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFixture } from '../helpers/fixtures.js';
import { auth, postIngest, startRuntime, waitForIngest } from '../helpers/runtime.js';

const SEL = readFixture('bmc', 'ipmi-sel', 'linuxfabrik', 'ipmitool_sel_elist_chassis-intrusion.txt');
const OPENSTACK = readFixture('loghub', 'OpenStack', 'OpenStack_2k.log').split('\n').slice(0, 3);

type DeadLetterEntry = { line?: number; reason: string; original: string; encoding: string; frame?: number };

describe('the HTTP ingest edge', () => {
  let t: Awaited<ReturnType<typeof startRuntime>>;
  beforeAll(async () => {
    t = await startRuntime({ overrides: { maxBodyBytes: 64 * 1024 } });
  });
  afterAll(() => t.close());

  const post = (source: string, payload: string | Buffer, headers: Record<string, string> = {}) =>
    postIngest(t.app, source, payload, { host: 'edge-test', headers });
  const deadLetters = async (source: string): Promise<DeadLetterEntry[]> => {
    await waitForIngest(t.app);
    const res = await t.app.inject({ url: `/v1/ingest/dead-letters?source=${source}`, headers: auth() });
    return res.json<{ entries: DeadLetterEntry[] }>().entries;
  };
  const hostCount = async (dataset: string) => {
    await waitForIngest(t.app);
    const res = await t.app.inject({
      url: `/v1/logs/search?host=edge-test&dataset=${dataset}&size=1`,
      headers: auth(),
    });
    return res.json<{ total: number }>().total;
  };

  it('keeps every rejected line of one upload as its own dead letter, with its own bytes and line', async () => {
    // One upload travels as one packed bus record: the lines share topic, partition and offset.
    const lines = ['%%% not a counter 1 %%%', '%%% not a counter 2 %%%', '%%% not a counter 3 %%%'];
    const res = await post('dpu-metrics', `${lines.join('\n')}\n`);
    expect(res.statusCode, res.body).toBe(202);
    const entries = (await deadLetters('dpu-metrics')).filter((e) => e.original.startsWith('%%%'));
    expect(entries.map((e) => [e.line, e.original]).sort()).toEqual(lines.map((l, i) => [i + 1, l]));
    expect(new Set(entries.map((e) => e.frame))).toEqual(new Set([0, 1, 2]));
    const metrics = (await t.app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/faultline_dead_letters_total\{source="dpu-metrics"\} 3/);
  });

  it('keeps the bytes of a line that is not UTF-8 (base64), and ingests the lines around it', async () => {
    const latin1 = Buffer.from(
      '2017-05-16 00:00:00.008 25746 INFO nova.compute Température élevée',
      'latin1',
    );
    const body = Buffer.concat([
      Buffer.from(`${OPENSTACK[0]}\n`, 'utf8'),
      latin1,
      Buffer.from(`\r\n${OPENSTACK[1]}\n`, 'utf8'),
    ]);
    const res = await post('openstack-log', body);
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toMatchObject({ accepted: 3 });
    const bad = (await deadLetters('openstack-log')).find((e) => e.encoding === 'base64');
    expect(bad).toMatchObject({ line: 2, reason: 'record is not valid UTF-8' });
    expect(Buffer.from(bad!.original, 'base64')).toEqual(latin1);
    expect(await hostCount('openstack.log')).toBe(2);
  });

  it('decompresses gzip, deflate and brotli bodies, and stores what the plain body stores', async () => {
    const plain = await post('ipmi-sel', SEL);
    expect(plain.statusCode, plain.body).toBe(202);
    const stored = await hostCount('bmc.sel');
    expect(stored).toBeGreaterThan(0);
    const codings: Array<[string, Buffer]> = [
      ['gzip', zlib.gzipSync(SEL)],
      ['deflate', zlib.deflateSync(SEL)],
      ['br', zlib.brotliCompressSync(SEL)],
    ];
    for (const [coding, body] of codings) {
      const res = await post('ipmi-sel', body, { 'content-encoding': coding });
      expect(res.statusCode, `${coding}: ${res.body}`).toBe(202);
      expect(res.json()).toMatchObject(plain.json<object>());
    }
    // Deterministic ids: the decompressed uploads are the same records, stored once.
    expect(await hostCount('bmc.sel')).toBe(stored);
    expect((await deadLetters('ipmi-sel')).length).toBe(0);
  });

  it('answers zstd with a decoded body where Node has zstd, and 415 naming the Node version otherwise', async () => {
    const z = zlib as unknown as { zstdCompressSync?: (b: string) => Buffer };
    const res = await post('ipmi-sel', z.zstdCompressSync?.(SEL) ?? Buffer.from('(zstd frame)'), {
      'content-encoding': 'zstd',
    });
    if (z.zstdCompressSync !== undefined) expect(res.statusCode, res.body).toBe(202);
    else {
      expect(res.json()).toMatchObject({ statusCode: 415, code: 'FAULTLINE_UNSUPPORTED_MEDIA_TYPE' });
      expect(res.json<{ message: string }>().message).toMatch(/Node\.js 22\.15/);
    }
  });

  it('applies the size limit to the decompressed body (no zip bombs), and refuses a corrupt one', async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(8 * 1024 * 1024, 'A'));
    expect(bomb.length).toBeLessThan(64 * 1024);
    const res = await post('openstack-log', bomb, { 'content-encoding': 'gzip' });
    expect(res.json()).toMatchObject({ statusCode: 413, code: 'FAULTLINE_PAYLOAD_TOO_LARGE' });
    const corrupt = await post('openstack-log', Buffer.from('not gzip at all'), {
      'content-encoding': 'gzip',
    });
    expect(corrupt.json()).toMatchObject({ statusCode: 400, code: 'FAULTLINE_VALIDATION' });
    const unknown = await post('openstack-log', 'x', { 'content-encoding': 'compress' });
    expect(unknown.json()).toMatchObject({ statusCode: 415, code: 'FAULTLINE_UNSUPPORTED_MEDIA_TYPE' });
  });

  it('takes text, NDJSON, JSON and octet-stream bodies, and answers 415 with the accepted list otherwise', async () => {
    for (const type of [
      'text/plain; charset=utf-8',
      'application/x-ndjson',
      'application/json',
      'application/octet-stream',
    ]) {
      const res = await post('openstack-log', OPENSTACK[2]!, { 'content-type': type });
      expect(res.statusCode, `${type}: ${res.body}`).toBe(202);
    }
    const multipart = await post(
      'ipmi-sel',
      `--x\r\nContent-Disposition: form-data; name="file"; filename="sel.txt"\r\n\r\n${SEL}\r\n--x--\r\n`,
      { 'content-type': 'multipart/form-data; boundary=x' },
    );
    expect(multipart.json()).toMatchObject({
      statusCode: 415,
      code: 'FAULTLINE_UNSUPPORTED_MEDIA_TYPE',
      details: {
        accepted: ['text/plain', 'application/x-ndjson', 'application/json', 'application/octet-stream'],
      },
    });
    for (const type of ['application/x-www-form-urlencoded', 'text/plain; charset=iso-8859-1']) {
      const res = await post('openstack-log', OPENSTACK[2]!, { 'content-type': type });
      expect(res.statusCode, type).toBe(415);
    }
  });
});

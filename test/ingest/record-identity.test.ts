import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { BusMessage } from '../../src/bus/types.js';
import { parseCommand } from '../../src/cli/parse.js';
import { packFrames } from '../../src/ingest/packing.js';
import { decodeBatch, sourcesByTopic } from '../../src/ingest/pipeline.js';
import { frameBytes, frameText } from '../../src/sources/framing.js';
import { getSource } from '../../src/sources/registry.js';
import { readFixture } from '../helpers/fixtures.js';
import { auth, postIngest, startRuntime, waitForIngest } from '../helpers/runtime.js';

// Loghub's OpenStack sample has CRLF line ends, as files copied from Windows hosts and many pastes do.
const CRLF_TEXT = readFixture('loghub', 'OpenStack', 'OpenStack_2k.log').split('\n').slice(0, 40).join('\n');
const TOPIC = 'faultline.openstack.log';
const RECEIVED = Date.parse('2026-01-02T03:04:05.000Z');

type Identity = { id: string; original: string };

const message = (
  offset: number,
  value: string | Buffer,
  headers: Record<string, string> = {},
): BusMessage => ({
  topic: TOPIC,
  partition: 0,
  offset: String(offset),
  key: 'compute-1',
  value: Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8'),
  headers,
  timestamp: RECEIVED,
});

function identities(messages: BusMessage[]): Identity[] {
  const outcome = decodeBatch(messages, sourcesByTopic('faultline'));
  expect(outcome.dead).toEqual([]);
  return outcome.events.map((e) => ({ id: e['event.id'], original: e['event.original'] }));
}

function collect(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  return {
    stream: new Writable({
      write(chunk, _enc, done) {
        chunks.push(Buffer.from(chunk));
        done();
      },
    }),
    text: () => Buffer.concat(chunks).toString('utf8'),
  };
}

async function viaParse(fastPath: boolean): Promise<Identity[]> {
  const out = collect();
  await parseCommand({
    source: 'openstack-log',
    input: Readable.from([Buffer.from(CRLF_TEXT, 'utf8')]),
    stdout: out.stream,
    stderr: collect().stream,
    host: 'compute-1',
    fastPath,
  });
  return out
    .text()
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, string>)
    .map((e) => ({ id: e['event.id']!, original: e['event.original']! }));
}

describe('one record, one id, whichever way it came', () => {
  it('gives a CRLF line the same event.id and event.original over raw Kafka, packed Kafka, HTTP, replay and parse', async () => {
    const source = getSource('openstack-log')!;
    expect(CRLF_TEXT).toContain('\r\n');

    // Raw records as a third-party producer sends a file's lines: the CR of CRLF stays in the value.
    const rawLines = CRLF_TEXT.split('\n').filter((l) => l.trim() !== '');
    expect(rawLines[0]!.endsWith('\r')).toBe(true);
    const raw = identities(rawLines.map((l, i) => message(i, l)));
    const rawCrlf = identities(rawLines.map((l, i) => message(i, `${l}\n`)));

    // Packed as the edge and `replay` publish them.
    const frames = frameText(source.createFramer(), CRLF_TEXT);
    const packed = identities(packFrames(frames).map((r, i) => message(i, r.value, r.headers)));

    // `replay` frames the file as a byte stream.
    const streamed: typeof frames = [];
    for await (const chunk of frameBytes(source.createFramer(), [Buffer.from(CRLF_TEXT, 'utf8')]))
      streamed.push(...chunk.frames);
    const replay = identities(packFrames(streamed).map((r, i) => message(i, r.value, r.headers)));

    const t = await startRuntime();
    let http: Identity[];
    try {
      const res = await postIngest(t.app, 'openstack-log', CRLF_TEXT, { host: 'compute-1' });
      expect(res.statusCode, res.body).toBe(202);
      await waitForIngest(t.app);
      const page = await t.app.inject({ url: '/v1/logs/search?size=100&order=asc', headers: auth() });
      http = page
        .json<{ events: Array<Record<string, string>> }>()
        .events.map((e) => ({ id: e['event.id']!, original: e['event.original']! }));
    } finally {
      await t.close();
    }

    const byId = (list: Identity[]) => [...list].sort((a, b) => a.id.localeCompare(b.id));
    expect(raw).toHaveLength(rawLines.length);
    expect(raw.every((r) => !r.original.includes('\r'))).toBe(true);
    for (const other of [rawCrlf, packed, replay, http, await viaParse(true), await viaParse(false)])
      expect(byId(other)).toEqual(byId(raw));
  });
});

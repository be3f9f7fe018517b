import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { LOGHUB_FORMATS } from '../../bench/logmine/loghub.js';
import { logmineCommand } from '../../src/cli/logmine.js';
import { openSqliteTemplates } from '../../src/logmine/sqlite-templates.js';
import { readFixture } from '../helpers/fixtures.js';

function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

async function run(text: string, options: { format?: string; source?: string; state?: string } = {}) {
  const out = sink();
  const err = sink();
  const input = new PassThrough();
  input.end(text);
  const store = options.state === undefined ? undefined : openSqliteTemplates(options.state);
  try {
    const summary = await logmineCommand({
      input,
      stdout: out.stream,
      stderr: err.stream,
      ...(options.format === undefined ? {} : { format: options.format }),
      ...(options.source === undefined ? {} : { source: options.source }),
      ...(store === undefined ? {} : { repository: await store.repository() }),
    });
    const lines = out
      .text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { line: number; template_id: string; template: string });
    return { summary, lines, stderr: err.text() };
  } finally {
    await store?.close();
  }
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('faultline logmine', () => {
  it('prints one JSON line per input line, mining the <Content> of a Loghub format', async () => {
    const text = readFixture('loghub', 'HDFS', 'HDFS_2k.log');
    const { lines, summary } = await run(text, { format: LOGHUB_FORMATS.HDFS as string });
    expect(lines).toHaveLength(2000);
    expect(lines[0]).toEqual({
      line: 1,
      template_id: expect.stringMatching(/^t[0-9a-f]{12}$/),
      template: 'PacketResponder <*> for block blk_<*> terminating',
    });
    expect(lines.map((l) => l.line)).toEqual(Array.from({ length: 2000 }, (_, i) => i + 1));
    expect(summary.templates).toBe(14);
    expect(summary.unmatched).toBe(0);
  });

  it('mines the whole line where the header does not match, and says how many', async () => {
    const { lines, summary } = await run('081109 203615 148 INFO dfs.X: hello 1\nno header here 2\n', {
      format: LOGHUB_FORMATS.HDFS as string,
    });
    expect(lines.map((l) => l.template)).toEqual(['hello <*>', 'no header here <*>']);
    expect(summary.unmatched).toBe(1);
  });

  it('mines the message a --source decoder gives', async () => {
    const text = readFixture('loghub', 'OpenStack', 'OpenStack_2k.log');
    const { lines, summary } = await run(text, { source: 'openstack-log' });
    expect(lines).toHaveLength(2000);
    expect(summary.rejected).toBe(0);
    expect(lines[0]?.template).toBe('<*> "GET <*> HTTP/<*>" status: <*> len: <*> time: <*>');
  });

  it('refuses a format without <Content>', async () => {
    await expect(run('x\n', { format: '<Date> <Time>' })).rejects.toThrow(/Content/);
  });

  it('restores templates from --state: the same ids after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'logmine-'));
    dirs.push(dir);
    const state = join(dir, 'state.db');
    const text = readFixture('loghub', 'Linux', 'Linux_2k.log');
    const [head, tail] = [
      text.split('\n').slice(0, 1000).join('\n'),
      text.split('\n').slice(1000).join('\n'),
    ];
    const first = await run(head, { format: LOGHUB_FORMATS.Linux as string, state });
    const second = await run(tail, { format: LOGHUB_FORMATS.Linux as string, state });
    const whole = await run(text, { format: LOGHUB_FORMATS.Linux as string });
    expect([...first.lines, ...second.lines].map((l) => l.template_id)).toEqual(
      whole.lines.map((l) => l.template_id),
    );
    expect(second.summary.templates).toBe(whole.summary.templates);
  });
});

import type { Writable } from 'node:stream';
import { compileLogFormat } from '../logmine/log-format.js';
import { TemplateMiner } from '../logmine/miner.js';
import type { TemplateRepository } from '../logmine/template-repository.js';
import { frameStream, lineFramer } from '../sources/framing.js';
import { getSource } from '../sources/registry.js';
import { isSourceId, SOURCE_IDS } from '../sources/types.js';

export interface LogmineSummary {
  lines: number;
  templates: number;
  created: number;
  /** Lines whose header did not match --format: mined whole, nothing dropped. */
  unmatched: number;
  /** Records the --source decoder rejected (reported on stderr one by one). */
  rejected: number;
  seconds: number;
}

/**
 * `faultline logmine`: one JSON line per input line (per record with --source) on stdout,
 * `{"line":N,"template_id":"…","template":"…"}`; a summary line on stderr at the end. The message
 * is the whole line, the `<Content>` of a Loghub `--format`, or the `message` a `--source`
 * decoder gives. With a repository, templates saved by earlier runs are restored first (same ids)
 * and what changed is saved at the end.
 */
export async function logmineCommand(options: {
  input: AsyncIterable<unknown>;
  stdout: Writable;
  stderr: Writable;
  source?: string;
  format?: string;
  repository?: TemplateRepository;
}): Promise<LogmineSummary> {
  if (options.source !== undefined && options.format !== undefined) {
    throw new Error('give --source or --format, not both');
  }
  const started = process.hrtime.bigint();
  const miner = new TemplateMiner();
  if (options.repository !== undefined) miner.load(await options.repository.loadAll());
  const summary: LogmineSummary = {
    lines: 0,
    templates: 0,
    created: 0,
    unmatched: 0,
    rejected: 0,
    seconds: 0,
  };
  const header = options.format === undefined ? undefined : compileLogFormat(options.format);
  let decode: ((payload: string, line: number) => string[] | undefined) | undefined;
  let framer = lineFramer();
  if (options.source !== undefined) {
    if (!isSourceId(options.source)) {
      throw new Error(`unknown source ${options.source}; one of: ${SOURCE_IDS.join(', ')}`);
    }
    const source = getSource(options.source);
    if (source === undefined) throw new Error(`source ${options.source} has no decoder yet`);
    framer = source.createFramer();
    const receivedAt = new Date().toISOString();
    decode = (payload, line) => {
      const result = source.decode(payload, { line, receivedAt });
      if (result.ok) return result.events.map((e) => e.message);
      summary.rejected++;
      options.stderr.write(`${JSON.stringify({ line, error: result.reason })}\n`);
      return undefined;
    };
  }
  const emit = (line: number, message: string, out: string[]) => {
    const result = miner.add(message);
    if (result.change === 'created') summary.created++;
    summary.lines++;
    out.push(JSON.stringify({ line, template_id: result.id, template: result.template }));
  };
  for await (const chunk of frameStream(framer, options.input)) {
    const out: string[] = [];
    for (const frame of chunk.frames) {
      if (decode !== undefined) {
        for (const message of decode(frame.payload, frame.line) ?? []) emit(frame.line, message, out);
        continue;
      }
      let message: string | undefined = frame.payload;
      if (header !== undefined) {
        message = header.content(frame.payload);
        if (message === undefined) {
          summary.unmatched++;
          message = frame.payload;
        }
      }
      emit(frame.line, message, out);
    }
    if (out.length > 0 && !options.stdout.write(`${out.join('\n')}\n`)) {
      await new Promise((resolve) => options.stdout.once('drain', resolve));
    }
  }
  if (options.repository !== undefined) {
    await options.repository.save(miner.takeChanges(), new Date().toISOString());
  }
  summary.templates = miner.size;
  summary.seconds = Number(process.hrtime.bigint() - started) / 1e9;
  options.stderr.write(`${JSON.stringify({ summary })}\n`);
  return summary;
}

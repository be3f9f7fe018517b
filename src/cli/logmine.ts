import type { Writable } from 'node:stream';
import { CatalogueMiner } from '../logmine/catalogue-miner.js';
import { compileLogFormat } from '../logmine/log-format.js';
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
 * decoder gives. With a repository, templates saved by earlier runs are restored first (same ids),
 * and templates are shared with whatever else mines into the same store, as ingest does.
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
  const catalogue = new CatalogueMiner(options.repository);
  await catalogue.start();
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
  for await (const chunk of frameStream(framer, options.input)) {
    const lines: number[] = [];
    const messages: string[] = [];
    for (const frame of chunk.frames) {
      if (decode !== undefined) {
        for (const message of decode(frame.payload, frame.line) ?? []) {
          lines.push(frame.line);
          messages.push(message);
        }
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
      lines.push(frame.line);
      messages.push(message);
    }
    const out = (await catalogue.mine(messages)).map((result, i) => {
      if (result.change === 'created') summary.created++;
      return JSON.stringify({ line: lines[i], template_id: result.id, template: result.template });
    });
    summary.lines += out.length;
    if (out.length > 0 && !options.stdout.write(`${out.join('\n')}\n`)) {
      await new Promise((resolve) => options.stdout.once('drain', resolve));
    }
  }
  await catalogue.flushCounts();
  summary.templates = catalogue.miner.size;
  summary.seconds = Number(process.hrtime.bigint() - started) / 1e9;
  options.stderr.write(`${JSON.stringify({ summary })}\n`);
  return summary;
}

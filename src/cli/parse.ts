import { createReadStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { frameStream, joinPath } from '../sources/framing.js';
import { getSource } from '../sources/registry.js';
import { type DecodeContext, type Frame, isSourceId, SOURCE_IDS } from '../sources/types.js';

export interface ParseSummary {
  source: string;
  records: number;
  decoded: number;
  events: number;
  rejected: number;
  lines: number;
  /** Lines the framer dropped on purpose (headers, banners), by kind. */
  skipped?: Record<string, number>;
  seconds: number;
}

/** Buffers writes into large chunks: one write per line would dominate the run time. */
class ChunkedWriter {
  private buffer = '';
  constructor(private readonly out: Writable) {}
  write(s: string): Promise<void> | undefined {
    this.buffer += s;
    return this.buffer.length >= 1 << 18 ? this.flush() : undefined;
  }
  flush(): Promise<void> | undefined {
    if (this.buffer === '') return undefined;
    const chunk = this.buffer;
    this.buffer = '';
    if (this.out.write(chunk)) return undefined;
    return new Promise((resolve) => this.out.once('drain', () => resolve()));
  }
}

/**
 * `faultline parse`: normalized events as NDJSON on stdout; each rejected record as one JSON line on
 * stderr with its line number and reason; a summary line at the end on stderr (DESIGN §6).
 */
export async function parseCommand(options: {
  source: string;
  input: NodeJS.ReadableStream;
  stdout: Writable;
  stderr: Writable;
  host?: string;
}): Promise<ParseSummary> {
  if (!isSourceId(options.source)) {
    throw new Error(`unknown source ${options.source}; one of: ${SOURCE_IDS.join(', ')}`);
  }
  const source = getSource(options.source);
  if (source === undefined) throw new Error(`source ${options.source} has no decoder yet`);
  const started = process.hrtime.bigint();
  const out = new ChunkedWriter(options.stdout);
  const err = new ChunkedWriter(options.stderr);
  const framer = source.createFramer();
  const summary: ParseSummary = {
    source: source.id,
    records: 0,
    decoded: 0,
    events: 0,
    rejected: 0,
    lines: 0,
    seconds: 0,
  };
  const receivedAt = new Date().toISOString();

  const handle = async (frames: Frame[]) => {
    for (const frame of frames) {
      summary.records++;
      const ctx: DecodeContext = { line: frame.line, receivedAt };
      if (options.host !== undefined) ctx.host = options.host;
      if (frame.occurrence !== undefined) ctx.occurrence = frame.occurrence;
      let result: ReturnType<typeof source.decode>;
      try {
        result = source.decode(frame.payload, ctx);
      } catch (error) {
        result = { ok: false, reason: `decoder failed: ${(error as Error).message}` };
      }
      if (result.ok) {
        summary.decoded++;
        for (const event of result.events) {
          summary.events++;
          const pending = out.write(`${JSON.stringify(event)}\n`);
          if (pending !== undefined) await pending;
        }
      } else {
        summary.rejected++;
        const rejection: Record<string, unknown> = { line: frame.line, reason: result.reason };
        const path = joinPath(frame.path, result.path);
        if (path !== undefined) rejection.path = path;
        const pending = err.write(`${JSON.stringify(rejection)}\n`);
        if (pending !== undefined) await pending;
      }
    }
  };

  for await (const chunk of frameStream(framer, options.input)) {
    summary.lines = chunk.lines;
    if (chunk.frames.length > 0) await handle(chunk.frames);
  }
  await out.flush();
  if (framer.skipped !== undefined) summary.skipped = { ...framer.skipped };
  summary.seconds = Number(process.hrtime.bigint() - started) / 1e9;
  err.write(`${JSON.stringify({ summary })}\n`);
  await err.flush();
  return summary;
}

export function openInput(file: string | undefined): NodeJS.ReadableStream {
  return file === undefined || file === '-'
    ? process.stdin
    : createReadStream(file, { highWaterMark: 1 << 20 });
}

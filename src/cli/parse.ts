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

const CHUNK_BYTES = 1 << 20;

/**
 * Encodes lines straight into 1 MB buffers and writes each buffer once it is full: one write per
 * line, or one growing string flattened later, would cost as much as decoding the line.
 */
class ChunkedWriter {
  private buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  private used = 0;
  constructor(private readonly out: Writable) {}

  /** Writes `text` and a newline. */
  writeLine(text: string): Promise<void> | undefined {
    // 3 bytes per UTF-16 unit is UTF-8's worst case, so the check never under-counts.
    const worst = text.length * 3 + 1;
    const pending = this.used + worst > CHUNK_BYTES ? this.flush() : undefined;
    if (worst > CHUNK_BYTES) {
      this.out.write(`${text}\n`);
      return pending;
    }
    this.used += this.buffer.write(text, this.used, 'utf8');
    this.buffer[this.used++] = 10;
    return pending;
  }

  flush(): Promise<void> | undefined {
    if (this.used === 0) return undefined;
    const chunk = this.buffer.subarray(0, this.used);
    // The stream keeps the chunk until it is written: the next lines go to a fresh buffer.
    this.buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    this.used = 0;
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
          const pending = out.writeLine(JSON.stringify(event));
          if (pending !== undefined) await pending;
        }
      } else {
        summary.rejected++;
        const rejection: Record<string, unknown> = { line: frame.line, reason: result.reason };
        const path = joinPath(frame.path, result.path);
        if (path !== undefined) rejection.path = path;
        const pending = err.writeLine(JSON.stringify(rejection));
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
  err.writeLine(JSON.stringify({ summary }));
  await err.flush();
  return summary;
}

export function openInput(file: string | undefined): NodeJS.ReadableStream {
  return file === undefined || file === '-'
    ? process.stdin
    : createReadStream(file, { highWaterMark: 1 << 20 });
}

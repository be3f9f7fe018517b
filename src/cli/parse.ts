import { createReadStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { frameStream, joinPath } from '../sources/framing.js';
import { getSource } from '../sources/registry.js';
import {
  type ByteSink,
  type DecodeContext,
  type Frame,
  type Framer,
  isSourceId,
  SOURCE_IDS,
} from '../sources/types.js';

const NO_FRAMES: Frame[] = [];

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
 * line, or one growing string flattened later, would cost as much as decoding the line. Full buffers
 * go to the stream at once; the caller awaits `drained()` between input chunks, so at most one
 * input chunk's output is queued beyond the stream's own buffer.
 */
class ChunkedWriter implements ByteSink {
  buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  used = 0;
  private drain: Promise<void> | undefined;
  constructor(private readonly out: Writable) {}

  reserve(bytes: number): void {
    if (this.used + bytes > this.buffer.length) this.flush();
    // One record bigger than a chunk (a huge --host) gets a buffer of its own size.
    if (bytes > this.buffer.length) this.buffer = Buffer.allocUnsafe(bytes);
  }

  /** Writes `text` and a newline. */
  writeLine(text: string): void {
    // 3 bytes per UTF-16 unit is UTF-8's worst case, so the check never under-counts.
    const worst = text.length * 3 + 1;
    if (worst > CHUNK_BYTES) {
      this.flush();
      this.send(Buffer.from(`${text}\n`));
      return;
    }
    this.reserve(worst);
    this.used += this.buffer.write(text, this.used, 'utf8');
    this.buffer[this.used++] = 10;
  }

  flush(): void {
    if (this.used === 0) return;
    const chunk = this.buffer.subarray(0, this.used);
    // The stream keeps the chunk until it is written: the next lines go to a fresh buffer.
    this.buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    this.used = 0;
    this.send(chunk);
  }

  private send(chunk: Buffer): void {
    if (!this.out.write(chunk) && this.drain === undefined) {
      this.drain = new Promise((resolve) =>
        this.out.once('drain', () => {
          this.drain = undefined;
          resolve();
        }),
      );
    }
  }

  /** Settles once the stream has taken what was written so far (at once if it already has). */
  drained(): Promise<void> | undefined {
    return this.drain;
  }
}

/**
 * `faultline parse`: normalized events as NDJSON on stdout; each rejected record as one JSON line on
 * stderr with its line number and reason; a summary line at the end on stderr (DESIGN §6). A source
 * with a byte fast path (NdjsonFastPath) takes the input as bytes; `fastPath: false` makes it go the
 * generic way (frame strings, decode, JSON.stringify), which the tests compare it with.
 */
export async function parseCommand(options: {
  source: string;
  input: NodeJS.ReadableStream | AsyncIterable<unknown>;
  stdout: Writable;
  stderr: Writable;
  host?: string;
  fastPath?: boolean;
}): Promise<ParseSummary> {
  if (!isSourceId(options.source)) {
    throw new Error(`unknown source ${options.source}; one of: ${SOURCE_IDS.join(', ')}`);
  }
  const source = getSource(options.source);
  if (source === undefined) throw new Error(`source ${options.source} has no decoder yet`);
  const started = process.hrtime.bigint();
  const out = new ChunkedWriter(options.stdout);
  const err = new ChunkedWriter(options.stderr);
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

  const handle = (frames: Frame[]): void => {
    for (const frame of frames) {
      summary.records++;
      const ctx: DecodeContext = { line: frame.line, receivedAt };
      if (options.host !== undefined) ctx.host = options.host;
      if (frame.occurrence !== undefined) ctx.occurrence = frame.occurrence;
      const result = source.decode(frame.payload, ctx);
      if (result.ok) {
        summary.decoded++;
        for (const event of result.events) {
          summary.events++;
          out.writeLine(JSON.stringify(event));
        }
      } else {
        summary.rejected++;
        const rejection: Record<string, unknown> = { line: frame.line, reason: result.reason };
        const path = joinPath(frame.path, result.path);
        if (path !== undefined) rejection.path = path;
        err.writeLine(JSON.stringify(rejection));
      }
    }
  };
  const drained = async () => {
    const pending = [out.drained(), err.drained()].filter((p) => p !== undefined);
    if (pending.length > 0) await Promise.all(pending);
  };

  // A stream that hands out strings (setEncoding, or text chunks from a caller) goes the generic way:
  // strings can hold lone surrogates that bytes cannot. The first chunk tells.
  const iterator = (options.input as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  const first = await iterator.next();
  const input = (async function* () {
    if (first.done === true) return;
    yield first.value;
    for (;;) {
      const next = await iterator.next();
      if (next.done === true) return;
      yield next.value;
    }
  })();
  const fast =
    options.fastPath === false || typeof first.value === 'string'
      ? undefined
      : source.createNdjsonFastPath?.(options.host === undefined ? {} : { host: options.host });
  let skipped: Readonly<Record<string, number>> | undefined;
  if (fast !== undefined) {
    let lines = 0;
    for await (const { bytes, last } of byteChunks(input)) {
      // Lines as frameStream cuts them: LF or CRLF, and a last line without a break.
      let at = 0;
      for (;;) {
        let nl = bytes.indexOf(10, at);
        if (nl === -1) {
          if (!last || at >= bytes.length) break;
          nl = bytes.length;
        }
        const end = nl > at && bytes[nl - 1] === 13 ? nl - 1 : nl;
        const frames = fast.push(bytes, at, end, ++lines, out);
        if (frames.length > 0) handle(frames);
        at = nl + 1;
      }
      if (last) handle(fast.end(out));
      summary.lines = lines;
      await drained();
    }
    summary.records += fast.encoded;
    summary.decoded += fast.encoded;
    summary.events += fast.encoded;
  } else {
    const framer = source.createFramer();
    // Each record is decoded as soon as the framer cuts it, not once per input chunk: the decoder
    // then finds the lines the framer has just parsed in their caches (oslo-format's head cache).
    const eager: Framer = {
      push(line, lineNo) {
        const frames = framer.push(line, lineNo);
        if (frames.length > 0) handle(frames);
        return NO_FRAMES;
      },
      end() {
        const frames = framer.end();
        if (frames.length > 0) handle(frames);
        return NO_FRAMES;
      },
    };
    for await (const chunk of frameStream(eager, input)) {
      summary.lines = chunk.lines;
      await drained();
    }
    skipped = framer.skipped;
  }
  out.flush();
  await drained();
  if (skipped !== undefined) summary.skipped = { ...skipped };
  summary.seconds = Number(process.hrtime.bigint() - started) / 1e9;
  err.writeLine(JSON.stringify({ summary }));
  err.flush();
  await drained();
  return summary;
}

/**
 * A byte stream in pieces that end with a line break (the last piece may not), so that no line is
 * split across two; a UTF-8 byte order mark at the start is dropped, as TextDecoder drops it. The
 * bytes of an unfinished line are copied (a source may reuse its chunk's memory) and joined once
 * its break arrives, so a very long line costs linear time.
 */
async function* byteChunks(input: AsyncIterable<unknown>): AsyncGenerator<{ bytes: Buffer; last: boolean }> {
  let open: Buffer[] = [];
  let atStart = true;
  for await (const chunk of input) {
    if (typeof chunk === 'string') {
      throw new Error('input mixes byte and string chunks; the byte fast path needs bytes throughout');
    }
    let data = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(
          (chunk as Uint8Array).buffer,
          (chunk as Uint8Array).byteOffset,
          (chunk as Uint8Array).length,
        );
    if (atStart) {
      const head = Buffer.concat([...open, data]);
      if (head.length < 3) {
        open = [head];
        continue;
      }
      atStart = false;
      open = [];
      data = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? head.subarray(3) : head;
    }
    const cut = data.lastIndexOf(10) + 1;
    if (cut === 0) {
      open.push(Buffer.from(data));
      continue;
    }
    const bytes = open.length === 0 ? data.subarray(0, cut) : Buffer.concat([...open, data.subarray(0, cut)]);
    open = cut < data.length ? [Buffer.from(data.subarray(cut))] : [];
    yield { bytes, last: false };
  }
  let bytes = Buffer.concat(open);
  if (atStart && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
  yield { bytes, last: true };
}

export function openInput(file: string | undefined): NodeJS.ReadableStream {
  return file === undefined || file === '-'
    ? process.stdin
    : createReadStream(file, { highWaterMark: 1 << 20 });
}

import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import { FaultlineError } from '../shared/errors.js';

/**
 * What the HTTP edge accepts as a request body, before any source sees it: the media types, the
 * content codings log shippers use (Fluent Bit, Vector and the OpenTelemetry Collector compress), and
 * bytes that are not UTF-8, which are kept as bytes instead of being turned into U+FFFD.
 */

/**
 * Media types the edge takes for every source: all sources read text records, and which layout a
 * record has (plain line, JSON line, JSON document) is the decoder's call. Anything else, such as the
 * multipart envelope of `curl -F` or a form encoding, would be ingested as garbage lines.
 */
export const ACCEPTED_MEDIA_TYPES = [
  'text/plain',
  'application/x-ndjson',
  'application/json',
  'application/octet-stream',
] as const;

const CHARSETS = new Set(['utf-8', 'utf8', 'us-ascii']);

/**
 * Checks a request's Content-Type against the accepted list: a missing header is taken as
 * `application/octet-stream` (RFC 9110 §8.3), a charset other than UTF-8 is refused.
 */
export function checkMediaType(header: string | undefined): void {
  if (header === undefined || header.trim() === '') return;
  const [type = '', ...params] = header.split(';').map((p) => p.trim().toLowerCase());
  const accepted: readonly string[] = ACCEPTED_MEDIA_TYPES;
  if (!accepted.includes(type)) {
    throw new FaultlineError(
      'FAULTLINE_UNSUPPORTED_MEDIA_TYPE',
      `content type ${type || header} is not accepted; send the raw records as one of: ${ACCEPTED_MEDIA_TYPES.join(', ')}`,
      { accepted: ACCEPTED_MEDIA_TYPES },
    );
  }
  const charset = params.find((p) => p.startsWith('charset='))?.slice('charset='.length);
  if (charset !== undefined && !CHARSETS.has(charset.replace(/^"|"$/g, ''))) {
    throw new FaultlineError(
      'FAULTLINE_UNSUPPORTED_MEDIA_TYPE',
      `charset ${charset} is not accepted; send UTF-8`,
      { accepted: ACCEPTED_MEDIA_TYPES, charsets: ['utf-8'] },
    );
  }
}

type Inflate = (buffer: Buffer, options: zlib.ZlibOptions | zlib.BrotliOptions) => Promise<Buffer>;

/** zstd is in Node's zlib from 22.15 on; on older Node the edge answers 415 for it. */
const zstd = (zlib as unknown as { zstdDecompress?: (...args: unknown[]) => void }).zstdDecompress;

const DECODERS: Record<string, Inflate> = {
  gzip: promisify(zlib.gunzip) as Inflate,
  'x-gzip': promisify(zlib.gunzip) as Inflate,
  // `deflate` is the zlib format by the RFC, raw deflate by some clients: unzip takes zlib and gzip.
  deflate: promisify(zlib.unzip) as Inflate,
  br: promisify(zlib.brotliDecompress) as Inflate,
  ...(zstd === undefined ? {} : { zstd: promisify(zstd) as Inflate }),
};

/** Content codings this build can decode (`identity` besides). */
export const ACCEPTED_ENCODINGS = Object.keys(DECODERS);

/** Checks Content-Encoding before the body is read. */
export function checkContentEncoding(header: string | undefined): void {
  for (const coding of codings(header)) {
    if (DECODERS[coding] === undefined) {
      throw new FaultlineError(
        'FAULTLINE_UNSUPPORTED_MEDIA_TYPE',
        coding === 'zstd'
          ? `content encoding zstd needs Node.js 22.15 or later (this is ${process.version}); use one of: ${ACCEPTED_ENCODINGS.join(', ')}`
          : `content encoding ${coding} is not supported; use one of: identity, ${ACCEPTED_ENCODINGS.join(', ')}`,
        { acceptedEncodings: ['identity', ...ACCEPTED_ENCODINGS] },
      );
    }
  }
}

function codings(header: string | undefined): string[] {
  if (header === undefined) return [];
  return header
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
}

/**
 * Undoes the request's content codings (in reverse order of application). The size limit holds for
 * the decoded bytes too, so a small compressed body cannot expand into gigabytes.
 */
export async function decodeContent(
  body: Buffer,
  header: string | undefined,
  limit: number,
): Promise<Buffer> {
  checkContentEncoding(header);
  let bytes = body;
  for (const coding of codings(header).reverse()) {
    try {
      bytes = await DECODERS[coding]!(bytes, { maxOutputLength: limit });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
        throw new FaultlineError(
          'FAULTLINE_PAYLOAD_TOO_LARGE',
          `the ${coding}-decoded body exceeds the ${limit}-byte limit (FAULTLINE_MAX_BODY_BYTES)`,
        );
      }
      throw new FaultlineError('FAULTLINE_VALIDATION', `the body is not valid ${coding} data`);
    }
  }
  return bytes;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export interface EdgeText {
  /** The body as text; lines that are not UTF-8 are left empty here, so line numbers still hold. */
  text: string;
  /** Lines that are not UTF-8, with their bytes (line break and a trailing CR removed). */
  invalidLines: Array<{ line: number; bytes: Buffer }>;
}

/**
 * The body as text, keeping lines that are not UTF-8 as bytes: they go to the bus as they are, and
 * the pipeline dead-letters them with those bytes (listed in base64), so nothing is lost or altered.
 */
export function splitText(bytes: Buffer): EdgeText {
  try {
    return { text: strictUtf8.decode(bytes), invalidLines: [] };
  } catch {
    // Rare: only then is the body walked line by line.
  }
  const lines: string[] = [];
  const invalidLines: EdgeText['invalidLines'] = [];
  let start = 0;
  while (start <= bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end === -1) end = bytes.length;
    let line = bytes.subarray(start, end);
    if (line.at(-1) === 0x0d) line = line.subarray(0, -1);
    try {
      lines.push(strictUtf8.decode(line));
    } catch {
      lines.push('');
      invalidLines.push({ line: lines.length, bytes: Buffer.from(line) });
    }
    start = end + 1;
  }
  return { text: lines.join('\n'), invalidLines };
}

import { describe, expect, it } from 'vitest';
import {
  foldingFramer,
  frameStream,
  frameText,
  joinPath,
  jsonFramer,
  lineFramer,
} from '../../src/sources/framing.js';

describe('jsonFramer', () => {
  it('cuts NDJSON, pretty documents, back-to-back documents and stray text into records with their first line', () => {
    const text = [
      '{"a":1}',
      '{"a":2}',
      '',
      '{',
      '  "b": "}{"',
      '}',
      '[1,',
      '2]{"c":3}',
      'not json',
      '{"a":1}',
    ].join('\n');
    expect(frameText(jsonFramer(), text)).toEqual([
      { payload: '{"a":1}', line: 1 },
      { payload: '{"a":2}', line: 2 },
      { payload: '{\n  "b": "}{"\n}', line: 4 },
      { payload: '[1,\n2]', line: 7 },
      { payload: '{"c":3}', line: 8 },
      { payload: 'not json', line: 9 },
      { payload: '{"a":1}', line: 10, occurrence: 1 },
    ]);
  });

  it('hands an unclosed document on at the end instead of dropping it', () => {
    expect(frameText(jsonFramer(), '{"a":\n  1')).toEqual([{ payload: '{"a":\n  1', line: 1 }]);
  });
});

describe('line framing', () => {
  it('drops blank lines, strips CR, counts repeats, and folds continuation lines', () => {
    expect(frameText(lineFramer(), 'x\r\n\r\ny\nx\n')).toEqual([
      { payload: 'x', line: 1 },
      { payload: 'y', line: 3 },
      { payload: 'x', line: 4, occurrence: 1 },
    ]);
    expect(
      frameText(
        foldingFramer((l) => l.startsWith(' ')),
        'a\n b\nc',
      ),
    ).toEqual([
      { payload: 'a\n b', line: 1 },
      { payload: 'c', line: 3 },
    ]);
  });
});

describe('joinPath', () => {
  it('places a decoder path inside the frame it was cut from', () => {
    expect(joinPath('$.Members[1]', '$.Created')).toBe('$.Members[1].Created');
    expect(joinPath('$.Members[1]', '$')).toBe('$.Members[1]');
    expect(joinPath(undefined, '$.x')).toBe('$.x');
    expect(joinPath('$.Events[0]', undefined)).toBe('$.Events[0]');
  });
});

describe('frameStream', () => {
  it('frames a byte stream like frameText, whatever the chunk boundaries (split UTF-8, split CRLF)', async () => {
    const text = 'héllo wörld\r\n\r\nsecond line\r\nno newline at end';
    const bytes = Buffer.from(text);
    const expected = frameText(lineFramer(), text);
    for (let cut = 1; cut < bytes.length; cut++) {
      const chunks = [bytes.subarray(0, cut), bytes.subarray(cut)];
      const frames = [];
      let last = { lines: 0, bytes: 0 };
      for await (const chunk of frameStream(lineFramer(), chunks)) {
        frames.push(...chunk.frames);
        last = chunk;
      }
      expect(frames, `cut at ${cut}`).toEqual(expected);
      expect(last).toMatchObject({ lines: 4, bytes: bytes.length });
    }
  });

  it('joins a line spread over many chunks once, with lines before and after it', async () => {
    const long = 'x'.repeat(100_000);
    const text = `first\n${long}\nlast`;
    const bytes = Buffer.from(text);
    const chunks: Buffer[] = [];
    for (let at = 0; at < bytes.length; at += 1000) chunks.push(bytes.subarray(at, at + 1000));
    const frames = [];
    for await (const chunk of frameStream(lineFramer(), chunks)) frames.push(...chunk.frames);
    expect(frames.map((f) => [f.line, f.payload.length])).toEqual([
      [1, 5],
      [2, 100_000],
      [3, 4],
    ]);
  });
});

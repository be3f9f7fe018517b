/** One InfluxDB line-protocol point: `measurement,tag=v field=v,field="s" [timestamp-ns]`. */
export interface Point {
  measurement: string;
  tags: Record<string, string>;
  fields: Record<string, string | number | boolean>;
  timestampNs?: string;
}

const BACKSLASH = 92;
const SPACE = 32;
const COMMA = 44;
const EQUALS = 61;
const QUOTE = 34;

/** Index of the next unescaped `stop` char (a char code) outside double quotes when `quotes` is set. */
function scan(line: string, from: number, stop: number, quotes: boolean): number {
  let inQuotes = false;
  for (let i = from; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === BACKSLASH) {
      i++;
      continue;
    }
    if (quotes && c === QUOTE) inQuotes = !inQuotes;
    else if (c === stop && !inQuotes) return i;
  }
  return line.length;
}

function unescapeKey(text: string): string {
  return text.includes('\\') ? text.replace(/\\(.)/g, '$1') : text;
}

const INTEGER_RE = /^-?\d+[iu]$/;
const FLOAT_RE = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

function fieldValue(raw: string): string | number | boolean | undefined {
  const first = raw.charCodeAt(0);
  if (first === QUOTE) {
    if (raw.length < 2 || raw.charCodeAt(raw.length - 1) !== QUOTE) return undefined;
    const body = raw.slice(1, -1);
    return body.includes('\\') ? body.replace(/\\(["\\])/g, '$1') : body;
  }
  const last = raw.charCodeAt(raw.length - 1);
  if ((last === 105 || last === 117) && INTEGER_RE.test(raw)) return Number(raw.slice(0, -1));
  if (FLOAT_RE.test(raw)) return Number(raw);
  if (raw === 't' || raw === 'T' || raw === 'true' || raw === 'True' || raw === 'TRUE') return true;
  if (raw === 'f' || raw === 'F' || raw === 'false' || raw === 'False' || raw === 'FALSE') return false;
  return undefined;
}

/**
 * Parses one line of InfluxDB line protocol, as Telegraf's outputs (and its netflow input's test
 * expectations) write it. Returns the point or the reason the line is not one.
 */
export function parseLineProtocol(line: string): Point | string {
  const keyEnd = scan(line, 0, SPACE, false);
  if (keyEnd === 0 || keyEnd >= line.length) return 'line protocol needs a measurement and fields';
  const key = line.slice(0, keyEnd);
  const comma = scan(key, 0, COMMA, false);
  const point: Point = { measurement: unescapeKey(key.slice(0, comma)), tags: {}, fields: {} };
  let i = comma + 1;
  while (i < key.length) {
    const end = scan(key, i, COMMA, false);
    const pair = key.slice(i, end);
    const eq = scan(pair, 0, EQUALS, false);
    if (eq >= pair.length) return `tag without a value: ${pair}`;
    point.tags[unescapeKey(pair.slice(0, eq))] = unescapeKey(pair.slice(eq + 1));
    i = end + 1;
  }
  const fieldsStart = keyEnd + 1;
  const fieldsEnd = scan(line, fieldsStart, SPACE, true);
  const fields = line.slice(fieldsStart, fieldsEnd);
  let j = 0;
  while (j < fields.length) {
    const end = scan(fields, j, COMMA, true);
    const pair = fields.slice(j, end);
    const eq = scan(pair, 0, EQUALS, false);
    if (eq >= pair.length) return `field without a value: ${pair}`;
    const value = fieldValue(pair.slice(eq + 1));
    if (value === undefined) return `field ${pair.slice(0, eq)} has an unreadable value`;
    point.fields[unescapeKey(pair.slice(0, eq))] = value;
    j = end + 1;
  }
  const rest = line.slice(fieldsEnd).trim();
  if (rest !== '') {
    if (!/^-?\d{1,19}$/.test(rest)) return `timestamp ${JSON.stringify(rest)} is not an integer`;
    point.timestampNs = rest;
  }
  return point;
}

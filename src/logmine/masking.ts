/**
 * Tokenizing and masking in one pass over the message, with no regular expression per line: the
 * miner sees whitespace-separated tokens in which every number, hex run, id, address and path has
 * become `<*>`. Masking works inside a token (`blk_-6952…` → `blk_<*>`, `node-246` → `node-<*>`,
 * `HWID=1973)` → `HWID=<*>)`), so the constant part of a token stays and keeps templates apart
 * that differ only there (`interface alt0` vs `interface scip0`). Adjacent masked pieces joined by
 * one separator collapse (`10.1.2.3:50010` → `<*>`, a UUID → `<*>`), so addresses of different
 * shapes give the same token.
 */
export const WILDCARD = '<*>';

enum C {
  Tab = 9,
  Space = 32,
  Quote = 34,
  Apostrophe = 39,
  OpenParen = 40,
  CloseParen = 41,
  Comma = 44,
  Dash = 45,
  Dot = 46,
  Slash = 47,
  D0 = 48,
  D9 = 57,
  Colon = 58,
  Semicolon = 59,
  Equals = 61,
  UpperA = 65,
  UpperF = 70,
  UpperX = 88,
  UpperZ = 90,
  OpenBracket = 91,
  CloseBracket = 93,
  Underscore = 95,
  LowerA = 97,
  LowerF = 102,
  LowerX = 120,
  LowerZ = 122,
  OpenBrace = 123,
  CloseBrace = 125,
}

const isDigit = (c: number): boolean => c >= C.D0 && c <= C.D9;
const isAlnum = (c: number): boolean =>
  (c >= C.D0 && c <= C.D9) || (c >= C.LowerA && c <= C.LowerZ) || (c >= C.UpperA && c <= C.UpperZ);
const isHex = (c: number): boolean =>
  (c >= C.D0 && c <= C.D9) || (c >= C.LowerA && c <= C.LowerF) || (c >= C.UpperA && c <= C.UpperF);
/** Characters that join the pieces of one value: `1.2.3.4:80`, UUIDs, MACs, dates, `3/4`. */
const isJoiner = (c: number): boolean =>
  c === C.Dot || c === C.Colon || c === C.Dash || c === C.Underscore || c === C.Slash || c === C.Comma;
/** Punctuation that may wrap a path: `(/var/log/x)`, `'/udev/vcs2'`, `/a/b.`. */
const isWrapper = (c: number): boolean =>
  c === C.OpenParen ||
  c === C.CloseParen ||
  c === C.OpenBracket ||
  c === C.CloseBracket ||
  c === C.OpenBrace ||
  c === C.CloseBrace ||
  c === C.Quote ||
  c === C.Apostrophe ||
  c === C.Comma ||
  c === C.Semicolon ||
  c === C.Colon ||
  c === C.Dot ||
  c === C.Equals;

/** Day and month names are parts of a date written out (`at Fri Jun 17 07:07:00 2005`). */
const CALENDAR_WORDS = new Set(
  [
    'Mon Tue Wed Thu Fri Sat Sun Monday Tuesday Wednesday Thursday Friday Saturday Sunday',
    'Jan Feb Mar Apr May Jun Jul Aug Sep Sept Oct Nov Dec January February March April June July August',
    'September October November December',
  ]
    .join(' ')
    .split(' '),
);

/** Appends a wildcard, merging it with a wildcard just before it (directly or across one joiner). */
function pushWildcard(out: string): string {
  if (out.endsWith(WILDCARD)) return out;
  const n = out.length;
  if (n >= 4 && isJoiner(out.charCodeAt(n - 1)) && out.endsWith(WILDCARD, n - 1)) return out.slice(0, n - 1);
  // A sign belongs to the number: `blk_-695…` and `blk_695…` are one shape.
  if (n >= 1 && out.charCodeAt(n - 1) === C.Dash && (n === 1 || !isAlnum(out.charCodeAt(n - 2)))) {
    return out.slice(0, n - 1) + WILDCARD;
  }
  // So does a bound written before a number that starts the token: `<1`, `>100`, `~5`.
  if (n === 1 && (out === '<' || out === '>' || out === '~')) return WILDCARD;
  return out + WILDCARD;
}

/**
 * A path (`/var/lib/x`, `/10.1.2.3:5000`, `file:///x`, `http://h/p`) inside a token, with the
 * punctuation around it kept: [start, end) of the path, or undefined.
 */
function pathSpan(token: string): [number, number] | undefined {
  let start = 0;
  while (start < token.length && isWrapper(token.charCodeAt(start))) start++;
  // `file=/etc/x`, `[file=/etc/x]`: a path as the value of a key.
  const eq = token.indexOf('=/', start);
  if (eq > start && token.indexOf('/', eq + 2) > 0) start = eq + 1;
  const scheme = token.indexOf('://', start);
  const isUrl = scheme > start && /^[A-Za-z][A-Za-z0-9+.-]*$/.test(token.slice(start, scheme));
  if (!isUrl) {
    if (token.charCodeAt(start) !== C.Slash) return undefined;
    // `/x` alone is not a path (a ratio, an option); `/a/b` is.
    if (token.indexOf('/', start + 1) < 0) return undefined;
  }
  let end = token.length;
  while (end > start + 1 && isWrapper(token.charCodeAt(end - 1))) end--;
  return [start, end];
}

/** Masks one token; returns the token itself when nothing in it is variable. */
export function maskToken(token: string): string {
  let hasDigit = false;
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (isDigit(c)) {
      hasDigit = true;
      break;
    }
  }
  const path = pathSpan(token);
  if (path !== undefined) return token.slice(0, path[0]) + WILDCARD + token.slice(path[1]);
  if (!hasDigit) return CALENDAR_WORDS.has(token) ? WILDCARD : token;
  let out = '';
  let i = 0;
  const n = token.length;
  while (i < n) {
    const c = token.charCodeAt(i);
    if (!isAlnum(c)) {
      out += token[i];
      i++;
      continue;
    }
    const chain = hexChainEnd(token, i);
    if (chain > i) {
      out = pushWildcard(out);
      i = chain;
      continue;
    }
    let j = i;
    let digits = false;
    let allHex = true;
    while (j < n) {
      const d = token.charCodeAt(j);
      if (!isAlnum(d)) break;
      if (isDigit(d)) digits = true;
      else if (!isHex(d)) allHex = false;
      j++;
    }
    if (!digits) {
      out += token.slice(i, j);
    } else if ((allHex && !isIndexedName(token, i, j)) || isHexLiteral(token, i, j)) {
      out = pushWildcard(out);
    } else {
      // Letters stay, digit runs go: `alt0` → `alt<*>`, `ksc2mo` → `ksc<*>mo`.
      let k = i;
      while (k < j) {
        if (isDigit(token.charCodeAt(k))) {
          while (k < j && isDigit(token.charCodeAt(k))) k++;
          out = pushWildcard(out);
        } else {
          const s = k;
          while (k < j && !isDigit(token.charCodeAt(k))) k++;
          out += token.slice(s, k);
        }
      }
    }
    i = j;
  }
  // `host.example.org:8080` is an address as `10.1.2.3:8080` is: the name goes with the port.
  return out.includes(':<*>') ? out.replace(HOST_PORT, '$1<*>') : out;
}

/** A dotted host name and a port (already masked) at the start of a token, after wrapping punctuation. */
const HOST_PORT =
  /^([([{'"]*)(?:[A-Za-z0-9-]|<\*>)+(?:\.(?:[A-Za-z0-9-]|<\*>)+)*\.[A-Za-z][A-Za-z0-9-]*:<\*>/;

/**
 * End of a UUID, MAC or other chain of hex groups joined by `-` or `:` starting at `start` (groups
 * without a digit, like UUID's `bdcc`, belong to it), or `start` when there is none.
 */
function hexChainEnd(token: string, start: number): number {
  let i = start;
  let groups = 0;
  let digits = false;
  let end = start;
  const n = token.length;
  for (;;) {
    const g = i;
    while (i < n && isHex(token.charCodeAt(i))) {
      if (isDigit(token.charCodeAt(i))) digits = true;
      i++;
    }
    if (i === g || (i < n && isAlnum(token.charCodeAt(i)))) break;
    groups++;
    end = i;
    const sep = token.charCodeAt(i);
    if (i + 1 < n && (sep === C.Dash || sep === C.Colon) && isHex(token.charCodeAt(i + 1))) i++;
    else break;
  }
  return groups >= 2 && digits ? end : start;
}

/**
 * `ee0`, `fc12`: a short name with an index, though every letter is a hex digit (a hex number
 * mixes its letters and digits; a device or interface name puts the index last).
 */
function isIndexedName(token: string, start: number, end: number): boolean {
  if (end - start > 6 || isDigit(token.charCodeAt(start))) return false;
  let k = start;
  while (k < end && !isDigit(token.charCodeAt(k))) k++;
  while (k < end && isDigit(token.charCodeAt(k))) k++;
  return k === end;
}

function isHexLiteral(token: string, start: number, end: number): boolean {
  if (end - start < 3 || token.charCodeAt(start) !== C.D0) return false;
  const x = token.charCodeAt(start + 1);
  if (x !== C.LowerX && x !== C.UpperX) return false;
  for (let k = start + 2; k < end; k++) if (!isHex(token.charCodeAt(k))) return false;
  return true;
}

/** Splits a message on whitespace and masks each token. */
export function maskMessage(message: string): string[] {
  const tokens: string[] = [];
  const n = message.length;
  let i = 0;
  while (i < n) {
    let c = message.charCodeAt(i);
    if (c === C.Space || c === C.Tab || c === 10 || c === 13) {
      i++;
      continue;
    }
    const start = i;
    while (i < n) {
      c = message.charCodeAt(i);
      if (c === C.Space || c === C.Tab || c === 10 || c === 13) break;
      i++;
    }
    tokens.push(maskToken(message.slice(start, i)));
  }
  return tokens;
}

const isSpace = (c: number): boolean => c === C.Space || c === C.Tab || c === 10 || c === 13;

/**
 * The masked message as the miner keys it: tokens masked as by `maskToken`, joined by one space,
 * with runs of one identical masked token collapsed (a list of any length is one parameter). One
 * pass over the message: a token with no digit, no `/`, no `<` and no capitalized calendar word is
 * itself, and runs of such tokens are copied as one slice; only the rest goes through `maskToken`.
 */
export function maskShape(message: string): string {
  let out = '';
  const n = message.length;
  // Pending run of unchanged tokens, copied as one slice when it ends.
  let runStart = -1;
  let runEnd = -1;
  // The last emitted token when it holds a wildcard (a repeat of it collapses), else ''.
  let last = '';
  // Where `last` starts in the output while it is not yet a bare wildcard, else -1.
  let lastAt = -1;
  // Where the output stood before a `(<*>` (it may open a quantity restated with its unit), else -1.
  let restating = -1;
  let i = 0;
  while (i < n) {
    let c = message.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    const start = i;
    let plain = true;
    for (; i < n; i++) {
      c = message.charCodeAt(i);
      if (isSpace(c)) break;
      if ((c >= C.D0 && c <= C.D9) || c === C.Slash || c === 60) plain = false;
    }
    const first = message.charCodeAt(start);
    if (plain && first >= C.UpperA && first <= C.UpperZ && i - start >= 3 && i - start <= 9) {
      plain = !CALENDAR_WORDS.has(message.slice(start, i));
    }
    if (plain && (last === WILDCARD || restating >= 0)) {
      // A unit after a number is part of the value (`5 sec`, `18.4 KB`); a quantity restated in
      // parentheses with its unit (`18846 bytes (18.4 KB)`) is that parameter again.
      const unit = unitEnd(message, start, i);
      if (unit === i && restating < 0) continue;
      if (unit === i - 1 && restating >= 0 && message.charCodeAt(i - 1) === C.CloseParen) {
        out = out.slice(0, restating);
        restating = -1;
        lastAt = -1;
        last = out.endsWith(WILDCARD) ? WILDCARD : '';
        continue;
      }
    }
    restating = -1;
    if (plain) {
      last = '';
      // One space since the run's end: the run goes on.
      if (runStart >= 0 && start === runEnd + 1 && message.charCodeAt(runEnd) === C.Space) {
        runEnd = i;
        continue;
      }
      if (runStart >= 0)
        out = out === '' ? message.slice(runStart, runEnd) : `${out} ${message.slice(runStart, runEnd)}`;
      runStart = start;
      runEnd = i;
      continue;
    }
    const masked = maskToken(message.slice(start, i));
    if (masked === last) {
      // A list of like items is one parameter, whatever its items are called (`an14 an15 bn3`).
      if (lastAt >= 0) out = `${out.slice(0, lastAt)}${WILDCARD}`;
      lastAt = -1;
      continue;
    }
    if (last === WILDCARD && (masked === '(<*>)' || masked === '(<*>%)')) continue;
    if (runStart >= 0) {
      out = out === '' ? message.slice(runStart, runEnd) : `${out} ${message.slice(runStart, runEnd)}`;
      runStart = -1;
    }
    if (masked === '(<*>') restating = out.length;
    out = out === '' ? masked : `${out} ${masked}`;
    lastAt = masked === WILDCARD ? -1 : out.length - masked.length;
    last = masked.includes(WILDCARD) ? masked : '';
  }
  if (runStart >= 0)
    out = out === '' ? message.slice(runStart, runEnd) : `${out} ${message.slice(runStart, runEnd)}`;
  return out;
}

/** Units of time and size that follow a number as a separate word. */
const UNITS = new Set(
  'ns us µs ms msec msecs sec secs second seconds min mins minute minutes h hr hrs hour hours B KB MB GB TB PB KiB MiB GiB TiB kB'.split(
    ' ',
  ),
);

/** End of the unit word at [start, end) (a `)` may follow it), or -1. */
function unitEnd(message: string, start: number, end: number): number {
  let e = end;
  if (message.charCodeAt(e - 1) === C.CloseParen) e--;
  if (e - start > 7 || e <= start) return -1;
  return UNITS.has(message.slice(start, e)) ? e : -1;
}

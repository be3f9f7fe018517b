import { FaultlineError } from '../shared/errors.js';

/**
 * The full-text language of `q`, the same on both stores: words, "quoted phrases", AND (also
 * implied between terms), OR, NOT (also a leading `-`) and parentheses. A term matches the message,
 * or, pasted whole, one of the id fields an SRE holds (a request id, an instance UUID, a hw.id, a
 * logger name, a fault class): `q=req-3ea4…` finds the records of that request although the id is
 * in `labels.request_id`, not in the message.
 */
export type TextQuery =
  | { kind: 'term'; text: string; words: string[] }
  | { kind: 'phrase'; words: string[] }
  | { kind: 'and' | 'or'; items: TextQuery[] }
  | { kind: 'not'; item: TextQuery };

/** Fields a pasted term is compared with exactly (besides the message). */
export const ID_FIELDS = [
  'labels.request_id',
  'cloud.instance.id',
  'hw.id',
  'log.logger',
  'hw.fault.class',
  'host.name',
] as const;

const MAX_TERMS = 32;

export function words(text: string): string[] {
  return text.split(/[^\p{L}\p{N}_]+/u).filter((w) => w.length > 0);
}

function bad(message: string): never {
  throw new FaultlineError('FAULTLINE_VALIDATION', `q: ${message}`, { parameter: 'q' });
}

type Token = { t: 'word'; v: string } | { t: 'phrase'; v: string } | { t: '(' | ')' | 'AND' | 'OR' | 'NOT' };

function lex(input: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')') {
      out.push({ t: c });
      i++;
    } else if (c === '"') {
      const end = input.indexOf('"', i + 1);
      if (end < 0) bad('a phrase has no closing quote');
      out.push({ t: 'phrase', v: input.slice(i + 1, end) });
      i = end + 1;
    } else if (c === '-' && (out.length === 0 || /[\s(]/.test(input[i - 1] ?? ' '))) {
      out.push({ t: 'NOT' });
      i++;
    } else {
      let j = i;
      while (j < input.length && !/[\s()"]/.test(input[j] as string)) j++;
      const v = input.slice(i, j);
      out.push(v === 'AND' || v === 'OR' || v === 'NOT' ? { t: v } : { t: 'word', v });
      i = j;
    }
  }
  return out;
}

export function parseTextQuery(input: string): TextQuery | undefined {
  const tokens = lex(input);
  let pos = 0;
  let leaves = 0;
  const peek = () => tokens[pos];
  const orExpr = (): TextQuery => {
    const items = [andExpr()];
    while (peek()?.t === 'OR') {
      pos++;
      items.push(andExpr());
    }
    return items.length === 1 ? (items[0] as TextQuery) : { kind: 'or', items };
  };
  const andExpr = (): TextQuery => {
    const items = [unary()];
    for (;;) {
      const next = peek();
      if (next === undefined || next.t === ')' || next.t === 'OR') break;
      if (next.t === 'AND') pos++;
      items.push(unary());
    }
    return items.length === 1 ? (items[0] as TextQuery) : { kind: 'and', items };
  };
  const unary = (): TextQuery => {
    const tok = tokens[pos++];
    if (tok === undefined) bad('ends where a term was expected');
    if (tok.t === 'NOT') return { kind: 'not', item: unary() };
    if (tok.t === '(') {
      const inner = orExpr();
      if (tokens[pos++]?.t !== ')') bad('a parenthesis is not closed');
      return inner;
    }
    if (tok.t === 'word' || tok.t === 'phrase') {
      if (++leaves > MAX_TERMS) bad(`more than ${MAX_TERMS} terms`);
      const w = words(tok.v);
      if (tok.t === 'phrase') {
        if (w.length === 0) bad('an empty phrase');
        return { kind: 'phrase', words: w };
      }
      return { kind: 'term', text: tok.v, words: w };
    }
    return bad(`unexpected ${tok.t}`);
  };
  if (tokens.length === 0) return undefined;
  const query = orExpr();
  if (pos < tokens.length) bad(`unexpected ${tokens[pos]?.t}`);
  if (onlyNegative(query)) bad('needs at least one term that is not negated');
  return query;
}

function onlyNegative(q: TextQuery): boolean {
  if (q.kind === 'not') return true;
  if (q.kind === 'and') return q.items.every(onlyNegative);
  if (q.kind === 'or') return q.items.some(onlyNegative);
  return false;
}

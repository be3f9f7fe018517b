/**
 * The Loghub `log_format` notation (`<Date> <Time> <Level> <Component>: <Content>`), read the way
 * logpai/logparser's `generate_logformat_regex` reads it: `<Name>` is a lazy field, runs of spaces
 * match any whitespace, and everything else is a regular-expression fragment (the published formats
 * use `\[<Pid>\]` and `(\[<PID>\])?`). The miner mines the `Content` field; the rest is header.
 */
export interface LogFormat {
  readonly fields: readonly string[];
  /** The message part of a line, or undefined when the line does not have this header. */
  content(line: string): string | undefined;
  /** Every field of a line, or undefined when the line does not have this header. */
  parse(line: string): Record<string, string> | undefined;
}

export class LogFormatError extends Error {
  override readonly name = 'LogFormatError';
}

export function compileLogFormat(format: string): LogFormat {
  const parts = format.split(/(<[^<>]+>)/);
  const fields: string[] = [];
  let source = '^';
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] ?? '';
    if (i % 2 === 0) {
      source += part.replace(/ +/g, '\\s+');
      continue;
    }
    const name = part.slice(1, -1);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new LogFormatError(`log format field <${name}> must be a word (letters, digits, _)`);
    }
    if (fields.includes(name)) throw new LogFormatError(`log format names <${name}> twice`);
    fields.push(name);
    source += `(?<${name}>.*?)`;
  }
  source += '$';
  if (!fields.includes('Content')) {
    throw new LogFormatError('log format has no <Content> field: it says where the message is');
  }
  let regex: RegExp;
  try {
    regex = new RegExp(source);
  } catch (error) {
    throw new LogFormatError(`log format is not a valid pattern: ${(error as Error).message}`);
  }
  return {
    fields,
    content(line) {
      return regex.exec(line)?.groups?.Content;
    },
    parse(line) {
      const groups = regex.exec(line)?.groups;
      return groups === undefined ? undefined : { ...groups };
    },
  };
}

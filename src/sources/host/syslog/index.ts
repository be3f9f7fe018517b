import type { SeverityCode } from '../../../model/event.js';
import { baseEvent } from '../../event-builder.js';
import { type DecodeContext, type DecodeResult, decoded, rejected, type Source } from '../../types.js';
import { syslogFramer } from './framer.js';
import { classifyHardware, classifyHpcState, classifyRasMcCtl } from './hardware.js';
import { parseLine } from './layouts.js';
import { referenceMs } from './time.js';

/** RFC 5424 §6.1 lets receivers cap messages; 64 KiB is far past any real log line. */
const MAX_LINE_BYTES = 64 * 1024;

const FACILITIES = [
  'kern',
  'user',
  'mail',
  'daemon',
  'auth',
  'syslog',
  'lpr',
  'news',
  'uucp',
  'cron',
  'authpriv',
  'ftp',
  'ntp',
  'security',
  'console',
  'solaris-cron',
  'local0',
  'local1',
  'local2',
  'local3',
  'local4',
  'local5',
  'local6',
  'local7',
] as const;

const SEVERITY_NAMES = [
  'emergency',
  'alert',
  'critical',
  'error',
  'warning',
  'notice',
  'informational',
  'debug',
];

const LONE_SURROGATE_RE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function utf8Length(text: string): number {
  // Most lines are short: only measure exactly when the length could reach the cap.
  return text.length * 3 <= MAX_LINE_BYTES ? text.length : Buffer.byteLength(text, 'utf8');
}

/** Why a line is not text a log store should keep, or undefined when it is. */
function invalidText(payload: string): string | undefined {
  if (payload.length > MAX_LINE_BYTES || utf8Length(payload) > MAX_LINE_BYTES) {
    return `line is longer than ${MAX_LINE_BYTES} bytes`;
  }
  const nul = payload.indexOf('\u0000');
  if (nul !== -1) return `line contains a NUL byte at column ${nul + 1} (binary data, not text)`;
  if (LONE_SURROGATE_RE.test(payload)) return 'line is not valid Unicode text (lone surrogate)';
  return undefined;
}

/** `sshd(pam_unix)` → `sshd`, `/usr/sbin/cron` → `cron`, `syslogd 1.4.1` → `syslogd`: the bare name ECS wants. */
function processName(tag: string): string {
  let end = tag.length;
  const paren = tag.indexOf('(');
  if (paren > 0) end = paren;
  const space = tag.indexOf(' ');
  if (space > 0 && space < end) end = space;
  const base = tag.slice(0, end);
  const slash = base.lastIndexOf('/');
  return slash >= 0 && slash < base.length - 1 ? base.slice(slash + 1) : base;
}

function decodeSyslog(payload: string, ctx: DecodeContext): DecodeResult {
  if (payload.trim() === '') return rejected('empty line is not a record');
  const invalid = invalidText(payload);
  if (invalid !== undefined) return rejected(invalid);

  const refMs = referenceMs(ctx.receivedAt);
  // A CR left by splitting a CRLF file on LF is line ending, not message text.
  const line = parseLine(payload.endsWith('\r') ? payload.slice(0, -1) : payload, refMs);
  const hw =
    line.layout === 'hpc'
      ? classifyHpcState(String(line.extra?.['syslog.hpc.state']), line.message)
      : line.layout === 'ras-mc-ctl'
        ? classifyRasMcCtl(line.message)
        : classifyHardware(line.message);
  let severity: SeverityCode = line.severity ?? 6;
  if (hw !== undefined && hw.severity < severity) severity = hw.severity;

  const event = baseEvent(
    {
      source: 'syslog',
      dataset: 'host.syslog',
      original: payload,
      timestamp: new Date(line.timeMs ?? refMs).toISOString(),
      severity,
      message: line.message,
    },
    ctx,
  );
  event['syslog.layout'] = line.layout;
  if (line.timeMs === undefined) event['syslog.time_source'] = 'received';
  else if (line.yearInferred === true) event['syslog.time_source'] = 'year_inferred';
  if (line.host !== undefined) event['host.name'] = line.host;
  if (line.program !== undefined) {
    const name = processName(line.program);
    event['process.name'] = name;
    if (name !== line.program) event['log.syslog.appname'] = line.program;
  }
  if (line.pid !== undefined) event['process.pid'] = line.pid;
  if (line.level !== undefined) event['log.level'] = line.level;
  if (line.facility !== undefined) {
    // ECS names these log.syslog.*; FaultEvent keeps them under syslog.* until the model adds them.
    event['log.syslog.facility.code'] = line.facility;
    event['log.syslog.facility.name'] = FACILITIES[line.facility] ?? String(line.facility);
    event['log.syslog.severity.code'] = line.severity;
    event['log.syslog.severity.name'] = SEVERITY_NAMES[line.severity ?? 6];
    event['log.syslog.priority'] = line.facility * 8 + (line.severity ?? 0);
  }
  if (line.extra !== undefined) {
    for (const key in line.extra) event[key as `syslog.${string}`] = line.extra[key];
  }
  if (hw !== undefined) {
    event['hw.type'] = hw.type;
    if (hw.id !== undefined) event['hw.id'] = hw.id;
    if (hw.faultClass !== undefined) event['hw.fault.class'] = hw.faultClass;
    if (hw.details !== undefined) {
      for (const key in hw.details) event[key as `syslog.${string}`] = hw.details[key];
    }
  }
  return decoded(event);
}

/**
 * Host logs, one line a record: RFC 5424, RFC 3164, `dmesg`, ISO-timestamped and plain text, and the
 * Loghub HDFS, HPC and Thunderbird layouts. Kernel hardware-error lines (EDAC, MCE, PCIe AER, block
 * I/O errors) also get `hw.*`. A line without a recognizable time is still decoded, at receive time
 * (`syslog.time_source: received`); only empty, binary (NUL) or oversized lines are rejected.
 */
export const syslogSource: Source = {
  id: 'syslog',
  dataset: 'host.syslog',
  description: 'Host syslog (RFC 3164/5424), dmesg and plain-text logs, with kernel hardware errors as hw.*',
  contentType: 'text/plain',
  createFramer: syslogFramer,
  decode: decodeSyslog,
};

import type { FaultEvent } from '../../../model/event.js';
import { baseEvent, toIso } from '../../event-builder.js';
import { referenceMs, withInferredYear } from '../../host/syslog/time.js';
import { type DecodeContext, type DecodeResult, rejected, type Source } from '../../types.js';
import { osloFastPath } from './fast-path.js';
import { osloFramer } from './framer.js';
import { type OsloHead, parseAnyHead, SEVERITY, serviceFromFile, stripAnsi } from './oslo-format.js';

const MAX_RECORD = 1024 * 1024;

function serviceFromLogger(logger: string): string | undefined {
  const dot = logger.indexOf('.');
  return dot > 0 ? logger.slice(0, dot) : logger || undefined;
}

function fill(event: FaultEvent, head: Omit<OsloHead, 'message' | 'timestamp'>): void {
  event['log.level'] = head.level;
  event['log.logger'] = head.logger;
  if (head.pid > 0) event['process.pid'] = head.pid;
  event['cloud.provider'] = 'openstack';
  const service =
    (head.filePrefix !== undefined ? serviceFromFile(head.filePrefix) : undefined) ??
    serviceFromLogger(head.logger);
  if (service !== undefined) event['service.name'] = service;
  if (head.filePrefix !== undefined) event['log.file.path'] = head.filePrefix;
  if (head.requestId !== undefined) event['labels.request_id'] = head.requestId;
  if (head.globalRequestId !== undefined) event['labels.global_request_id'] = head.globalRequestId;
  if (head.user !== undefined) event['user.id'] = head.user;
  if (head.project !== undefined) event['cloud.project.id'] = head.project;
  if (head.instance !== undefined) event['cloud.instance.id'] = head.instance;
  if (head.level === 'ERROR' || head.level === 'CRITICAL' || head.level === 'FATAL') {
    event['event.type'] = ['error'];
  }
}

function traceback(lines: string[]): { stack: string; type?: string; text?: string } {
  // Prefixed traceback lines keep only the text after the oslo prefix.
  const body = lines.map((l) => {
    const clean = stripAnsi(l);
    return parseAnyHead(clean)?.message ?? clean;
  });
  // The exception line is the first unindented `Name: text` after the last frame; ProcessExecutionError
  // and friends print more unindented lines after it (`Command: …`, `Exit code: 1`).
  let lastFrame = -1;
  for (let i = body.length - 1; i >= 0; i--) {
    if (body[i]!.startsWith(' ') || body[i]!.startsWith('\t')) {
      lastFrame = i;
      break;
    }
  }
  const isException = (l: string) => /^[\w.]+(?::|$)/.test(l) && !l.startsWith(' ');
  const last =
    (lastFrame >= 0 ? body.slice(lastFrame + 1).find(isException) : undefined) ??
    [...body].reverse().find(isException);
  const m = last === undefined ? null : /^([\w.]+)(?::\s?(.*))?$/.exec(last);
  const out: { stack: string; type?: string; text?: string } = { stack: body.join('\n') };
  if (m !== null) {
    out.type = m[1]!;
    if (m[2] !== undefined) out.text = m[2];
  }
  return out;
}

function decodeText(payload: string, ctx: DecodeContext): DecodeResult {
  const nl = payload.indexOf('\n');
  let first = stripAnsi(nl === -1 ? payload : payload.slice(0, nl));
  // Producers that split CRLF files on LF leave a CR behind (Loghub's files are CRLF).
  if (first.endsWith('\r')) first = first.slice(0, -1);
  const head = parseAnyHead(first);
  if (head === undefined) {
    return rejected(
      "line does not match the oslo.log format 'YYYY-MM-DD HH:MM:SS.mmm PID LEVEL logger [context] message' (bare, indented or journald-wrapped)",
    );
  }
  let timestamp = head.timestamp;
  const journal = head.journal;
  if (timestamp === '' && journal !== undefined) {
    const { month, day, hour, minute, second } = journal;
    const t = withInferredYear(month, day, hour, minute, second, 0, referenceMs(ctx.receivedAt));
    const iso = t === undefined ? undefined : toIso(t);
    if (iso === undefined) return rejected(`journald time '${first.slice(0, 15)}' is not a calendar date`);
    timestamp = iso;
  }
  const event = baseEvent(
    {
      source: 'openstack-log',
      dataset: 'openstack.log',
      original: payload,
      timestamp,
      severity: SEVERITY[head.level] ?? 6,
      message: head.message,
    },
    ctx,
  );
  fill(event, head);
  if (journal !== undefined) {
    event['host.name'] = journal.host;
    // devstack's units are `devstack@n-cpu`; the ident is the service (`nova-compute`).
    event['service.name'] = journal.ident;
    event['log.syslog.appname'] = journal.ident;
    if (head.timestamp === '') event['openstack.log.time_source'] = 'journal_year_inferred';
  }
  if (nl !== -1) {
    const tb = traceback(payload.slice(nl + 1).split('\n'));
    event['error.stack_trace'] = tb.stack;
    if (tb.type !== undefined) event['error.type'] = tb.type;
    if (tb.text !== undefined) event['error.message'] = tb.text;
  }
  return { ok: true, events: [event] };
}

type Json = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** oslo_log.formatters.JSONFormatter output: one JSON object a line. */
function decodeJson(payload: string, ctx: DecodeContext): DecodeResult {
  let doc: unknown;
  try {
    doc = JSON.parse(payload);
  } catch (error) {
    return rejected(`invalid JSON: ${(error as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    return rejected('expected a JSON object from oslo.log JSONFormatter');
  }
  const d = doc as Json;
  const level = str(d.levelname)?.toUpperCase();
  const created = typeof d.created === 'number' ? toIso(d.created * 1000) : undefined;
  const timestamp = created ?? (str(d.asctime) !== undefined ? toIso(`${d.asctime}Z`) : undefined);
  const message = str(d.message) ?? str(d.msg);
  if (level === undefined || timestamp === undefined || message === undefined) {
    return rejected('oslo.log JSON record needs levelname, created or asctime, and message', '$');
  }
  const context = (typeof d.context === 'object' && d.context !== null ? d.context : {}) as Json;
  const extra = (typeof d.extra === 'object' && d.extra !== null ? d.extra : {}) as Json;
  const event = baseEvent(
    {
      source: 'openstack-log',
      dataset: 'openstack.log',
      original: payload,
      timestamp,
      severity: SEVERITY[level] ?? 6,
      message,
    },
    ctx,
  );
  const instance = str(extra.instance_uuid) ?? str(context.instance_uuid) ?? str(context.resource_uuid);
  const head: Omit<OsloHead, 'message' | 'timestamp'> = {
    level: level === 'WARN' ? 'WARNING' : level,
    logger: str(d.name) ?? '',
    pid: typeof d.process === 'number' ? d.process : 0,
  };
  const requestId = str(context.request_id);
  if (requestId !== undefined) head.requestId = requestId;
  const globalRequestId = str(context.global_request_id);
  if (globalRequestId !== undefined) head.globalRequestId = globalRequestId;
  const user = str(context.user_id) ?? str(context.user);
  if (user !== undefined) head.user = user;
  const project = str(context.project_id) ?? str(context.tenant) ?? str(context.project);
  if (project !== undefined) head.project = project;
  if (instance !== undefined) head.instance = instance;
  fill(event, head);
  const binary = str(extra.project) ?? str(d.process_name);
  if (binary !== undefined && event['service.name'] === undefined) event['service.name'] = binary;
  const host = str(d.hostname);
  if (host !== undefined) event['host.name'] = host;
  if (Array.isArray(d.traceback) && d.traceback.length > 0) {
    const stack = d.traceback.filter((l): l is string => typeof l === 'string').join('');
    event['error.stack_trace'] = stack;
    const tb = traceback(stack.trimEnd().split('\n'));
    if (tb.type !== undefined) event['error.type'] = tb.type;
    if (tb.text !== undefined) event['error.message'] = tb.text;
  }
  return { ok: true, events: [event] };
}

function decode(payload: string, ctx: DecodeContext): DecodeResult {
  if (payload.length > MAX_RECORD) return rejected(`record is larger than ${MAX_RECORD} bytes`);
  if (payload.includes('\u0000')) return rejected('record contains NUL bytes');
  if (payload.charCodeAt(0) === 0x7b /* { */) return decodeJson(payload, ctx);
  return decodeText(payload, ctx);
}

/**
 * OpenStack service logs: oslo.log text (with Loghub's file-name prefix; pasted with an indent;
 * wrapped by journald, with ANSI colours, as devstack writes it) and oslo.log JSON lines.
 */
export const openstackLogSource: Source = {
  id: 'openstack-log',
  dataset: 'openstack.log',
  description: 'OpenStack service logs (oslo.log text, journald-wrapped oslo.log, JSONFormatter lines)',
  contentType: 'text/plain',
  createFramer: () => osloFramer(),
  decode,
  createNdjsonFastPath: osloFastPath,
};

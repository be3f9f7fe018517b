import type { Head } from './oslo-bytes.js';
import {
  again,
  ascii,
  inOriginal,
  LEVEL_IS_ERROR,
  LEVEL_NAME,
  LEVEL_SEVERITY,
  put,
  serviceRange,
  writeId,
  writeInstance,
  writeOriginal,
  writePid,
  writeTimestamp,
} from './oslo-write.js';

/**
 * Writes the NDJSON of a plain oslo.log record (read by oslo-bytes.ts) straight into a byte buffer:
 * the keys and order of `decode` in index.ts, the escaping of JSON.stringify.
 */

// The constant runs that depend only on the level, one piece each: fewer, longer copies.
/** From the end of event.id to the start of event.original. */
const BEFORE_ORIGINAL = LEVEL_SEVERITY.map((severity) =>
  ascii(
    `","event.dataset":"openstack.log","event.kind":"event","event.severity":${severity},"event.original":"`,
  ),
);
/** log.level up to the start of log.logger. */
const BEFORE_LOGGER = LEVEL_NAME.map((l) => ascii(`","log.level":"${l}","log.logger":"`));

const K = {
  open: ascii('{"@timestamp":"'),
  id: ascii('Z","event.id":"'),
  module: ascii('","event.module":"openstack-log","message":"'),
  pid: ascii('","process.pid":'),
  provider: ascii(',"cloud.provider":"openstack","service.name":"'),
  providerAfterLogger: ascii('","cloud.provider":"openstack","service.name":"'),
  path: ascii('","log.file.path":"'),
  request: ascii('","labels.request_id":"'),
  globalRequest: ascii('","labels.global_request_id":"'),
  user: ascii('","user.id":"'),
  project: ascii('","cloud.project.id":"'),
  instance: ascii('","cloud.instance.id":"'),
  error: ascii('","event.type":["error"]}'),
  close: ascii('"}'),
};

/** `","host.name":"<host>` for the host hint (the next constant closes the string), or undefined. */
export function flatHostField(host: string | undefined): Buffer | undefined {
  return host !== undefined && host !== ''
    ? Buffer.from(`","host.name":${JSON.stringify(host).slice(0, -1)}`, 'utf8')
    : undefined;
}

/** Writes the event of the plain record `h` (bytes in `b`) with its id and a newline; returns the new end. */
export function writeEvent(
  dst: Buffer,
  p: number,
  b: Buffer,
  h: Head,
  text: string,
  id: string,
  hostField: Buffer | undefined,
): number {
  p = put(dst, p, K.open);
  p = writeTimestamp(dst, p, b, h);
  p = put(dst, p, K.id);
  p = writeId(dst, p, id);
  p = put(dst, p, BEFORE_ORIGINAL[h.level]!);
  const originalAt = p;
  p = writeOriginal(dst, p, h, text);
  const at = (x: number) => inOriginal(h, originalAt, x);
  const messageAt = at(h.messageAt);
  const messageEnd = p;
  p = put(dst, p, K.module);
  p = again(dst, p, messageAt, messageEnd);
  if (hostField !== undefined) p = put(dst, p, hostField);
  p = put(dst, p, BEFORE_LOGGER[h.level]!);
  p = again(dst, p, at(h.loggerAt), at(h.loggerEnd));
  if (h.pid > 0) {
    p = put(dst, p, K.pid);
    p = writePid(dst, p, b, h);
    p = put(dst, p, K.provider);
  } else {
    p = put(dst, p, K.providerAfterLogger);
  }
  const [serviceAt, serviceEnd] = serviceRange(b, h);
  p = again(dst, p, at(serviceAt), at(serviceEnd));
  if (h.prefixEnd !== -1) {
    p = put(dst, p, K.path);
    p = again(dst, p, originalAt, at(h.prefixEnd));
  }
  if (h.reqAt !== -1) {
    p = put(dst, p, K.request);
    p = again(dst, p, at(h.reqAt), at(h.reqAt + 40));
  }
  if (h.globalReqAt !== -1) {
    p = put(dst, p, K.globalRequest);
    p = again(dst, p, at(h.globalReqAt), at(h.globalReqAt + 40));
  }
  if (h.userAt !== -1) {
    p = put(dst, p, K.user);
    p = again(dst, p, at(h.userAt), at(h.userEnd));
  }
  if (h.projectAt !== -1) {
    p = put(dst, p, K.project);
    p = again(dst, p, at(h.projectAt), at(h.projectEnd));
  }
  if (h.instanceAt !== -1) {
    p = put(dst, p, K.instance);
    p = writeInstance(dst, p, b, h);
  }
  p = put(dst, p, LEVEL_IS_ERROR[h.level] ? K.error : K.close);
  dst[p++] = 10;
  return p;
}

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
 * Writes the Elasticsearch document of a plain oslo.log record (read by oslo-bytes.ts) straight into
 * a byte buffer: `documentJson(decode(record))` byte for byte, i.e. the decoder's fields nested along
 * their ECS paths in the order their roots first appear in the event (model/document.ts). For the
 * fields the decoder writes that is:
 *
 *   {"@timestamp", "event":{id, dataset, kind, severity, original, module, type?}, "message",
 *    "host":{name}?, "log":{level, logger, file:{path}?}, "process":{pid}?,
 *    "cloud":{provider, project:{id}?, instance:{id}?}, "service":{name},
 *    "labels":{request_id, global_request_id?}?, "user":{id}?}
 */

/** From the end of event.id to the start of event.original. */
const BEFORE_ORIGINAL = LEVEL_SEVERITY.map((severity) =>
  ascii(`","dataset":"openstack.log","kind":"event","severity":${severity},"original":"`),
);
/** From the end of event.original to the start of message: the rest of `event`. */
const BEFORE_MESSAGE = LEVEL_IS_ERROR.map((error) =>
  ascii(`","module":"openstack-log"${error ? ',"type":["error"]' : ''}},"message":"`),
);
/** `log` up to its logger, after the message string or after the host object. */
const LOG_AFTER_MESSAGE = LEVEL_NAME.map((l) => ascii(`","log":{"level":"${l}","logger":"`));
const LOG_AFTER_HOST = LEVEL_NAME.map((l) => ascii(`,"log":{"level":"${l}","logger":"`));

const K = {
  open: ascii('{"@timestamp":"'),
  id: ascii('Z","event":{"id":"'),
  path: ascii('","file":{"path":"'),
  pathEnd: ascii('"}}'),
  logEnd: ascii('"}'),
  pid: ascii(',"process":{"pid":'),
  cloud: ascii(',"cloud":{"provider":"openstack"'),
  project: ascii(',"project":{"id":"'),
  instance: ascii(',"instance":{"id":"'),
  service: ascii('},"service":{"name":"'),
  request: ascii(',"labels":{"request_id":"'),
  globalRequest: ascii('","global_request_id":"'),
  user: ascii(',"user":{"id":"'),
  stringObjectEnd: ascii('"}'),
  end: ascii('}'),
};

/** `","host":{"name":<host>}` for the host hint (it closes the message string), or undefined. */
export function nestedHostField(host: string | undefined): Buffer | undefined {
  return host !== undefined && host !== ''
    ? Buffer.from(`","host":{"name":${JSON.stringify(host)}}`, 'utf8')
    : undefined;
}

/** Writes the document of the plain record `h` (bytes in `b`) with its id; returns the new end. */
export function writeDocument(
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
  p = put(dst, p, BEFORE_MESSAGE[h.level]!);
  p = again(dst, p, messageAt, messageEnd);
  if (hostField !== undefined) {
    p = put(dst, p, hostField);
    p = put(dst, p, LOG_AFTER_HOST[h.level]!);
  } else {
    p = put(dst, p, LOG_AFTER_MESSAGE[h.level]!);
  }
  p = again(dst, p, at(h.loggerAt), at(h.loggerEnd));
  if (h.prefixEnd !== -1) {
    p = put(dst, p, K.path);
    p = again(dst, p, originalAt, at(h.prefixEnd));
    p = put(dst, p, K.pathEnd);
  } else {
    p = put(dst, p, K.logEnd);
  }
  if (h.pid > 0) {
    p = put(dst, p, K.pid);
    p = writePid(dst, p, b, h);
    dst[p++] = 125; // }
  }
  p = put(dst, p, K.cloud);
  if (h.projectAt !== -1) {
    p = put(dst, p, K.project);
    p = again(dst, p, at(h.projectAt), at(h.projectEnd));
    p = put(dst, p, K.stringObjectEnd);
  }
  if (h.instanceAt !== -1) {
    p = put(dst, p, K.instance);
    p = writeInstance(dst, p, b, h);
    p = put(dst, p, K.stringObjectEnd);
  }
  p = put(dst, p, K.service);
  const [serviceAt, serviceEnd] = serviceRange(b, h);
  p = again(dst, p, at(serviceAt), at(serviceEnd));
  p = put(dst, p, K.stringObjectEnd);
  if (h.reqAt !== -1) {
    p = put(dst, p, K.request);
    p = again(dst, p, at(h.reqAt), at(h.reqAt + 40));
    if (h.globalReqAt !== -1) {
      p = put(dst, p, K.globalRequest);
      p = again(dst, p, at(h.globalReqAt), at(h.globalReqAt + 40));
    }
    p = put(dst, p, K.stringObjectEnd);
  }
  if (h.userAt !== -1) {
    p = put(dst, p, K.user);
    p = again(dst, p, at(h.userAt), at(h.userEnd));
    p = put(dst, p, K.stringObjectEnd);
  }
  return put(dst, p, K.end);
}

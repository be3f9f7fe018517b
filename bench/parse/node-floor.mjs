/**
 * The floor of the generic way of `faultline parse --source openstack-log` (`--no-fast-path`) in this
 * Node.js: the least work a program that builds each event as an object must do per line to produce
 * the same output, and nothing else. The byte fast path (src/sources/openstack/log/fast-path.ts)
 * builds no object and can run under it. Per line: one regex for the oslo
 * head, one sha256 for the event id, one object with the event's fields, JSON.stringify, and the
 * bytes written to /dev/null through 1 MB buffers. No framing of tracebacks, no validation, no
 * duplicate counting, no context parsing. Run by openstack-log.bench.ts beside the real command.
 *
 *   node bench/parse/node-floor.mjs <file>
 */
import { hash } from 'node:crypto';
import { closeSync, openSync, readSync, writeSync } from 'node:fs';

const HEAD =
  /^(?:(\S+?\.log\S*) )?(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:[.,](\d{1,6}))? +(\d+) +(TRACE|DEBUG|INFO|AUDIT|WARNING|WARN|ERROR|CRITICAL|FATAL) +(\S+)(?: |$)/;

const input = openSync(process.argv[2], 'r');
const output = openSync('/dev/null', 'w');
const inBuf = Buffer.allocUnsafe(1 << 20);
let outBuf = Buffer.allocUnsafe(1 << 20);
let used = 0;
let rest = '';
let lines = 0;
for (;;) {
  const n = readSync(input, inBuf, 0, inBuf.length, null);
  if (n === 0) break;
  const text = rest + inBuf.toString('utf8', 0, n);
  let start = 0;
  for (;;) {
    const end = text.indexOf('\n', start);
    if (end === -1) {
      rest = text.slice(start);
      break;
    }
    let line = text.slice(start, end);
    if (line.endsWith('\r')) line = line.slice(0, -1);
    start = end + 1;
    lines++;
    const m = HEAD.exec(line);
    if (m === null) continue;
    const message = line.slice(m[0].length);
    const event = {
      '@timestamp': `${m[2]}T${m[3]}.${m[4] ?? '000'}Z`,
      'event.id': hash('sha256', `openstack-log\u0000\u0000${line}`, 'base64url').slice(0, 22),
      'event.dataset': 'openstack.log',
      'event.kind': 'event',
      'event.severity': 6,
      'event.original': line,
      'event.module': 'openstack-log',
      message,
      'log.level': m[6],
      'log.logger': m[7],
      'process.pid': Number(m[5]),
      'cloud.provider': 'openstack',
      'service.name': m[7].split('.', 1)[0],
      'log.file.path': m[1],
      // The context fields, cut at fixed places: the real decoder finds them; here only their cost
      // as output counts.
      'labels.request_id': message.slice(1, 41),
      'user.id': message.slice(42, 74),
      'cloud.project.id': message.slice(75, 107),
    };
    const json = JSON.stringify(event);
    if (used + json.length * 3 + 1 > outBuf.length) {
      writeSync(output, outBuf, 0, used);
      outBuf = Buffer.allocUnsafe(1 << 20);
      used = 0;
    }
    used += outBuf.write(json, used, 'utf8');
    outBuf[used++] = 10;
  }
}
writeSync(output, outBuf, 0, used);
closeSync(input);
closeSync(output);
process.stderr.write(`${JSON.stringify({ lines })}\n`);

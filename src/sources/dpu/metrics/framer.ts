import { OccurrenceCounter } from '../../framing.js';
import type { Frame, Framer } from '../../types.js';
import { type CliFormat, cliFormatOf } from './cli-dumps.js';
import { OVS_PORT_RE } from './ovs.js';
import { familyOf, TYPE_LINE_RE } from './prometheus.js';

/** A scrape has a few thousand families; more means a runaway stream, so start over. */
const MAX_FAMILIES = 20_000;
const SAMPLE_NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
/** What a Prometheus sample line starts like: the cheap test that keeps scrapes off the CLI parsers. */
const PROMETHEUS_LIKE_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*(?:\{|\s+[-+]?(?:\d|\.\d|NaN|Inf))/;
const ANSI_RE = /\u001b\[[0-9;]*[A-Za-z]/g;
/** A block that waits for its closing line this long has lost it (a truncated paste): cut it here. */
const MAX_CLOSED_BLOCK_LINES = 64;

/** Lines around the records that are dropped on purpose, by kind (see `skipped`). */
export type MetricsSkipKind = 'comment' | 'command' | 'banner' | 'aggregate';
const SKIP_RULES: readonly [MetricsSkipKind, RegExp][] = [
  // A shell or testpmd prompt with the command that printed the dump.
  ['command', /^\s*(?:\[[^\]]*\]\s*)?[\w.@:~/-]*\s*[$#>]\s+\S/],
  ['banner', /^\s*OFPST_PORT(?:_DESC)? reply\b/],
  // l2fwd's frame around its per-port blocks, and its totals (the sum of the ports' counters).
  [
    'aggregate',
    /^\s*(?:Port|Aggregate) statistics =+\s*$|^\s*Total packets (?:sent|received|dropped):\s*\d+\s*$/,
  ],
  ['banner', /^\s*=+\s*$/],
];
/** testpmd's all-ports sum: a block of its own, dropped whole. */
const TESTPMD_ACCUMULATED_RE = /^\s*\++\s*Accumulated forward statistics for all ports\s*\++\s*$/;
const TESTPMD_ACCUMULATED_END_RE = /^\s*\+{10,}\s*$/;

const OVS_DUMP_PORTS: CliFormat = {
  format: 'ovs-dump-ports',
  start: OVS_PORT_RE,
  continues: /^[ \t]+\S/,
  parse: () => 'unused: ovs-ofctl dump-ports is decoded by parseOvsPorts',
};

/**
 * Frames DPU counter input, whose kinds may be mixed in one stream:
 *
 * - Prometheus text exposition: one sample line is one record. Comment lines (`# HELP`, `# EOF`,
 *   and any other `#` line) are not records and are dropped on purpose. A `# TYPE` line is
 *   remembered instead, and each sample of that family is handed on as the two-line record
 *   `# TYPE <family> <type>\n<sample>`: the record stays valid exposition text on its own (on the
 *   bus, in the dead-letter table) and the decoder knows whether it holds a counter or a gauge.
 * - JSON lines: one object a line is one record.
 * - `ovs-ofctl dump-ports`: the `port …: rx …` line and its indented continuation lines (tx,
 *   duration, CUSTOM Statistics) are one record; the `OFPST_PORT reply` header is dropped.
 * - Shell dumps (cli-dumps.ts): `ip -s -s link` (one interface block), `ethtool -S` (the command
 *   line, if pasted, and its `NIC statistics:` block), `ovs-appctl dpctl/show [-s]` (one datapath
 *   block), `dpctl/dump-flows` and `ovs-ofctl dump-flows` (one flow a line), `ovs-vsctl list
 *   interface` (one interface record, up to a blank line or the next `_uuid`), DPDK testpmd and
 *   l2fwd statistics (one port block). Prompts with the command, l2fwd's frame and totals and
 *   testpmd's all-ports sum are dropped on purpose (`skipped`).
 */
export function metricsFramer(): Framer & { readonly skipped: Readonly<Record<MetricsSkipKind, number>> } {
  const counter = new OccurrenceCounter();
  const types = new Map<string, string>();
  const skipped: Record<MetricsSkipKind, number> = { comment: 0, command: 0, banner: 0, aggregate: 0 };
  let block: (Frame & { format: CliFormat; lines: number }) | undefined;
  let inAccumulated = false;

  const frame = (payload: string, line: number): Frame => {
    const occurrence = counter.next(payload);
    return occurrence > 0 ? { payload, line, occurrence } : { payload, line };
  };
  const flush = (out: Frame[]): void => {
    if (block !== undefined) out.push(frame(block.payload, block.line));
    block = undefined;
  };
  const continues = (f: CliFormat, clean: string): boolean => {
    if (f.continues === undefined || !f.continues.test(clean)) return false;
    if (f === OVS_DUMP_PORTS) return !OVS_PORT_RE.test(clean);
    if (f.absorbs?.test(clean)) return true;
    // A record of `ovs-vsctl list` starts at its `_uuid`; testpmd blocks end at their closing rule.
    if (f.format === 'ovs-vsctl-interface') return !/^_uuid\s/.test(clean);
    return cliFormatOf(clean) === undefined;
  };

  return {
    skipped,
    push(line, lineNo) {
      const out: Frame[] = [];
      const clean = line.includes('\u001b') ? line.replace(ANSI_RE, '') : line;
      if (inAccumulated) {
        skipped.aggregate++;
        if (TESTPMD_ACCUMULATED_END_RE.test(clean)) inAccumulated = false;
        return out;
      }
      if (block !== undefined) {
        const f = block.format;
        if (f.closes?.test(clean)) {
          block.payload += `\n${line}`;
          flush(out);
          return out;
        }
        // Blocks with a closing line hold blank lines too (testpmd's throughput paragraph), up to a
        // bound: a paste cut before its closing line must not swallow the rest of the input.
        const open = f.closes === undefined || block.lines < MAX_CLOSED_BLOCK_LINES;
        const held = f.closes !== undefined && clean.trim() === '';
        if (open && (held || continues(f, clean))) {
          block.payload += `\n${line}`;
          block.lines++;
          return out;
        }
        flush(out);
      }
      if (clean.trim() === '') return out;
      if (PROMETHEUS_LIKE_RE.test(clean)) {
        const name = SAMPLE_NAME_RE.exec(line)?.[0];
        const type = name === undefined ? undefined : (types.get(name) ?? types.get(familyOf(name)));
        const family = name === undefined || types.has(name) ? name : familyOf(name);
        out.push(frame(type === undefined ? line : `# TYPE ${family} ${type}\n${line}`, lineNo));
        return out;
      }
      // JSON lines, and `ip -j -s link`'s one-line array.
      if (clean.charCodeAt(0) === 123 /* { */ || clean.charCodeAt(0) === 91 /* [ */) {
        out.push(frame(line, lineNo));
        return out;
      }
      const cli = OVS_PORT_RE.test(clean) ? OVS_DUMP_PORTS : cliFormatOf(clean);
      if (cli !== undefined) {
        if (cli.continues === undefined) out.push(frame(line, lineNo));
        else block = { payload: line, line: lineNo, format: cli, lines: 1 };
        return out;
      }
      if (TESTPMD_ACCUMULATED_RE.test(clean)) {
        skipped.aggregate++;
        inAccumulated = true;
        return out;
      }
      if (clean.charCodeAt(0) === 35 /* # */) {
        const t = TYPE_LINE_RE.exec(line);
        if (t !== null) {
          if (types.size >= MAX_FAMILIES) types.clear();
          types.set(t[1]!, t[2]!);
        } else skipped.comment++;
        return out;
      }
      for (const [kind, re] of SKIP_RULES) {
        if (re.test(clean)) {
          skipped[kind]++;
          return out;
        }
      }
      // Anything else is handed on as it is: the decoder rejects it with a reason.
      out.push(frame(line, lineNo));
      return out;
    },
    end() {
      const out: Frame[] = [];
      flush(out);
      return out;
    },
  };
}

import type { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Engine, type EngineStats } from '../engine/engine.js';
import { loadRuleDir } from '../engine/rules/load.js';
import { StaticTopology } from '../engine/static-topology.js';
import type { FaultEvent } from '../model/event.js';
import { frameStream } from '../sources/framing.js';
import { getSource } from '../sources/registry.js';
import { type DecodeContext, isSourceId, SOURCE_IDS } from '../sources/types.js';

/** The rules shipped with Faultline (`rules/` beside `src/` and `dist/`). */
export const SHIPPED_RULES_DIR = fileURLToPath(new URL('../../rules', import.meta.url));

export interface AnalyzeSummary extends EngineStats {
  source: string;
  records: number;
  rejected: number;
  rules: number;
  firing: number;
  resolved: number;
  notifications: number;
  seconds: number;
}

export interface AnalyzeOptions {
  source: string;
  input: AsyncIterable<unknown>;
  stdout: Writable;
  stderr: Writable;
  rulesDir?: string;
  topologyFile?: string;
  host?: string;
  /** Allowed lateness in ms; undefined = the whole input is one batch, ordered by event time. */
  latenessMs?: number;
  /** Stands in for the receive time of records that carry no time (deterministic reruns). */
  receivedAt?: string;
  showSuppressed?: boolean;
}

/**
 * `faultline analyze`: decode a file, run it through the rules in event time, print the alerts
 * (final state, one line each, in start order), then the predictions, as NDJSON; a summary on
 * stderr. It is the offline twin of the live engine: same decoders, same rules, same engine.
 */
export async function analyzeCommand(options: AnalyzeOptions): Promise<AnalyzeSummary> {
  if (!isSourceId(options.source))
    throw new Error(`unknown source ${options.source}; one of: ${SOURCE_IDS.join(', ')}`);
  const source = getSource(options.source);
  if (source === undefined) throw new Error(`source ${options.source} has no decoder yet`);
  const started = process.hrtime.bigint();
  const rules = loadRuleDir(options.rulesDir ?? SHIPPED_RULES_DIR);
  const engine = new Engine({
    rules,
    ...(options.topologyFile !== undefined
      ? { topology: StaticTopology.fromFile(options.topologyFile) }
      : {}),
    allowedLatenessMs: options.latenessMs ?? Number.POSITIVE_INFINITY,
  });
  const receivedAt = options.receivedAt ?? new Date().toISOString();
  let records = 0;
  let rejected = 0;
  for await (const chunk of frameStream(source.createFramer(), options.input)) {
    for (const frame of chunk.frames) {
      records++;
      const ctx: DecodeContext = { line: frame.line, receivedAt };
      if (options.host !== undefined) ctx.host = options.host;
      if (frame.occurrence !== undefined) ctx.occurrence = frame.occurrence;
      const result = source.decode(frame.payload, ctx);
      if (!result.ok) {
        rejected++;
        continue;
      }
      for (const event of result.events) {
        // A file from one server often names none: --host stands in, as in `parse`.
        if (event['host.name'] === undefined && options.host !== undefined)
          (event as FaultEvent)['host.name'] = options.host;
        engine.push(event);
      }
    }
  }
  engine.flush();
  const alerts = [...engine.alerts()];
  for (const a of alerts) options.stdout.write(`${JSON.stringify(a)}\n`);
  if (options.showSuppressed === true)
    for (const a of engine.suppressed()) options.stdout.write(`${JSON.stringify(a)}\n`);
  for (const p of engine.predictions()) options.stdout.write(`${JSON.stringify(p)}\n`);
  const summary: AnalyzeSummary = {
    source: source.id,
    records,
    rejected,
    rules: rules.length,
    ...engine.stats,
    firing: alerts.filter((a) => a.status === 'firing').length,
    resolved: alerts.filter((a) => a.status === 'resolved').length,
    notifications: engine.notifications().filter((n) => n.status === 'firing').length,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
  };
  options.stderr.write(`${JSON.stringify({ summary })}\n`);
  return summary;
}

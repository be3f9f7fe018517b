import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { DATASETS, type Dataset, Severity, type SeverityCode } from '../../model/event.js';
import { FaultlineError } from '../../shared/errors.js';
import type { EventQuery } from '../../store/types.js';

export const csv = (v: string | undefined): string[] | undefined =>
  v === undefined
    ? undefined
    : v
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');

/** Query parameters that filter on one stored field each (exact values, comma-separated). */
const FIELD_PARAMS: Record<string, string> = {
  logger: 'log.logger',
  program: 'process.name',
  user: 'user.id',
  project: 'cloud.project.id',
  request_id: 'labels.request_id',
  instance: 'cloud.instance.id',
  template: 'log.template.id',
  'hw.type': 'hw.type',
  'hw.fault.class': 'hw.fault.class',
  'hw.id': 'hw.id',
  'event.code': 'event.code',
};

export const Filters = {
  from: Type.Optional(Type.String({ format: 'date-time', description: 'Inclusive start (ISO 8601)' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'Exclusive end (ISO 8601)' })),
  host: Type.Optional(Type.String({ description: 'Comma-separated host names' })),
  service: Type.Optional(Type.String({ description: 'Comma-separated service names (nova-compute)' })),
  level: Type.Optional(Type.String({ description: 'Comma-separated log levels (WARNING,ERROR)' })),
  dataset: Type.Optional(Type.String({ description: `Comma-separated datasets: ${DATASETS.join(', ')}` })),
  q: Type.Optional(
    Type.String({
      maxLength: 512,
      description:
        'Full text: words and "phrases" (all must match), OR, NOT or -, parentheses; a pasted id (request id, instance UUID, hw.id, logger) also matches its field',
    }),
  ),
  severity: Type.Optional(
    Type.String({
      description:
        'At least this severe, on logs and hardware events alike (event.severity): emergency, alert, critical, error, warning, notice, info, debug, or 0-7',
    }),
  ),
  ...Object.fromEntries(
    Object.entries(FIELD_PARAMS).map(([name, field]) => [
      name,
      Type.Optional(Type.String({ maxLength: 1024, description: `Comma-separated ${field} values` })),
    ]),
  ),
};

export type FilterQuery = { [K in keyof typeof Filters]?: string } & { [param: string]: unknown };

export function filters(
  request: FastifyRequest,
  query: FilterQuery,
): Omit<EventQuery, 'size' | 'cursor' | 'order'> {
  const out: Omit<EventQuery, 'size' | 'cursor' | 'order'> = {};
  if (query.from !== undefined) out.from = query.from;
  if (query.to !== undefined) out.to = query.to;
  if (out.from !== undefined && out.to !== undefined && Date.parse(out.from) >= Date.parse(out.to)) {
    throw new FaultlineError('FAULTLINE_VALIDATION', '`from` must be before `to`', { parameter: 'from' });
  }
  const datasets = csv(query.dataset);
  if (datasets !== undefined) {
    const bad = datasets.filter((d) => !(DATASETS as readonly string[]).includes(d));
    if (bad.length > 0) {
      throw new FaultlineError('FAULTLINE_VALIDATION', `unknown dataset ${bad.join(', ')}`, {
        parameter: 'dataset',
      });
    }
    out.dataset = datasets as Dataset[];
  }
  const host = csv(query.host);
  if (host !== undefined) out.host = host;
  const service = csv(query.service);
  if (service !== undefined) out.service = service;
  const level = csv(query.level);
  if (level !== undefined) {
    // `missing` selects records without a log level (hardware events, notifications).
    const named = level.filter((l) => l.toLowerCase() !== 'missing');
    if (named.length !== level.length) out.levelMissing = true;
    if (named.length > 0) out.level = named;
  }
  for (const [name, field] of Object.entries(FIELD_PARAMS)) {
    const raw = query[name];
    const values = csv(typeof raw === 'string' ? raw : undefined);
    if (values !== undefined) out.terms = { ...out.terms, [field]: values };
  }
  if (query.severity !== undefined) out.maxSeverity = severityCode(query.severity);
  if (query.q !== undefined) out.text = query.q;
  // A tenant-scoped key sees only events enriched with its own tenant.
  const tenant = request.principal?.tenantId;
  if (tenant !== null && tenant !== undefined) out.tenant = [tenant];
  return out;
}

function severityCode(value: string): SeverityCode {
  const v = value.trim().toLowerCase();
  const named = (Severity as Record<string, number>)[v];
  const code = named ?? (/^[0-7]$/.test(v) ? Number(v) : undefined);
  if (code === undefined) {
    throw new FaultlineError('FAULTLINE_VALIDATION', `unknown severity ${JSON.stringify(value)}`, {
      parameter: 'severity',
    });
  }
  return code as SeverityCode;
}

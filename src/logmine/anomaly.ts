import { createHash } from 'node:crypto';
import type { FaultEvent, SeverityCode } from '../model/event.js';

/**
 * Log anomalies from template rates, in event time (a replay finds what the live run found):
 * - `log-template-new`: a template never seen before on a service, once that service has been
 *   watched long enough that its ordinary templates are known (no flood at start-up);
 * - `log-template-rate-shift`: a (service, template) whose count in a minute leaves its EWMA band
 *   (mean ± k·σ, with a floor so a quiet template going from 1 to 3 lines is not news), up or down.
 * Each is an event (`event.kind: signal`, `event.action` as above, `log.template.id`,
 * `service.name`) that goes where every event goes, so the rule engine can alert on it.
 */
export interface AnomalyOptions {
  bucketMs?: number;
  /** Smoothing of the per-key mean and variance. */
  alpha?: number;
  /** Width of the band, in standard deviations. */
  k?: number;
  /** Closed buckets a key needs before its shifts are reported. */
  warmupBuckets?: number;
  /** How long a service is watched before its new templates are reported. */
  learnMs?: number;
  /** Smallest change in lines per bucket that can be a shift. */
  minDelta?: number;
  /** Keys kept; the least recently seen go first beyond it. */
  maxKeys?: number;
}

const DEFAULTS: Required<AnomalyOptions> = {
  bucketMs: 60_000,
  alpha: 0.1,
  k: 4,
  warmupBuckets: 15,
  learnMs: 30 * 60_000,
  minDelta: 5,
  maxKeys: 20_000,
};

interface Baseline {
  service: string;
  template: string;
  dataset: FaultEvent['event.dataset'];
  host: string | undefined;
  mean: number;
  variance: number;
  buckets: number;
  current: number;
  lastBucket: number;
}

export class LogAnomalyDetector {
  private readonly o: Required<AnomalyOptions>;
  private readonly keys = new Map<string, Baseline>();
  private readonly serviceSince = new Map<string, number>();
  /** Start of the bucket being counted (event time); undefined before the first event. */
  private bucket: number | undefined;

  constructor(options: AnomalyOptions = {}) {
    this.o = { ...DEFAULTS, ...options };
  }

  /** Feeds events that carry `log.template.id`; returns the anomaly events they reveal. */
  observe(events: readonly FaultEvent[]): FaultEvent[] {
    const out: FaultEvent[] = [];
    for (const e of events) {
      const template = e['log.template.id'];
      if (template === undefined) continue;
      const ts = Date.parse(e['@timestamp']);
      if (Number.isNaN(ts)) continue;
      const bucket = ts - (ts % this.o.bucketMs);
      if (this.bucket === undefined) this.bucket = bucket;
      // Late lines count in the open bucket: event time only moves forward here.
      if (bucket > this.bucket) this.closeUntil(bucket, out);
      const service = e['service.name'] ?? e['event.dataset'];
      const since = this.serviceSince.get(service);
      if (since === undefined) this.serviceSince.set(service, ts);
      const key = `${service}\u0000${template}`;
      let b = this.keys.get(key);
      if (b === undefined) {
        if (since !== undefined && ts - since >= this.o.learnMs) {
          out.push(this.anomaly(e, service, template, 'log-template-new', bucket, 4, {}));
        }
        b = {
          service,
          template,
          dataset: e['event.dataset'],
          host: e['host.name'],
          mean: 0,
          variance: 0,
          buckets: 0,
          current: 0,
          lastBucket: bucket,
        };
        this.keys.set(key, b);
        if (this.keys.size > this.o.maxKeys) this.forgetOldest();
      }
      b.current++;
      b.lastBucket = bucket;
    }
    return out;
  }

  private closeUntil(next: number, out: FaultEvent[]): void {
    const start = this.bucket as number;
    // A long gap (a replay of another day, a quiet night) closes at most a day of empty buckets.
    const steps = Math.min((next - start) / this.o.bucketMs, 1440);
    for (let i = 0; i < steps; i++) {
      const closing = start + i * this.o.bucketMs;
      for (const b of this.keys.values()) this.close(b, closing, out);
    }
    this.bucket = next;
  }

  private close(b: Baseline, bucket: number, out: FaultEvent[]): void {
    const x = b.current;
    b.current = 0;
    if (b.buckets >= this.o.warmupBuckets) {
      const sd = Math.sqrt(b.variance);
      const band = Math.max(this.o.k * sd, this.o.minDelta);
      if (Math.abs(x - b.mean) > band) {
        const direction = x > b.mean ? 'up' : 'down';
        out.push(
          this.anomaly(
            { 'event.dataset': b.dataset, 'host.name': b.host },
            b.service,
            b.template,
            'log-template-rate-shift',
            bucket,
            direction === 'up' ? 4 : 5,
            {
              'labels.direction': direction,
              'labels.count': String(x),
              'labels.baseline': b.mean.toFixed(2),
            },
          ),
        );
      }
    }
    // Welford-style EWMA of mean and variance (West 1979 / Finch 2009).
    const diff = x - b.mean;
    const incr = this.o.alpha * diff;
    b.mean = b.buckets === 0 ? x : b.mean + incr;
    b.variance = b.buckets === 0 ? 0 : (1 - this.o.alpha) * (b.variance + diff * incr);
    b.buckets++;
  }

  private anomaly(
    source: Pick<FaultEvent, 'event.dataset'> & { 'host.name'?: string | undefined },
    service: string,
    template: string,
    action: 'log-template-new' | 'log-template-rate-shift',
    bucket: number,
    severity: SeverityCode,
    labels: Record<string, string>,
  ): FaultEvent {
    const at = new Date(bucket).toISOString();
    const what =
      action === 'log-template-new'
        ? `new log template ${template} on ${service}`
        : `log template ${template} on ${service}: ${labels['labels.count']} lines in a minute, baseline ${labels['labels.baseline']}`;
    const id = createHash('sha1')
      .update(`${action}\u0000${service}\u0000${template}\u0000${bucket}`)
      .digest('hex');
    const event: FaultEvent = {
      '@timestamp': at,
      'event.id': `logmine-${id.slice(0, 24)}`,
      'event.dataset': source['event.dataset'],
      'event.kind': 'signal',
      'event.severity': severity,
      'event.original': what,
      'event.action': action,
      'event.module': 'logmine',
      'service.name': service,
      'log.template.id': template,
      message: what,
      ...labels,
    };
    if (source['host.name'] !== undefined) event['host.name'] = source['host.name'];
    return event;
  }

  private forgetOldest(): void {
    let oldestKey: string | undefined;
    let oldest = Number.POSITIVE_INFINITY;
    for (const [key, b] of this.keys) {
      if (b.lastBucket < oldest) {
        oldest = b.lastBucket;
        oldestKey = key;
      }
    }
    if (oldestKey !== undefined) this.keys.delete(oldestKey);
  }
}

import { seriesName, type Counters } from '../../core/metrics';
import type { Span } from '../../core/model';
import { declare, firstBucketOf, observeCounted } from './histogram';

/** Names and labels of the OpenTelemetry Collector's spanmetrics connector as its Prometheus exporter prints them. */
export const SPAN_METRICS = {
  calls: 'traces_span_metrics_calls_total',
  duration: 'traces_span_metrics_duration_milliseconds',
} as const;

/** The connector's default explicit buckets, in milliseconds. */
export const DURATION_BUCKETS_MS = [2, 4, 6, 8, 10, 50, 100, 200, 400, 800, 1000, 1400, 2000, 5000, 10000, 15000] as const;

/** HELP and TYPE of the span metrics: also on the owner of ingest threads, which prints what its threads counted. */
export function describeSpanMetrics(counters: Counters): void {
  counters.describe(SPAN_METRICS.calls, 'Spans ingested, per service, operation, kind and status (spanmetrics connector)');
  counters.describe(SPAN_METRICS.duration, 'Span durations in milliseconds, per service, operation, kind and status', 'histogram');
}

/** The span-metrics count of one bus batch (SpanMetrics.batch). */
export interface SpanMetricsBatch {
  add(spans: readonly Span[]): void;
  /** Applies what was added; once. */
  commit(): void;
}

export const OVERFLOW_LABELS: Readonly<Record<string, string>> = { otel_metric_overflow: 'true' };

export interface SpanMetricsOptions {
  counters: Counters;
  /** Distinct label sets kept; spans of any further one are counted in the `otel_metric_overflow="true"` series. 0 turns span metrics off. */
  maxSeries: number;
}

/**
 * Calls and duration histograms per service, operation, kind and status,
 * counted as spans are ingested. Label sets are bounded like the collector's
 * `aggregation_cardinality_limit`: past `maxSeries`, new ones go to one
 * overflow series.
 */
export class SpanMetrics {
  private readonly seen = new Set<string>();

  constructor(private readonly options: SpanMetricsOptions) {
    describeSpanMetrics(options.counters);
  }

  /** Counts spans now (record = one batch, committed at once). */
  record(spans: readonly Span[]): void {
    const batch = this.batch();
    batch.add(spans);
    batch.commit();
  }

  /**
   * A bus batch's count, held until the whole bus batch is stored: `add` per
   * store write, `commit` once every write succeeded. A batch dropped without
   * commit (a store failure, so the bus delivers it again) counts nothing, so
   * its redelivery counts its spans once. Spans are tallied per label set (a
   * key lookup and a bucket index each) and each label set goes to the
   * counters once at commit — building series names per span cost ~55 µs a
   * span, more than storing it. Held: one entry per label set, at most
   * maxSeries + 1.
   */
  batch(): SpanMetricsBatch {
    const tally = new Map<string, { labels: Record<string, string>; calls: number; sumMs: number; firstBucket: number[] }>();
    let committed = false;
    return {
      add: (spans) => {
        if (this.options.maxSeries <= 0) return;
        for (const span of spans) {
          const key = `${span.service}\u0000${span.name}\u0000${span.kind}\u0000${span.status.code}`;
          let entry = tally.get(key);
          if (!entry) {
            entry = { labels: this.labelsOf(span, key), calls: 0, sumMs: 0, firstBucket: new Array<number>(DURATION_BUCKETS_MS.length + 1).fill(0) };
            tally.set(key, entry);
          }
          const ms = span.durationUs / 1000;
          entry.calls++;
          entry.sumMs += ms;
          entry.firstBucket[firstBucketOf(DURATION_BUCKETS_MS, ms)]++;
        }
      },
      commit: () => {
        if (committed) return;
        committed = true;
        const { counters } = this.options;
        for (const { labels, calls, sumMs, firstBucket } of tally.values()) {
          counters.add(seriesName(SPAN_METRICS.calls, labels), calls);
          observeCounted(counters, SPAN_METRICS.duration, labels, DURATION_BUCKETS_MS, firstBucket, sumMs);
        }
      },
    };
  }

  private labelsOf(span: Span, key: string): Record<string, string> {
    if (!this.seen.has(key)) {
      if (this.seen.size >= this.options.maxSeries) return OVERFLOW_LABELS;
      this.seen.add(key);
      const labels = this.labelsFor(span);
      declare(this.options.counters, SPAN_METRICS.duration, labels, DURATION_BUCKETS_MS);
      return labels;
    }
    return this.labelsFor(span);
  }

  private labelsFor(span: Span): Record<string, string> {
    return {
      service_name: span.service,
      span_name: span.name,
      span_kind: `SPAN_KIND_${span.kind.toUpperCase()}`,
      status_code: `STATUS_CODE_${span.status.code.toUpperCase()}`,
    };
  }
}

import { seriesName, type Counters } from '../../core/metrics';
import type { Span } from '../../core/model';
import { declare, observe } from './histogram';

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

  record(spans: readonly Span[]): void {
    if (this.options.maxSeries <= 0) return;
    const { counters } = this.options;
    for (const span of spans) {
      const labels = this.labelsOf(span);
      counters.add(seriesName(SPAN_METRICS.calls, labels));
      observe(counters, SPAN_METRICS.duration, labels, DURATION_BUCKETS_MS, span.durationUs / 1000);
    }
  }

  private labelsOf(span: Span): Record<string, string> {
    const labels = {
      service_name: span.service,
      span_name: span.name,
      span_kind: `SPAN_KIND_${span.kind.toUpperCase()}`,
      status_code: `STATUS_CODE_${span.status.code.toUpperCase()}`,
    };
    const key = `${labels.service_name}\u0000${labels.span_name}\u0000${labels.span_kind}\u0000${labels.status_code}`;
    if (this.seen.has(key)) return labels;
    if (this.seen.size >= this.options.maxSeries) return OVERFLOW_LABELS;
    this.seen.add(key);
    declare(this.options.counters, SPAN_METRICS.duration, labels, DURATION_BUCKETS_MS);
    return labels;
  }
}

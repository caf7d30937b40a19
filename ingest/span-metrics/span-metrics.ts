import { seriesName, type Counters } from '../../core/metrics';
import type { Span } from '../../core/model';
import { firstBucketOf, HistogramSeries } from './histogram';

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

/** One label set's series: named once, when the label set is first seen. */
interface LabelSeries {
  calls: string;
  duration: HistogramSeries;
}

/** Label sets by service, span name, kind and status code: found per span without building a key. */
type SeriesIndex = Map<string, Map<string, Map<string, Map<string, LabelSeries>>>>;

/**
 * Calls and duration histograms per service, operation, kind and status,
 * counted as spans are ingested. Label sets are bounded like the collector's
 * `aggregation_cardinality_limit`: past `maxSeries`, new ones go to one
 * overflow series.
 */
export class SpanMetrics {
  private readonly index: SeriesIndex = new Map();
  private kept = 0;
  private overflow: LabelSeries | null = null;

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
   * its redelivery counts its spans once. Spans are tallied per label set (
   * nested map lookups and a bucket index each, no key string per span) and
   * each label set goes to the counters once at commit, through series names
   * made when the label set was first seen — building series names per span
   * cost ~55 µs a span, more than storing it. Held: one entry per label set,
   * at most maxSeries + 1.
   */
  batch(): SpanMetricsBatch {
    const tally = new Map<LabelSeries, { calls: number; sumMs: number; firstBucket: number[] }>();
    let committed = false;
    return {
      add: (spans) => {
        if (this.options.maxSeries <= 0) return;
        for (const span of spans) {
          const series = this.seriesOf(span);
          let entry = tally.get(series);
          if (!entry) {
            entry = { calls: 0, sumMs: 0, firstBucket: new Array<number>(DURATION_BUCKETS_MS.length + 1).fill(0) };
            tally.set(series, entry);
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
        for (const [series, { calls, sumMs, firstBucket }] of tally) {
          counters.add(series.calls, calls);
          series.duration.observeCounted(counters, firstBucket, sumMs);
        }
      },
    };
  }

  private seriesOf(span: Span): LabelSeries {
    const found = this.index.get(span.service)?.get(span.name)?.get(span.kind)?.get(span.status.code);
    return found ?? this.addSeries(span);
  }

  /** A label set seen for the first time: kept (its histogram declared) while fewer than maxSeries are, else the overflow series. */
  private addSeries(span: Span): LabelSeries {
    if (this.kept >= this.options.maxSeries) return (this.overflow ??= seriesFor(OVERFLOW_LABELS));
    const labels = {
      service_name: span.service,
      span_name: span.name,
      span_kind: `SPAN_KIND_${span.kind.toUpperCase()}`,
      status_code: `STATUS_CODE_${span.status.code.toUpperCase()}`,
    };
    const series = seriesFor(labels);
    series.duration.declare(this.options.counters);
    this.kept++;
    innerMap(innerMap(innerMap(this.index, span.service), span.name), span.kind).set(span.status.code, series);
    return series;
  }
}

function seriesFor(labels: Record<string, string>): LabelSeries {
  return { calls: seriesName(SPAN_METRICS.calls, labels), duration: new HistogramSeries(SPAN_METRICS.duration, labels, DURATION_BUCKETS_MS) };
}

function innerMap<V>(outer: Map<string, Map<string, V>>, key: string): Map<string, V> {
  let inner = outer.get(key);
  if (!inner) outer.set(key, (inner = new Map()));
  return inner;
}

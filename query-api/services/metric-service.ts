import { computeSeries, defaultFunction, functionRefusal, type SeriesFunction } from '../../core/analysis/metric-series';
import type { MetricStore } from '../../core/contracts/metric-store';
import { UnsupportedError, ValidationError } from '../../core/errors';
import type { MetricLabelsAnswer, MetricNamesAnswer, MetricSeriesAnswer } from '../../core/wire';

/** Names listed at most by GET /api/metrics. */
export const MAX_METRIC_NAMES = 1000;
/** Label sets read for GET /api/metrics?name=, and values kept per key. */
export const MAX_LABEL_SERIES = 5000;
export const MAX_LABEL_VALUES = 100;
/** Steps one series query answers at most ((end - start) / step). */
export const MAX_SERIES_STEPS = 1000;
/** Stored points one series query reads at most (the answer says truncated past it). */
export const MAX_SERIES_POINTS_READ = 500_000;
/** Groups one series query answers at most. */
export const MAX_SERIES_GROUPS = 200;

/** Quantile of fn=quantile when none is asked. */
export const DEFAULT_QUANTILE = 0.95;

export interface SeriesQuery {
  name: string;
  startUs: number;
  endUs: number;
  /** Default: the window over 60, at least 1 s. */
  stepUs?: number;
  /** Default: rate for counters and histograms, value for gauges (defaultFunction). */
  fn?: SeriesFunction;
  /** Default DEFAULT_QUANTILE. */
  quantile?: number;
  groupBy: string[];
}


/** GET /api/metrics and /api/metrics/series over the metric store. */
export class MetricService {
  constructor(private readonly store: MetricStore | undefined) {}

  async names(): Promise<MetricNamesAnswer> {
    return { metrics: await this.requireStore().metricNames(MAX_METRIC_NAMES) };
  }

  async labels(name: string): Promise<MetricLabelsAnswer> {
    return { name, labels: await this.requireStore().metricLabels(name, MAX_LABEL_SERIES, MAX_LABEL_VALUES) };
  }

  async series(request: SeriesQuery): Promise<MetricSeriesAnswer> {
    const query = {
      ...request,
      stepUs: request.stepUs ?? Math.max(1_000_000, Math.ceil((request.endUs - request.startUs) / 60)),
      quantile: request.quantile ?? DEFAULT_QUANTILE,
    };
    const steps = Math.ceil((query.endUs - query.startUs) / query.stepUs);
    if (steps > MAX_SERIES_STEPS) {
      throw new ValidationError(`(end - start) / step is ${steps} steps, more than ${MAX_SERIES_STEPS}: use a larger step or a shorter window`, 'step');
    }
    // one step before the window too: a cumulative point there is the base of the first step's increase
    const read = await this.requireStore().seriesPoints(query.name, query.startUs - query.stepUs, query.endUs, MAX_SERIES_POINTS_READ);
    const first = read.series[0];
    const fn = query.fn ?? (first ? defaultFunction(first) : 'value');
    const kinds = new Set(read.series.map((s) => s.kind));
    if (kinds.size > 1) throw new ValidationError(`metric ${query.name} is stored as several kinds (${[...kinds].join(', ')}): cannot combine them`, 'name');
    if (first) {
      const refusal = functionRefusal(fn, first);
      if (refusal) throw new ValidationError(refusal, 'fn');
    }
    const computed = computeSeries(read.series, { startUs: query.startUs, endUs: query.endUs, stepUs: query.stepUs, fn, quantile: query.quantile, groupBy: query.groupBy });
    const truncated = read.truncated || computed.length > MAX_SERIES_GROUPS;
    return { name: query.name, kind: first?.kind ?? null, fn, stepUs: query.stepUs, series: computed.slice(0, MAX_SERIES_GROUPS), truncated };
  }

  private requireStore(): MetricStore {
    if (!this.store) throw new UnsupportedError('this process has no metric store (it is opened beside the span store: embedded or ClickHouse)');
    return this.store;
  }
}

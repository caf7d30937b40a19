import type { StoredMetricPoint, StoredSeries } from '../contracts/metric-store';

/**
 * What a series query computes per step:
 * - `value`: the last value of each series in the step (gauges, up-down sums), summed over a group;
 * - `rate`: per-second increase of a monotonic sum, or of a histogram's count, summed over a group;
 * - `avg`: histograms: increase of sum / increase of count (the mean observation);
 * - `quantile`: explicit-bucket histograms: the q-quantile of the step's bucket increases, merged over a group,
 *   interpolated linearly inside the bucket it falls in (the +Inf bucket answers its lower bound).
 */
export type SeriesFunction = 'value' | 'rate' | 'avg' | 'quantile';
export const SERIES_FUNCTIONS: readonly SeriesFunction[] = ['value', 'rate', 'avg', 'quantile'];

export interface SeriesRequest {
  startUs: number;
  endUs: number;
  stepUs: number;
  fn: SeriesFunction;
  /** 0..1, for `quantile`. */
  quantile: number;
  /** Label keys a group is made of; [] = one group of every series. */
  groupBy: readonly string[];
}

export interface SeriesPoint {
  timeUs: number;
  /** null: no data in the step. */
  value: number | null;
}

export interface ComputedSeries {
  labels: Record<string, string>;
  points: SeriesPoint[];
}

/** The function that fits a series: rate for counters and histograms, value for the rest. */
export function defaultFunction(series: Pick<StoredSeries, 'kind' | 'monotonic'>): SeriesFunction {
  if (series.kind === 'histogram' || series.kind === 'exponential_histogram') return 'rate';
  return series.kind === 'sum' && series.monotonic ? 'rate' : 'value';
}

/** Why `fn` cannot be computed on `series`, or null when it can. */
export function functionRefusal(fn: SeriesFunction, series: Pick<StoredSeries, 'kind' | 'name'>): string | null {
  const histogram = series.kind === 'histogram' || series.kind === 'exponential_histogram';
  if (fn === 'quantile' && series.kind !== 'histogram') {
    return `fn=quantile needs an explicit-bucket histogram; ${series.name} is a ${series.kind}${series.kind === 'exponential_histogram' ? ' (only its count and sum are stored: use fn=rate or fn=avg)' : ''}`;
  }
  if (fn === 'avg' && !histogram) return `fn=avg needs a histogram; ${series.name} is a ${series.kind}`;
  if (fn === 'value' && histogram) return `fn=value does not apply to the histogram ${series.name}: use rate, avg or quantile`;
  return null;
}

/** Per-step increase of one series: count, sum, value and bucket increases attributed to the step of the later point. */
interface StepIncrease {
  value: number;
  count: number;
  sum: number;
  buckets?: number[];
  bounds?: number[];
  last: number;
}

/** Computes the series of `stored`, one per group, each with one point per step in [startUs, endUs). */
export function computeSeries(stored: readonly StoredSeries[], request: SeriesRequest): ComputedSeries[] {
  const steps = Math.max(1, Math.ceil((request.endUs - request.startUs) / request.stepUs));
  const groups = new Map<string, { labels: Record<string, string>; steps: Array<StepIncrease[]> }>();
  for (const series of stored) {
    const labels: Record<string, string> = {};
    for (const key of request.groupBy) labels[key] = series.labels[key] ?? '';
    const key = JSON.stringify(request.groupBy.map((k) => labels[k]));
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { labels, steps: Array.from({ length: steps }, () => []) }));
    const perStep = increasesByStep(series, request, steps);
    for (let i = 0; i < steps; i++) {
      const step = perStep[i];
      if (step) group.steps[i].push(step);
    }
  }
  const stepSeconds = request.stepUs / 1e6;
  return [...groups.values()].map(({ labels, steps: perStep }) => ({
    labels,
    points: perStep.map((increases, i) => ({ timeUs: request.startUs + i * request.stepUs, value: combine(increases, request, stepSeconds) })),
  }));
}

function combine(increases: StepIncrease[], request: SeriesRequest, stepSeconds: number): number | null {
  if (increases.length === 0) return null;
  switch (request.fn) {
    case 'value':
      return increases.reduce((total, s) => total + s.last, 0);
    case 'rate':
      return increases.reduce((total, s) => total + s.value, 0) / stepSeconds;
    case 'avg': {
      const count = increases.reduce((total, s) => total + s.count, 0);
      const sum = increases.reduce((total, s) => total + s.sum, 0);
      return count > 0 ? sum / count : null;
    }
    case 'quantile':
      return quantileOf(increases, request.quantile);
  }
}

/**
 * The step increases of one series. Delta points add up in the step their time
 * falls in; cumulative points give the difference from the point before (a
 * value below the previous one is a restart: the new value is the increase).
 */
function increasesByStep(series: StoredSeries, request: SeriesRequest, steps: number): Array<StepIncrease | undefined> {
  const out: Array<StepIncrease | undefined> = new Array(steps);
  const cumulative = series.temporality === 'cumulative';
  const histogram = series.kind === 'histogram' || series.kind === 'exponential_histogram';
  let previous: StoredMetricPoint | undefined;
  for (const point of series.points) {
    const index = Math.floor((point.timeUs - request.startUs) / request.stepUs);
    // a cumulative point's increase: from the previous point, or from zero when it started inside the window; else unknown
    const base = !cumulative ? ZERO : previous ? restartAware(previous, point, histogram) : point.startUs >= request.startUs ? ZERO : undefined;
    previous = point;
    if (index < 0 || index >= steps) continue;
    const step = (out[index] ??= { value: 0, count: 0, sum: 0, last: point.value });
    step.last = point.value;
    if (base === undefined || !(histogram || series.kind === 'sum')) continue;
    if (histogram) {
      const countIncrease = point.count - base.count;
      step.count += countIncrease;
      step.sum += nanToZero(point.value) - nanToZero(base.value);
      step.value += countIncrease;
      if (point.bucketCounts && point.bounds && point.bucketCounts.length > 0) addBuckets(step, point, base === ZERO ? undefined : base);
    } else {
      step.value += point.value - base.value;
    }
  }
  return out;
}

const ZERO: StoredMetricPoint = { startUs: 0, timeUs: 0, value: 0, count: 0 };

function nanToZero(n: number): number {
  return Number.isNaN(n) ? 0 : n;
}

/** The point to subtract from a cumulative `point`: the previous one, unless the series restarted in between. */
function restartAware(previous: StoredMetricPoint | undefined, point: StoredMetricPoint, histogram: boolean): StoredMetricPoint | undefined {
  if (!previous) return undefined;
  const restarted = histogram ? point.count < previous.count : point.value < previous.value || point.startUs > previous.timeUs;
  return restarted ? ZERO : previous;
}

function addBuckets(step: StepIncrease, point: StoredMetricPoint, base: StoredMetricPoint | undefined): void {
  const counts = point.bucketCounts!;
  const baseCounts = base?.bucketCounts && sameBounds(base.bounds, point.bounds) ? base.bucketCounts : undefined;
  if (!step.buckets) {
    step.bounds = point.bounds;
    step.buckets = new Array(counts.length).fill(0);
  }
  // a point whose bounds differ from the step's first ones cannot be merged bucket by bucket: its count still counts
  if (!sameBounds(step.bounds, point.bounds)) return;
  for (let i = 0; i < counts.length; i++) step.buckets![i] += counts[i] - (baseCounts?.[i] ?? 0);
}

function sameBounds(a: number[] | undefined, b: number[] | undefined): boolean {
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Quantile of merged bucket increases (only steps whose bounds match the first one's merge). */
function quantileOf(increases: StepIncrease[], q: number): number | null {
  let bounds: number[] | undefined;
  let buckets: number[] | undefined;
  for (const step of increases) {
    if (!step.buckets || !step.bounds) continue;
    if (!buckets) {
      bounds = step.bounds;
      buckets = step.buckets.slice();
    } else if (sameBounds(bounds, step.bounds)) {
      for (let i = 0; i < buckets.length; i++) buckets[i] += step.buckets[i];
    }
  }
  if (!buckets || !bounds) return null;
  const total = buckets.reduce((a, b) => a + b, 0);
  if (!(total > 0)) return null;
  const rank = q * total;
  let below = 0;
  for (let i = 0; i < buckets.length; i++) {
    if (below + buckets[i] >= rank && buckets[i] > 0) {
      if (i === bounds.length) return bounds[bounds.length - 1] ?? null; // +Inf bucket: its lower bound is all we know
      const upper = bounds[i];
      const lower = i === 0 ? Math.min(0, upper) : bounds[i - 1];
      return lower + (upper - lower) * ((rank - below) / buckets[i]);
    }
    below += buckets[i];
  }
  return bounds[bounds.length - 1] ?? null;
}

import { computeSeries, defaultFunction, functionRefusal, type SeriesRequest } from '../../../../core/analysis/metric-series';
import type { StoredMetricPoint, StoredSeries } from '../../../../core/contracts/metric-store';

const S = 1_000_000;
const base: SeriesRequest = { startUs: 0, endUs: 60 * S, stepUs: 30 * S, fn: 'rate', quantile: 0.5, groupBy: [] };

function series(over: Partial<StoredSeries>, points: Array<Partial<StoredMetricPoint>>): StoredSeries {
  return {
    name: 'm',
    kind: 'sum',
    temporality: 'cumulative',
    monotonic: true,
    labels: { service: 'a' },
    points: points.map((p) => ({ startUs: 0, timeUs: 0, value: 0, count: 0, ...p })),
    ...over,
  };
}

const values = (out: ReturnType<typeof computeSeries>) => out.map((s) => s.points.map((p) => p.value));

describe('computeSeries', () => {
  it('rate of a cumulative counter: increase per step / seconds, a restart counted from zero', () => {
    const counter = series({}, [
      { timeUs: 10 * S, value: 30 }, // started inside the window at 0: 30 since start
      { timeUs: 20 * S, value: 90 },
      { timeUs: 40 * S, value: 120 },
      { timeUs: 50 * S, value: 15, startUs: 45 * S }, // restarted
    ]);
    expect(values(computeSeries([counter], base))).toEqual([[90 / 30, (30 + 15) / 30]]);
  });

  it('a cumulative point before the window is the base of the first increase, not counted itself', () => {
    const counter = series({}, [
      { startUs: -100 * S, timeUs: -5 * S, value: 1000 },
      { startUs: -100 * S, timeUs: 10 * S, value: 1060 },
    ]);
    expect(values(computeSeries([counter], base))).toEqual([[60 / 30, null]]);
  });

  it('rate of a delta counter adds the points of a step; empty steps are null', () => {
    const counter = series({ temporality: 'delta' }, [
      { timeUs: 5 * S, value: 6 },
      { timeUs: 25 * S, value: 9 },
    ]);
    expect(values(computeSeries([counter], base))).toEqual([[15 / 30, null]]);
  });

  it('groups by label, summing the series of a group', () => {
    const a = series({ labels: { service: 'a', region: 'eu' }, temporality: 'delta' }, [{ timeUs: 1 * S, value: 30 }]);
    const b = series({ labels: { service: 'b', region: 'eu' }, temporality: 'delta' }, [{ timeUs: 1 * S, value: 60 }]);
    const c = series({ labels: { service: 'c', region: 'us' }, temporality: 'delta' }, [{ timeUs: 1 * S, value: 3 }]);
    const out = computeSeries([a, b, c], { ...base, groupBy: ['region'] });
    expect(out.map((s) => [s.labels, s.points[0].value])).toEqual([
      [{ region: 'eu' }, 3],
      [{ region: 'us' }, 0.1],
    ]);
  });

  it('value of a gauge: the last value in the step', () => {
    const gauge = series({ kind: 'gauge', temporality: 'unspecified', monotonic: false }, [
      { timeUs: 1 * S, value: 4 },
      { timeUs: 2 * S, value: 8 },
    ]);
    expect(values(computeSeries([gauge], { ...base, fn: 'value' }))).toEqual([[8, null]]);
  });

  it('quantiles of a cumulative histogram from the bucket increases, interpolated in the bucket', () => {
    const h = series({ kind: 'histogram', monotonic: false }, [
      { timeUs: 10 * S, count: 10, value: 100, bounds: [10, 100], bucketCounts: [10, 0, 0] },
      { timeUs: 40 * S, count: 20, value: 700, bounds: [10, 100], bucketCounts: [10, 10, 0] },
    ]);
    // step 2: the 10 new observations all lie in (10, 100]: the median is halfway through it
    const out = computeSeries([h], { ...base, fn: 'quantile', quantile: 0.5 });
    expect(out[0].points.map((p) => p.value)).toEqual([5, 55]);
    const avg = computeSeries([h], { ...base, fn: 'avg' });
    expect(avg[0].points.map((p) => p.value)).toEqual([10, 60]);
  });

  it('a quantile in the +Inf bucket answers the largest bound', () => {
    const h = series({ kind: 'histogram', temporality: 'delta', monotonic: false }, [{ timeUs: 1 * S, count: 2, value: 2000, bounds: [10], bucketCounts: [0, 2] }]);
    expect(computeSeries([h], { ...base, fn: 'quantile', quantile: 0.99 })[0].points[0].value).toBe(10);
  });

  it('picks and refuses functions by kind', () => {
    expect(defaultFunction({ kind: 'sum', monotonic: true })).toBe('rate');
    expect(defaultFunction({ kind: 'gauge', monotonic: false })).toBe('value');
    expect(functionRefusal('quantile', { kind: 'exponential_histogram', name: 'x' })).toMatch(/only its count and sum are stored/);
    expect(functionRefusal('avg', { kind: 'gauge', name: 'x' })).toMatch(/needs a histogram/);
    expect(functionRefusal('rate', { kind: 'histogram', name: 'x' })).toBeNull();
  });
});

import { MAX_BASELINE_SAMPLES, baselineOf, medianMad, recentBaseline, robustEwma } from '../../../../core/analysis/baseline';
import { ANOMALY_DEFAULTS, LATENCY_BUCKET_STEP, anomalyScore, enoughVolume } from '../../../../core/analysis/anomaly-score';
import { HISTOGRAM_FACTOR, bucketValueUs } from '../../../../core/analysis/topology-histogram';

/** Deterministic noise in [-1, 1) (a linear congruential generator), so every run sees the same series. */
function noise(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 31 - 1;
  };
}

/** A daily-seasonal latency: 50 ms at night, 150 ms at midday, ± `jitter` ms. */
function dailyLatency(minuteOfDay: number, jitter: number, rand: () => number): number {
  return 100 - 50 * Math.cos((2 * Math.PI * minuteOfDay) / 1440) + jitter * rand();
}

describe('baselines', () => {
  it('takes the median and MAD of past days, unmoved by one bad day', () => {
    const days = [100, 102, 98, 101, 99, 100, 900];
    const b = baselineOf(days, [])!;
    expect(b.method).toBe('seasonal');
    expect(b.center).toBe(100);
    expect(b.scale).toBeCloseTo(1.4826 * 1, 4);
    expect(b.samples).toBe(7);
  });

  it('follows daily seasonality: the same minute of past days predicts midday and night alike', () => {
    const rand = noise(7);
    for (const minuteOfDay of [0, 360, 720, 1080]) {
      const pastDays = Array.from({ length: 7 }, () => dailyLatency(minuteOfDay, 5, rand));
      const b = baselineOf(pastDays, [])!;
      const truth = dailyLatency(minuteOfDay, 0, rand);
      expect(Math.abs(b.center - truth)).toBeLessThan(5);
      // a normal value of that hour scores low; the midday level at night (or the reverse) scores high
      expect(anomalyScore('latency_p95_ms', truth + 3, b)).toBeLessThan(ANOMALY_DEFAULTS.minScore);
    }
    const night = baselineOf(Array.from({ length: 7 }, () => dailyLatency(0, 5, rand)), [])!;
    expect(anomalyScore('latency_p95_ms', dailyLatency(720, 0, rand), night)).toBeGreaterThan(ANOMALY_DEFAULTS.minScore);
  });

  it('falls back to a robust EWMA of recent windows when fewer than 3 past days have a value', () => {
    const b = baselineOf([100, NaN], [50, 52, 48, 51, 49, 50])!;
    expect(b.method).toBe('recent');
    expect(b.center).toBeGreaterThan(48);
    expect(b.center).toBeLessThan(52);
  });

  it('is not dragged by a single burst in the recent windows', () => {
    const calm = [50, 51, 49, 50, 52, 48, 50];
    const withBurst = [50, 51, 49, 50, 5000, 48, 50];
    const a = robustEwma(calm)!;
    const b = robustEwma(withBurst)!;
    expect(Math.abs(b.center - a.center)).toBeLessThan(5);
  });

  it('moves to a level shift after several windows of it', () => {
    const shifted = [50, 50, 51, 49, ...Array(20).fill(200)];
    const b = robustEwma(shifted)!;
    expect(b.center).toBeGreaterThan(180);
  });

  it('leaves an earlier fault out of the recent baseline: one two windows before does not mask a new one', () => {
    const calm = [120, 121, 119, 120, 122, 118, 120, 121, 119, 120];
    // the same series faulted two windows before (and its aftermath a window later)
    const afterFault = [120, 121, 119, 120, 122, 118, 120, 900, 400, 120];
    const a = baselineOf([], calm)!;
    const b = baselineOf([], afterFault)!;
    expect(Math.abs(b.center - a.center)).toBeLessThan(2);
    expect(b.scale).toBeLessThan(a.scale + 2);
    // the new fault scores as it would on a calm series
    expect(anomalyScore('latency_p95_ms', 600, b)).toBeGreaterThan(25);
    expect(anomalyScore('latency_p95_ms', 600, b)).toBeCloseTo(anomalyScore('latency_p95_ms', 600, a), 0);
  });

  it('leaves out faults of either sign and of several windows, up to fewer than half of them', () => {
    const b = recentBaseline([50, 5000, 51, 0, 49, 3000, 50, 52, 4000, 48])!;
    expect(b.center).toBeGreaterThan(48);
    expect(b.center).toBeLessThan(52);
    expect(b.scale).toBeLessThan(3);
  });

  it('adopts a lasting level shift once it holds most of the recent windows, not before', () => {
    // 3 minutes of a change in 10: still a fault, judged against the old level
    expect(recentBaseline([50, 51, 49, 50, 52, 48, 50, 200, 201, 199])!.center).toBeLessThan(52);
    // 6 of 10: the new level (a lasting change stops alerting)
    const shifted = recentBaseline([50, 51, 49, 50, 200, 201, 199, 200, 202, 198])!;
    expect(shifted.center).toBeGreaterThan(195);
    expect(anomalyScore('latency_p95_ms', 205, { method: 'recent', ...shifted, samples: 10 })).toBeLessThan(ANOMALY_DEFAULTS.minScore);
  });

  it('does not call a flat latency with one-bucket jitter anomalous (the p95 comes from a 1.45x bucket histogram)', () => {
    const bucketMs = (b: number) => bucketValueUs(b) / 1000;
    const flat = 33; // ≈ 535 ms
    const rand = noise(11);
    const jittery = Array.from({ length: 10 }, () => bucketMs(flat + (rand() > 0.6 ? 1 : 0)));
    for (const history of [Array(10).fill(bucketMs(flat)), jittery]) {
      const b = baselineOf([], history)!;
      expect(anomalyScore('latency_p95_ms', bucketMs(flat + 1), b)).toBeLessThan(ANOMALY_DEFAULTS.minScore);
    }
    expect(LATENCY_BUCKET_STEP).toBeCloseTo(HISTOGRAM_FACTOR - 1, 10);
    // a real slowdown (several buckets) still is one
    expect(anomalyScore('latency_p95_ms', bucketMs(flat + 4), baselineOf([], Array(10).fill(bucketMs(flat)))!)).toBeGreaterThan(25);
  });

  it('gives no baseline without enough values (sparse traffic: NaN = no calls)', () => {
    expect(baselineOf([NaN, NaN, 5], [NaN, 3])).toBeNull();
    expect(medianMad([])).toBeNull();
  });

  it('keeps at most MAX_BASELINE_SAMPLES values of a long series', () => {
    const long = Array.from({ length: 1000 }, (_, i) => (i < 1000 - MAX_BASELINE_SAMPLES ? 1e6 : 10));
    expect(baselineOf(long, [])!.center).toBe(10);
    expect(baselineOf(long, [])!.samples).toBe(MAX_BASELINE_SAMPLES);
  });
});

describe('anomaly score', () => {
  const flat = { method: 'seasonal' as const, center: 100, scale: 0, samples: 7 };

  it('is direction-aware: latency and errors up, rate down', () => {
    expect(anomalyScore('latency_p95_ms', 200, flat)).toBeGreaterThan(4);
    expect(anomalyScore('latency_p95_ms', 20, flat)).toBeLessThan(0);
    expect(anomalyScore('rate_per_sec', 20, flat)).toBeGreaterThan(4);
    expect(anomalyScore('rate_per_sec', 300, flat)).toBeLessThan(0);
    const errors = { method: 'seasonal' as const, center: 0.01, scale: 0, samples: 7 };
    expect(anomalyScore('error_rate', 0.3, errors)).toBeGreaterThan(4);
    expect(anomalyScore('error_rate', 0, errors)).toBeLessThan(0);
  });

  it('floors the scale so that noise on a flat series is not an anomaly', () => {
    expect(anomalyScore('latency_p95_ms', 105, flat)).toBeLessThan(1);
  });

  it('finds a level shift in noisy latency and not the noise itself', () => {
    const rand = noise(42);
    const week = Array.from({ length: 7 }, () => 80 + 8 * rand());
    const b = baselineOf(week, [])!;
    const normal = Array.from({ length: 200 }, () => anomalyScore('latency_p95_ms', 80 + 8 * rand(), b));
    expect(normal.filter((s) => s >= ANOMALY_DEFAULTS.minScore)).toHaveLength(0);
    expect(anomalyScore('latency_p95_ms', 160, b)).toBeGreaterThanOrEqual(ANOMALY_DEFAULTS.minScore);
  });

  it('needs a minimum volume: 1 error in 2 calls is not judged, a rate drop from 3 calls neither', () => {
    expect(enoughVolume('error_rate', { calls: 2, errors: 1 }, 2)).toBe(false);
    expect(enoughVolume('error_rate', { calls: 100, errors: 2 }, 100)).toBe(false);
    expect(enoughVolume('error_rate', { calls: 100, errors: 30 }, 100)).toBe(true);
    expect(enoughVolume('rate_per_sec', { calls: 0, errors: 0 }, 3)).toBe(false);
    expect(enoughVolume('rate_per_sec', { calls: 0, errors: 0 }, 300)).toBe(true);
    expect(enoughVolume('latency_p95_ms', { calls: 5, errors: 0 }, 300)).toBe(false);
  });
});

import { anomalyScore, ANOMALY_DEFAULTS, normalBand } from '../../../../core/analysis/anomaly-score';
import type { Baseline } from '../../../../core/analysis/baseline';

const baseline = (center: number, scale: number): Baseline => ({ method: 'recent', center, scale, samples: 6 });

describe('the band a baseline calls normal', () => {
  it('ends where the score reaches the threshold, on either side', () => {
    const b = baseline(100, 8);
    const band = normalBand('latency_p95_ms', b);
    expect(band.low).toBeCloseTo(100 - 4 * 12, 9); // latency's scale floored at 12 % of the center
    expect(band.high).toBeCloseTo(100 + 4 * 12, 9);
    expect(anomalyScore('latency_p95_ms', band.high, b)).toBeCloseTo(ANOMALY_DEFAULTS.minScore, 9);
    expect(anomalyScore('rate_per_sec', normalBand('rate_per_sec', baseline(50, 6)).low, baseline(50, 6))).toBeCloseTo(ANOMALY_DEFAULTS.minScore, 9);
  });

  it('never goes below zero, and takes the absolute floor of a flat series', () => {
    expect(normalBand('error_rate', baseline(0, 0))).toEqual({ low: 0, high: 0.04 });
    expect(normalBand('latency_p95_ms', baseline(3, 0), 2).low).toBe(0);
  });
});

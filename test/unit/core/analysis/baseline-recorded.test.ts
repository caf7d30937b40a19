import { baselineOf, robustEwma } from '../../../../core/analysis/baseline';
import { anomalyScore } from '../../../../core/analysis/anomaly-score';
import { RECENT_WINDOWS } from '../../../../query-api/services/anomaly-service';

/**
 * Recorded p95s (ms, bucket values; null: no calls) of the detecting series of four faults the
 * detection bench missed on 2026-12-07 (`--rca --detect --faults 50 --seed 20261207`, load 32-35,
 * docs/benchmarks.md), read back from that run's store: the 10 one-minute windows before each fault,
 * oldest first, and the fault's minute. Each was missed because an earlier fault on the same series
 * (or a callee's, which shows on it) was among the windows of its `recent` baseline.
 */
const RECORDED = [
  {
    fault: 'detect-15-latency inventory POST /inventory/reservations +725 ms',
    series: 'edge order-api → inventory',
    before: [175.574, 121.085, 1125.382, 175.574, 776.126, 254.582, 175.574, 175.574, 1631.804, 175.574],
    value: 1125.382,
  },
  {
    fault: 'detect-24-latency product-catalog POST /products/quote +949 ms',
    series: 'edge order-api → product-catalog',
    before: [175.574, 121.085, 121.085, 121.085, null, 83.507, 254.582, 121.085, 175.574, 254.582],
    value: 1125.382,
  },
  {
    fault: 'detect-38-queueBacklog fulfilment +2439 ms',
    series: 'edge order-events → fulfilment (async)',
    before: [535.259, 535.259, 776.126, 1125.382, 776.126, 535.259, 15166.176, 10459.432, 535.259, 1125.382],
    value: 7213.401,
  },
  {
    fault: 'detect-45-slowExternal payment POST +1243 ms',
    series: 'edge payment → psp-gateway',
    before: [254.582, 254.582, 254.582, 254.582, 2366.116, 254.582, 369.144, 254.582, 254.582, 254.582],
    value: 1631.804,
  },
];

/** The default alert rules' threshold (alert-rules/default.json). */
const RULE_SCORE = 25;
const values = (before: readonly (number | null)[]) => before.map((v) => v ?? NaN);

describe('the recent baseline on recorded faults the detection bench missed', () => {
  it.each(RECORDED)('$fault on $series now scores over the rules\' threshold', ({ before, value }) => {
    // as it was: the robust EWMA (clipping only) of the 6 windows before
    const old = robustEwma(values(before).filter(Number.isFinite).slice(-6))!;
    expect(anomalyScore('latency_p95_ms', value, { method: 'recent', ...old, samples: 6 })).toBeLessThan(RULE_SCORE);
    // now: the earlier faults left out, over the windows the anomaly service reads
    expect(RECENT_WINDOWS).toBe(before.length);
    const now = baselineOf([], values(before))!;
    expect(anomalyScore('latency_p95_ms', value, now)).toBeGreaterThanOrEqual(RULE_SCORE);
  });
});

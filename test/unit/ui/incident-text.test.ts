import type { Incident, IncidentCause } from '../../../core/wire';
import { causeEvidence, formatMetric, incidentSpans, outsideBand, seriesLabel, serviceAnomalies } from '../../../ui/src/views/incidentText';

const MIN = 60_000;
const incident = (over: Partial<Incident>): Incident => ({
  id: '0123456789abcdef',
  rule: 'Slow',
  severity: 'critical',
  labels: {},
  series: { kind: 'service', service: 'payment' },
  metric: 'latency_p95_ms',
  threshold: null,
  status: 'resolved',
  startedAtMs: 10 * MIN,
  activeAtMs: 9 * MIN,
  resolvedAtMs: 20 * MIN,
  detectionStartUs: 6 * MIN * 1000,
  detectionEndUs: 9 * MIN * 1000,
  value: 400,
  summary: '',
  ...over,
});

describe('incident wording', () => {
  it('names a series and a metric value in its unit', () => {
    expect(seriesLabel({ kind: 'operation', service: 'payment', operation: 'charge' })).toBe('payment · charge');
    expect(seriesLabel({ kind: 'edge', source: 'a', target: 'b', edgeKind: 'async' })).toBe('a → b (async)');
    expect(seriesLabel({ kind: 'kpi', key: 'order.id', stage: 'paid' })).toBe('order.id stage paid');
    expect(seriesLabel(null)).toBe('log rate');
    expect([formatMetric('latency_p95_ms', 412.4), formatMetric('error_rate', 0.0351), formatMetric('rate_per_sec', 12.345), formatMetric('error_rate', NaN)]).toEqual(['412 ms', '3.5 %', '12.35/s', '–']);
  });

  it('says what ranked a cause, one anomaly line per metric', () => {
    const cause: IncidentCause = {
      service: 'payment',
      operation: 'charge',
      score: 0.9,
      evidence: {
        anomalies: [
          { seriesId: 'service:payment', metric: 'latency_p95_ms', score: 40, value: 400, center: 20, explained: false },
          { seriesId: 'operation:payment\u0000charge', metric: 'latency_p95_ms', score: 55.5, value: 410, center: 21, explained: false },
          { seriesId: 'service:payment', metric: 'error_rate', score: 6, value: 0.2, center: 0, explained: true },
        ],
        explainedBy: ['ledger'],
        orderShare: 0.87,
        ordersRankedFirst: 5,
        ordersRanked: 6,
        originErrors: 2,
        errorLogs: { now: 30, before: 2 },
        distance: 2,
      },
    };
    expect(causeEvidence(cause)).toEqual([
      "87 % of the affected orders' cause score; first in 5 of 6 orders",
      '2 errors started here',
      'anomalies: p95 latency score 55.5 (2 series)',
      '1 anomaly explained by ledger',
      'warning/error logs 2 → 30',
      "2 hops from the alert's series",
    ]);
    expect(causeEvidence({ ...cause, evidence: { ...cause.evidence, anomalies: [], orderShare: 0.001, originErrors: 0, errorLogs: { now: 1, before: 1 }, distance: 0 } })).toEqual(["the alert's own service"]);
  });
});

describe('incidents on charts', () => {
  it('shades the incidents about a service that overlap the window, clipped, from when their condition held', () => {
    const list = [
      incident({}),
      incident({ id: 'a'.repeat(16), series: { kind: 'edge', source: 'checkout', target: 'payment', edgeKind: 'sync' }, status: 'firing', resolvedAtMs: null }),
      incident({ id: 'b'.repeat(16), series: { kind: 'service', service: 'search' } }),
      incident({ id: 'c'.repeat(16), activeAtMs: 100 * MIN, detectionStartUs: 97 * MIN * 1000, resolvedAtMs: 110 * MIN }),
    ];
    const spans = incidentSpans(list, 'payment', 8 * MIN, 30 * MIN, 30 * MIN);
    expect(spans.map((s) => [s.id, s.startMs / MIN, s.endMs / MIN, s.firing])).toEqual([
      ['0123456789abcdef', 8, 20, false],
      ['a'.repeat(16), 8, 30, true],
    ]);
    expect(spans[1].label).toBe('Slow: checkout → payment p95 latency (firing)');
    expect(incidentSpans(list, null, 0, 200 * MIN, 200 * MIN)).toHaveLength(4);
  });

  it('picks a service\'s own strongest anomaly per metric, and tells the bad side of a band', () => {
    const a = (service: string, metric: 'latency_p95_ms' | 'rate_per_sec', score: number) => ({
      seriesId: `service:${service}`,
      series: { kind: 'service' as const, service },
      metric,
      value: 1,
      baseline: { method: 'recent' as const, center: 1, scale: 1, samples: 6 },
      score,
      calls: 10,
      errors: 0,
    });
    const byMetric = serviceAnomalies([a('payment', 'latency_p95_ms', 5), a('payment', 'latency_p95_ms', 9), a('search', 'rate_per_sec', 7)], 'payment');
    expect([...byMetric.entries()].map(([m, x]) => [m, x.score])).toEqual([['latency_p95_ms', 9]]);
    const band = { low: 10, high: 30, center: 20, method: 'recent' as const };
    expect([outsideBand({ metric: 'latency_p95_ms', band, threshold: null }, 31), outsideBand({ metric: 'latency_p95_ms', band, threshold: null }, 5)]).toEqual([true, false]);
    expect([outsideBand({ metric: 'rate_per_sec', band, threshold: null }, 5), outsideBand({ metric: 'rate_per_sec', band, threshold: null }, 31)]).toEqual([true, false]);
    expect(outsideBand({ metric: 'error_rate', band: null, threshold: { op: '>', value: 0.1 } }, 0.2)).toBe(true);
  });
});

import type { Anomaly } from '../../../core/anomaly';
import { FAULT_ADDED_MS, FAULT_TARGETS } from '../../../demo/fault-targets';
import { FAULT_KINDS } from '../../../demo/faults';
import type { HeardAlert } from '../../../bench/alert-receiver';
import { planDetectionFaults, untilNextMinute } from '../../../bench/detection-plan';
import {
  callersOf,
  firstDetection,
  incidentOfAlert,
  namesFaultedService,
  placeOf,
  perHour,
  rankServicesByAnomalies,
  scoreDetection,
  type DetectionTrial,
} from '../../../bench/rca-detection-score';
import { seededRandom } from '../../../bench/seeded-random';

const heard = (atMs: number, labels: Record<string, string>, status: HeardAlert['status'] = 'firing'): HeardAlert => ({ atMs, status, labels, startsAt: '', summary: '' });

describe('which alert detects a fault', () => {
  it('names the faulted service by its own series or by an edge from or to it', () => {
    expect(namesFaultedService(heard(0, { alertname: 'LatencyAnomaly', service: 'payment', operation: 'POST /payments/authorize' }), 'payment')).toBe(true);
    expect(namesFaultedService(heard(0, { alertname: 'LatencyAnomaly', source: 'order-api', target: 'payment', edge_kind: 'sync' }), 'payment')).toBe(true);
    expect(namesFaultedService(heard(0, { alertname: 'LatencyAnomaly', source: 'payment', target: 'psp', edge_kind: 'sync' }), 'payment')).toBe(true);
    expect(namesFaultedService(heard(0, { alertname: 'LatencyAnomaly', service: 'order-api' }), 'payment')).toBe(false);
  });

  it('takes the first firing alert naming the service inside the window, not a resolution or one from before', () => {
    const list = [
      heard(500, { service: 'payment' }),
      heard(1500, { service: 'payment' }, 'resolved'),
      heard(1600, { service: 'order-api' }),
      heard(1700, { source: 'order-api', target: 'payment' }),
      heard(1800, { service: 'payment' }),
    ];
    expect(firstDetection(list, 'payment', 1000, 5000)?.atMs).toBe(1700);
    expect(firstDetection(list, 'payment', 1000, 1650)).toBeNull();
    expect(firstDetection(list, 'billing', 0, 5000)).toBeNull();
  });
});

describe('callersOf', () => {
  it('follows edges against their direction, through queues, without looping', () => {
    const edges = [
      { source: 'order-api', target: 'payment' },
      { source: 'payment', target: 'psp' },
      { source: 'order-api', target: 'order-events' },
      { source: 'order-events', target: 'fulfilment' },
      { source: 'fulfilment', target: 'order-api' },
    ];
    expect([...callersOf('fulfilment', edges)].sort()).toEqual(['order-api', 'order-events']);
    expect([...callersOf('psp', edges)].sort()).toEqual(['fulfilment', 'order-api', 'order-events', 'payment']);
    expect(callersOf('nobody', edges).size).toBe(0);
  });
});

describe('scoreDetection', () => {
  const trial = (kind: DetectionTrial['kind'], detectedAfterMs: number | null, rank: number | null, others: DetectionTrial['otherAlerts'] = [], anomalyRank: number | null = rank): DetectionTrial => ({
    faultId: `${kind}-${Math.random()}`,
    kind,
    service: 'payment',
    operation: 'POST',
    addedMs: 1000,
    injectedAtMs: 10_000,
    clearedAtMs: 200_000,
    detectedAtMs: detectedAfterMs === null ? null : 10_000 + detectedAfterMs,
    detectedBy: detectedAfterMs === null ? null : 'LatencyAnomaly{service=payment}',
    otherAlerts: others,
    rank,
    rankedFirst: rank === null ? null : 'payment',
    anomalyRank,
  });

  it('gives detection, time to detect and top-k per kind and overall, top-k over the detected faults only', () => {
    const rows = scoreDetection([
      trial('latency', 30_000, 1, [], 3),
      trial('latency', 90_000, 2, [{ atMs: 0, alertname: 'LatencyAnomaly', services: ['order-api'], upstream: true }], 1),
      trial('latency', null, null),
      trial('error', 60_000, 4, [{ atMs: 0, alertname: 'ErrorRateAnomaly', services: ['billing'], upstream: false }]),
    ]);
    expect(rows.map((r) => r.kind)).toEqual(['error', 'latency', 'all']);
    const latency = rows[1];
    expect(latency).toMatchObject({ faults: 3, detected: 2, detectionPercent: 66.7, ttdMedianS: 30, ttdMaxS: 90, top1Percent: 50, top3Percent: 100, anomalyTop1Percent: 50, anomalyTop3Percent: 100, upstreamAlerts: 1, unrelatedAlerts: 0 });
    expect(rows[0]).toMatchObject({ faults: 1, detected: 1, detectionPercent: 100, top1Percent: 0, top3Percent: 0, unrelatedAlerts: 1 });
    expect(rows[2]).toMatchObject({ faults: 4, detected: 3, detectionPercent: 75, ttdMedianS: 60, ttdP90S: 90, top1Percent: 33.3, top3Percent: 66.7 });
  });

  it('has no incident top-k when no detected fault got an incident ranking (a build without GET /api/rca?incident=)', () => {
    const unanswered = { ...trial('dbLock', 30_000, null, [], 1), rankedFirst: null };
    expect(scoreDetection([unanswered])[0]).toMatchObject({ detected: 1, top1Percent: null, top3Percent: null, anomalyTop1Percent: 100 });
  });

  it('has no rates without trials', () => {
    expect(scoreDetection([])).toEqual([expect.objectContaining({ kind: 'all', faults: 0, detectionPercent: null, ttdMedianS: null, top1Percent: null })]);
  });

  it('counts alerts per hour of observation', () => {
    expect(perHour(1, 30 * 60_000)).toBe(2);
    expect(perHour(0, 30 * 60_000)).toBe(0);
    expect(perHour(3, 0)).toBeNull();
  });
});

describe('rankServicesByAnomalies', () => {
  const services = new Set(['order-api', 'payment', 'inventory']);
  const anomaly = (series: Anomaly['series'], score: number): Pick<Anomaly, 'series' | 'score'> => ({ series, score });

  it('orders the services the anomalies point at by their strongest score, each once, ties by name; KPI series point at none', () => {
    const ranking = rankServicesByAnomalies(
      [
        anomaly({ kind: 'service', service: 'order-api' }, 9),
        anomaly({ kind: 'edge', source: 'inventory', target: 'postgres', edgeKind: 'sync' }, 30),
        anomaly({ kind: 'kpi', key: 'order.id' }, 99),
        anomaly({ kind: 'operation', service: 'payment', operation: 'POST' }, 9),
        anomaly({ kind: 'edge', source: 'order-api', target: 'payment', edgeKind: 'sync' }, 5),
        anomaly({ kind: 'service', service: 'order-api' }, 6),
      ],
      services,
    );
    expect(ranking).toEqual(['inventory', 'order-api', 'payment']);
    expect(rankServicesByAnomalies([], services)).toEqual([]);
  });
});

describe('the incident of an alert and a service’s place in its ranking', () => {
  const incident = (id: string, rule: string, startedAtMs: number, labels: Record<string, string>) => ({ id, rule, startedAtMs, labels });
  const firedAt = Date.UTC(2026, 11, 7, 11, 40, 5);
  const alert = { labels: { alertname: 'LatencyAnomaly', severity: 'warning', service: 'payment', metric: 'latency_p95_ms' }, startsAt: new Date(firedAt).toISOString() };

  it('finds the incident by rule, firing moment and labels', () => {
    const incidents = [
      incident('a', 'LatencyAnomaly', firedAt, { service: 'billing', metric: 'latency_p95_ms' }),
      incident('b', 'ErrorRateAnomaly', firedAt, { service: 'payment', metric: 'error_rate' }),
      incident('c', 'LatencyAnomaly', firedAt - 60_000, { service: 'payment', metric: 'latency_p95_ms' }),
      incident('d', 'LatencyAnomaly', firedAt, { service: 'payment', metric: 'latency_p95_ms' }),
    ];
    expect(incidentOfAlert(incidents, alert)?.id).toBe('d');
    expect(incidentOfAlert(incidents.slice(0, 3), alert)).toBeNull();
    expect(incidentOfAlert(incidents, { ...alert, startsAt: 'not a date' })).toBeNull();
  });

  it('counts each service once: an operation ranked twice does not push the next service down', () => {
    const candidates = [{ service: 'inventory' }, { service: 'inventory' }, { service: 'payment' }];
    expect(placeOf('payment', candidates)).toBe(2);
    expect(placeOf('inventory', candidates)).toBe(1);
    expect(placeOf('billing', candidates)).toBeNull();
  });
});

describe('planDetectionFaults', () => {
  const none = () => new Set<string>();

  it('draws a demo target of its kind, an added time in the kind’s range, and repeats from the seed', () => {
    const a = planDetectionFaults(30, seededRandom(7), none);
    expect(planDetectionFaults(30, seededRandom(7), none)).toEqual(a);
    expect(planDetectionFaults(30, seededRandom(8), none)).not.toEqual(a);
    for (const f of a) {
      expect(FAULT_KINDS).toContain(f.kind);
      expect(FAULT_TARGETS[f.kind]).toContainEqual({ service: f.service, operation: f.operation });
      const [lo, hi] = FAULT_ADDED_MS[f.kind];
      expect(f.addedMs).toBeGreaterThanOrEqual(lo);
      expect(f.addedMs).toBeLessThanOrEqual(hi);
      expect(f.rate).toBe(1);
    }
    expect(a.map((f) => f.id)).toEqual(a.map((f, i) => `detect-${i + 1}-${f.kind}`));
  });

  it('samples every kind evenly: each round of six holds every kind once, in a drawn order', () => {
    for (const seed of [1, 17, 2026]) {
      const plan = planDetectionFaults(52, seededRandom(seed), none);
      const counts = new Map<string, number>();
      for (const f of plan) counts.set(f.kind, (counts.get(f.kind) ?? 0) + 1);
      expect([...counts.keys()].sort()).toEqual([...FAULT_KINDS].sort());
      for (const kind of FAULT_KINDS) expect(counts.get(kind)).toBeGreaterThanOrEqual(8);
      for (let r = 0; r + FAULT_KINDS.length <= plan.length; r += FAULT_KINDS.length) {
        expect(plan.slice(r, r + FAULT_KINDS.length).map((f) => f.kind).sort()).toEqual([...FAULT_KINDS].sort());
      }
    }
  });

  it('never puts a fault on a service the previous fault avoids while its round has a kind with another target', () => {
    // like the bench: the previous service and its callers
    const callers: Record<string, string[]> = { inventory: ['order-api', 'fulfilment'], fulfilment: ['order-api'], payment: ['order-api', 'billing', 'scheduler', 'fulfilment'] };
    const avoidAfter = (s: string) => new Set([s, ...(callers[s] ?? [])]);
    for (const seed of [3, 42, 99]) {
      const plan = planDetectionFaults(60, seededRandom(seed), avoidAfter);
      for (let i = 1; i < plan.length; i++) expect(avoidAfter(plan[i - 1].service).has(plan[i].service)).toBe(false);
      // and still every kind about evenly, queue backlog (fulfilment only) included
      const counts = FAULT_KINDS.map((kind) => plan.filter((f) => f.kind === kind).length);
      expect(Math.min(...counts)).toBeGreaterThanOrEqual(9);
      expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(2);
    }
  });

  it('ignores the avoided services when they cover every target rather than looping', () => {
    const every = new Set(Object.values(FAULT_TARGETS).flatMap((ts) => ts.map((t) => t.service)));
    const plan = planDetectionFaults(12, seededRandom(3), () => every);
    expect(plan).toHaveLength(12);
    expect(new Set(plan.map((f) => f.kind)).size).toBe(FAULT_KINDS.length);
  });
});

describe('untilNextMinute', () => {
  it('waits for the next whole minute, not at all in the first second of one', () => {
    const minute = Date.UTC(2026, 11, 7, 11, 0);
    expect(untilNextMinute(minute)).toBe(0);
    expect(untilNextMinute(minute + 999)).toBe(0);
    expect(untilNextMinute(minute + 1000)).toBe(59_000);
    expect(untilNextMinute(minute + 59_999)).toBe(1);
  });
});

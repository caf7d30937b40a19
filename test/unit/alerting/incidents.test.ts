import type { AlertInstance } from '../../../alerting/alert-state';
import { incidentId, MAX_INCIDENTS, trackIncidents, watchedSeries } from '../../../alerting/incidents';
import type { AlertRule } from '../../../alerting/rules';

const MINUTE = 60_000;
const T = Date.UTC(2026, 0, 5, 10, 0, 0);
const anomalyRule: AlertRule = {
  name: 'Slow',
  forMs: MINUTE,
  severity: 'critical',
  labels: {},
  annotations: {},
  condition: { kind: 'anomaly', metric: 'latency_p95_ms' },
  windowMs: 5 * MINUTE,
  file: 'r.json',
};
const thresholdRule: AlertRule = { ...anomalyRule, name: 'EdgeErrors', condition: { kind: 'threshold', metric: 'error_rate', source: 'checkout', target: 'payment', op: '>', value: 0.1 } };
const instance = (over: Partial<AlertInstance>): AlertInstance => ({
  key: '["Slow",[["metric","latency_p95_ms"],["service","payment"]]]',
  rule: 'Slow',
  labels: { service: 'payment', metric: 'latency_p95_ms' },
  status: 'firing',
  activeAtMs: T - MINUTE,
  firedAtMs: T,
  resolvedAtMs: null,
  value: 400,
  summary: 'p95 400 ms',
  ...over,
});

describe('incidents of alerts', () => {
  it('opens one incident when an alert fires, with its series, severity and detection window; none while pending', () => {
    expect(trackIncidents([], [instance({ status: 'pending', firedAtMs: null })], [anomalyRule], T)).toEqual([]);
    const [incident] = trackIncidents([], [instance({})], [anomalyRule], T);
    expect(incident).toMatchObject({
      id: incidentId(instance({}).key, T),
      rule: 'Slow',
      severity: 'critical',
      series: { kind: 'service', service: 'payment' },
      metric: 'latency_p95_ms',
      threshold: null,
      status: 'firing',
      startedAtMs: T,
      resolvedAtMs: null,
      // the 5 whole minutes before the minute it fired in
      detectionStartUs: (T - 5 * MINUTE) * 1000,
      detectionEndUs: T * 1000,
    });
    expect(incident.id).toMatch(/^[0-9a-f]{16}$/);
  });

  it('keeps the same incident while the alert fires (a restart reads the same id), resolves it with the alert, opens a new one when it fires again', () => {
    let incidents = trackIncidents([], [instance({})], [anomalyRule], T);
    incidents = trackIncidents(incidents, [instance({ value: 500, summary: 'p95 500 ms' })], [anomalyRule], T + MINUTE);
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ status: 'firing', value: 500, summary: 'p95 500 ms' });
    incidents = trackIncidents(incidents, [instance({ status: 'resolved', resolvedAtMs: T + 3 * MINUTE })], [anomalyRule], T + 3 * MINUTE);
    expect(incidents[0]).toMatchObject({ status: 'resolved', resolvedAtMs: T + 3 * MINUTE, value: 500 });
    incidents = trackIncidents(incidents, [instance({ firedAtMs: T + 10 * MINUTE, activeAtMs: T + 9 * MINUTE })], [anomalyRule], T + 10 * MINUTE);
    expect(incidents.map((i) => i.status)).toEqual(['firing', 'resolved']);
    expect(incidents[0].startedAtMs).toBe(T + 10 * MINUTE);
    expect(incidents[0].id).not.toBe(incidents[1].id);
  });

  it('resolves an open incident whose alert was forgotten (its rule left the files)', () => {
    const open = trackIncidents([], [instance({})], [anomalyRule], T);
    expect(trackIncidents(open, [], [], T + MINUTE)[0]).toMatchObject({ status: 'resolved', resolvedAtMs: T + MINUTE });
  });

  it('reads the series of a threshold rule from its condition, and of a log-rate rule none', () => {
    const edge = watchedSeries(instance({ rule: 'EdgeErrors', labels: {} }), thresholdRule);
    expect(edge).toEqual({ series: { kind: 'edge', source: 'checkout', target: 'payment', edgeKind: 'sync' }, metric: 'error_rate' });
    const [incident] = trackIncidents([], [instance({ rule: 'EdgeErrors', labels: {}, key: 'k' })], [thresholdRule], T);
    expect(incident.threshold).toEqual({ op: '>', value: 0.1 });
    const logRule: AlertRule = { ...anomalyRule, name: 'Logs', condition: { kind: 'log_rate', query: 'level:error', op: '>', value: 5 } };
    expect(watchedSeries(instance({ rule: 'Logs', labels: {} }), logRule)).toEqual({ series: null, metric: null });
    expect(watchedSeries(instance({ labels: { business_key: 'order.id', stage: 'payment', metric: 'latency_p95_ms' } }), anomalyRule)).toEqual({
      series: { kind: 'kpi', key: 'order.id', stage: 'payment' },
      metric: 'latency_p95_ms',
    });
    expect(watchedSeries(instance({ labels: { service: 'payment', operation: 'charge', metric: 'error_rate' } }), anomalyRule)).toEqual({
      series: { kind: 'operation', service: 'payment', operation: 'charge' },
      metric: 'error_rate',
    });
  });

  it(`keeps at most ${MAX_INCIDENTS}, forgetting the oldest resolved ones first, never an open one`, () => {
    const resolved = Array.from({ length: MAX_INCIDENTS }, (_, i) => instance({ key: `r${i}`, firedAtMs: T + i * 1000, status: 'resolved', resolvedAtMs: T + i * 1000 + 1 }));
    const openOld = instance({ key: 'old-open', firedAtMs: T - 60 * MINUTE });
    const incidents = trackIncidents([], [...resolved, openOld], [anomalyRule], T + 2 * 60 * MINUTE);
    expect(incidents).toHaveLength(MAX_INCIDENTS);
    expect(incidents.some((i) => i.status === 'firing' && i.startedAtMs === T - 60 * MINUTE)).toBe(true);
    expect(incidents.some((i) => i.startedAtMs === T)).toBe(false);
    expect(incidents.map((i) => i.startedAtMs)).toEqual([...incidents.map((i) => i.startedAtMs)].sort((a, b) => b - a));
  });
});

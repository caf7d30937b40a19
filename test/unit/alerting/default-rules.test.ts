import path from 'node:path';
import { loadAlertRules } from '../../../alerting/rules';

describe('the shipped default alert rules (alert-rules/)', () => {
  it('load through the real rule loader: latency and error-rate anomalies over one minute, no `for`, score at least 25', () => {
    const rules = loadAlertRules(path.resolve(__dirname, '../../../alert-rules'));
    expect(rules.map((r) => [r.name, r.severity, r.forMs, r.windowMs, r.condition])).toEqual([
      ['LatencyAnomaly', 'warning', 0, 60_000, { kind: 'anomaly', metric: 'latency_p95_ms', window: '1m', minScore: 25 }],
      ['ErrorRateAnomaly', 'critical', 0, 60_000, { kind: 'anomaly', metric: 'error_rate', window: '1m', minScore: 25 }],
    ]);
    for (const r of rules) expect(r.annotations.description).toMatch(/docs\/alerts\.md#the-default-rules/);
  });
});

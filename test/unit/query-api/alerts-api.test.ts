import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AlertEvaluator } from '../../../alerting/evaluator';
import { loadAlertRules } from '../../../alerting/rules';
import { FileAlertStateStore } from '../../../alerting/state-file';
import { AnomalyService } from '../../../query-api/services/anomaly-service';
import { startEmbeddedQueryApp, type EmbeddedQueryApp } from '../../helpers/embedded-query-app';

/** GET /api/alerts/rules: the rules a query role read from ALERT_RULES_DIR, or those the evaluator of the process runs. */
describe('alert rules API', () => {
  let app: EmbeddedQueryApp;
  let dir: string;

  beforeAll(async () => {
    app = await startEmbeddedQueryApp('alerts-api');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-alerts-api-'));
    fs.writeFileSync(
      path.join(dir, 'shop.yaml'),
      'rules:\n  - name: CheckoutSilent\n    for: 1m\n    severity: critical\n    labels: { team: shop }\n    condition: { kind: threshold, metric: rate_per_sec, service: checkout, op: "<", value: 1 }\n',
    );
    fs.writeFileSync(path.join(dir, 'orders.json'), JSON.stringify({ rules: [{ name: 'OrdersKpi', severity: 'warning', condition: { kind: 'anomaly', key: 'order.id' } }] }));
  });
  afterAll(async () => {
    await app?.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const get = async (base: string, route: string) => {
    const res = await fetch(base + route);
    expect(res.status).toBe(200);
    return res.json();
  };

  it("lists a query role's rule files (no evaluator here: no errors, no alerts)", async () => {
    const base = await app.listen({ alertRules: loadAlertRules(dir) });
    expect(await get(base, '/api/alerts/rules')).toEqual({
      evaluating: false,
      rules: [
        { name: 'OrdersKpi', severity: 'warning', forMs: 0, windowMs: 300_000, labels: {}, annotations: {}, condition: { kind: 'anomaly', key: 'order.id' }, file: path.join(dir, 'orders.json'), lastError: null },
        {
          name: 'CheckoutSilent', severity: 'critical', forMs: 60_000, windowMs: 300_000, labels: { team: 'shop' }, annotations: {},
          condition: { kind: 'threshold', metric: 'rate_per_sec', service: 'checkout', op: '<', value: 1 }, file: path.join(dir, 'shop.yaml'), lastError: null,
        },
      ],
    });
    expect(await get(base, '/api/alerts')).toMatchObject({ evaluating: false, leading: false, rules: [], alerts: [] });
    // without rules: an empty list
    expect(await get(await app.listen(), '/api/alerts/rules')).toEqual({ evaluating: false, rules: [] });
  });

  it("lists the evaluator's rules with their last evaluation error", async () => {
    const evaluator = new AlertEvaluator({
      rules: loadAlertRules(dir),
      sources: { spans: app.stores.spans, logs: app.stores.logs, anomalies: new AnomalyService(app.stores.spans) },
      intervalMs: 60_000,
      state: new FileAlertStateStore(path.join(dir, 'state', 'state.json')),
      holder: 'all-in-one',
      alertmanagerUrl: '',
      webhookUrl: '',
      generatorUrl: () => 'http://chainscope.test/api/alerts',
      log: () => {},
    });
    evaluator.start();
    try {
      const base = await app.listen({ alerts: () => evaluator.view(), alertRules: [] });
      const answer = (await get(base, '/api/alerts/rules')) as { evaluating: boolean; rules: { name: string; lastError: string | null }[] };
      expect(answer.evaluating).toBe(true);
      expect(answer.rules.map((r) => [r.name, r.lastError])).toEqual([
        ['OrdersKpi', null],
        ['CheckoutSilent', null],
      ]);
    } finally {
      await evaluator.shutdown();
    }
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AlertEvaluator } from '../../../alerting/evaluator';
import { loadAlertRules } from '../../../alerting/rules';
import { FileAlertStateStore } from '../../../alerting/state-file';
import { openEmbeddedStores } from '../../../storage/embedded';
import { AnomalyService } from '../../../query-api/services/anomaly-service';
import { startRecordingWebhook, type RecordingWebhook } from '../../helpers/recording-webhook';
import { writeSteadyTraffic } from '../../helpers/steady-traffic';
import { alertsOf, describeWithAlertmanager, startAlertmanager, type RunningAlertmanager } from './alertmanager';

const MINUTE_MS = 60_000;

/**
 * The alert evaluator against a real Alertmanager (v0.35.0) over a real embedded store: payment's
 * latency jumps (synthetic spans, the fault) and an anomaly rule fires an alert Alertmanager lists;
 * a restart of the evaluator keeps it (same startsAt, one alert); the fault's end resolves it.
 * Time is simulated ten minutes in the past (the evaluator's clock), so that every startsAt and
 * every resolved endsAt lies before Alertmanager's now.
 */
describeWithAlertmanager('alerts to a real Alertmanager', (binary) => {
  let am: RunningAlertmanager;
  let dir: string;
  let stores: ReturnType<typeof openEmbeddedStores>;
  let webhook: RecordingWebhook;
  // M: a whole minute ten minutes ago; the fault runs from M − 3 min to M + 3 min
  const M = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS - 10 * MINUTE_MS;
  let simulatedNow = M;

  beforeAll(async () => {
    am = await startAlertmanager(binary);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-alerts-'));
    stores = openEmbeddedStores({ dataDir: path.join(dir, 'data') });
    await stores.spans.start();
    await stores.logs.start();
    await writeSteadyTraffic(stores.spans, {
      fromUs: (M - 30 * MINUTE_MS) * 1000,
      toUs: (M + 9 * MINUTE_MS) * 1000,
      perMinute: 60,
      paymentMs: (tUs) => (tUs >= (M - 3 * MINUTE_MS) * 1000 && tUs < (M + 3 * MINUTE_MS) * 1000 ? 400 : 20 + ((tUs / 1e6) % 7)),
    });
    fs.mkdirSync(path.join(dir, 'rules'));
    fs.writeFileSync(
      path.join(dir, 'rules', 'payment.json'),
      JSON.stringify({
        rules: [
          {
            name: 'PaymentLatencyAnomaly',
            for: '1m',
            severity: 'critical',
            labels: { team: 'payments' },
            annotations: { runbook: 'https://runbooks.example/payment' },
            condition: { kind: 'anomaly', metric: 'latency_p95_ms', service: 'payment', window: '3m' },
          },
        ],
      }),
    );
    webhook = await startRecordingWebhook();
  }, 60_000);

  afterAll(async () => {
    await am?.stop();
    await stores?.spans.shutdown();
    await stores?.logs.shutdown();
    await webhook?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** An evaluator as the all-in-one makes it, on the simulated clock; a long interval keeps firing alerts' endsAt in Alertmanager's future. */
  const evaluator = () =>
    new AlertEvaluator({
      rules: loadAlertRules(path.join(dir, 'rules')),
      sources: { spans: stores.spans, logs: stores.logs, anomalies: new AnomalyService(stores.spans, () => simulatedNow * 1000) },
      intervalMs: 30 * MINUTE_MS,
      state: new FileAlertStateStore(path.join(dir, 'data', 'alerts', 'state.json')),
      holder: 'all-in-one',
      alertmanagerUrl: am.url,
      webhookUrl: webhook.url,
      generatorUrl: () => 'http://chainscope.test/api/alerts',
      log: () => {},
      now: () => simulatedNow,
    });
  const paymentService = (labels: Record<string, string>) => labels.alertname === 'PaymentLatencyAnomaly' && labels.service === 'payment' && !labels.operation;

  it('fires after `for`, is listed by Alertmanager, survives a restart without a duplicate, and resolves when the fault ends', async () => {
    let ev = evaluator();
    simulatedNow = M + 1000;
    await ev.evaluateOnce();
    const pending = ev.view().alerts.filter((a) => paymentService({ ...a.labels, alertname: a.rule }));
    expect(pending.map((a) => a.status)).toEqual(['pending']);
    expect((await alertsOf(am.url)).filter((a) => a.labels.alertname === 'PaymentLatencyAnomaly')).toEqual([]);

    simulatedNow = M + MINUTE_MS + 1000;
    await ev.evaluateOnce();
    const listed = (await alertsOf(am.url)).filter((a) => paymentService(a.labels));
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({
      labels: { alertname: 'PaymentLatencyAnomaly', severity: 'critical', team: 'payments', service: 'payment', metric: 'latency_p95_ms' },
      annotations: { runbook: 'https://runbooks.example/payment', summary: expect.stringMatching(/^p95 \d+(\.\d+)? ms against a usual/) },
      generatorURL: 'http://chainscope.test/api/alerts',
      status: { state: 'active' },
    });
    expect(Date.parse(listed[0].startsAt)).toBe(M + MINUTE_MS + 1000);
    const firedHooks = webhook.posts.filter((p) => p.status === 'firing' && p.alerts.some((a) => paymentService(a.labels)));
    expect(firedHooks).toHaveLength(1);

    // restart: a new evaluator over the same state file
    await ev.shutdown();
    ev = evaluator();
    simulatedNow = M + 2 * MINUTE_MS + 1000;
    await ev.evaluateOnce();
    // carried on from the file: still firing, not pending again
    expect(ev.view().alerts.filter((a) => paymentService({ ...a.labels, alertname: a.rule })).map((a) => [a.status, a.firedAtMs])).toEqual([['firing', M + MINUTE_MS + 1000]]);
    const afterRestart = (await alertsOf(am.url)).filter((a) => paymentService(a.labels));
    expect(afterRestart).toHaveLength(1);
    expect(afterRestart[0].startsAt).toBe(listed[0].startsAt);
    expect(webhook.posts.filter((p) => p.status === 'firing' && p.alerts.some((a) => paymentService(a.labels)))).toHaveLength(1);

    // the fault ends at M + 3 min: the window [M + 3 min, M + 6 min) is healthy again
    simulatedNow = M + 6 * MINUTE_MS + 1000;
    await ev.evaluateOnce();
    const resolved = ev.view().alerts.find((a) => paymentService({ ...a.labels, alertname: a.rule }))!;
    expect(resolved).toMatchObject({ status: 'resolved', resolvedAtMs: simulatedNow, resolvedSent: true });
    // Alertmanager no longer lists it as active (a resolved alert drops out of GET /api/v2/alerts)
    const stillActive = (await alertsOf(am.url)).filter((a) => paymentService(a.labels));
    expect(stillActive).toEqual([]);
    expect(webhook.posts.filter((p) => p.status === 'resolved' && p.alerts.some((a) => paymentService(a.labels)))).toHaveLength(1);
    await ev.shutdown();
  }, 60_000);
});

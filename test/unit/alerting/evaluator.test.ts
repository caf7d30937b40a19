import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AlertEvaluator } from '../../../alerting/evaluator';
import { FileAlertStateStore } from '../../../alerting/state-file';
import type { AlertRule } from '../../../alerting/rules';
import { openEmbeddedStores } from '../../../storage/embedded';
import { AnomalyService } from '../../../query-api/services/anomaly-service';
import { startRecordingWebhook, type RecordingWebhook } from '../../helpers/recording-webhook';

/** The evaluator over a real (empty) embedded store and a local webhook: each change hook.posts once, retried after a failure, not repeated after a restart. */
describe('alert evaluator and the webhook', () => {
  let dir: string;
  let stores: ReturnType<typeof openEmbeddedStores>;
  let hook: RecordingWebhook;
  const silent: AlertRule = {
    name: 'CheckoutSilent',
    forMs: 0,
    severity: 'warning',
    labels: {},
    annotations: {},
    condition: { kind: 'threshold', metric: 'rate_per_sec', service: 'checkout', op: '<', value: 1 },
    windowMs: 60_000,
    file: 'rules.json',
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-evaluator-'));
    stores = openEmbeddedStores({ dataDir: dir });
    await stores.spans.start();
    await stores.logs.start();
    hook = await startRecordingWebhook();
  });
  afterAll(async () => {
    await stores.spans.shutdown();
    await stores.logs.shutdown();
    await hook.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const evaluator = (rules: AlertRule[], lines: string[] = []) =>
    new AlertEvaluator({
      rules,
      sources: { spans: stores.spans, logs: stores.logs, anomalies: new AnomalyService(stores.spans) },
      intervalMs: 30_000,
      state: new FileAlertStateStore(path.join(dir, 'alerts', 'state.json')),
      holder: 'all-in-one',
      alertmanagerUrl: '',
      webhookUrl: hook.url,
      generatorUrl: () => 'http://chainscope.test/api/alerts',
      log: (line) => lines.push(line),
    });

  it('sends a firing alert again after a failed post, once; a restart does not repeat it; its end is hook.posts once', async () => {
    const lines: string[] = [];
    let ev = evaluator([silent], lines);
    hook.failNext(1);
    await ev.evaluateOnce();
    expect(hook.posts).toEqual([]);
    expect(lines.join('\n')).toMatch(/alerts to webhook failed .*500/);
    await ev.evaluateOnce();
    await ev.evaluateOnce();
    expect(hook.posts.map((h) => [h.status, h.alerts.map((a) => a.labels.alertname)])).toEqual([['firing', ['CheckoutSilent']]]);

    ev = evaluator([silent]);
    await ev.evaluateOnce();
    expect(hook.posts).toHaveLength(1);

    // the rule leaves the files: its firing alert resolves, and the webhook hears that once
    ev = evaluator([]);
    await ev.evaluateOnce();
    await ev.evaluateOnce();
    expect(hook.posts.map((h) => h.status)).toEqual(['firing', 'resolved']);
    expect(ev.view().alerts).toMatchObject([{ rule: 'CheckoutSilent', status: 'resolved', webhookSent: 'resolved' }]);
  });
});

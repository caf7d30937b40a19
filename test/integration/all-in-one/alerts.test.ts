import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { getJson, startTestAllInOne, type TestAllInOne } from '../../helpers/all-in-one';
import { waitFor } from '../../helpers/wait';
import type { AlertsView } from '../../../alerting/evaluator';

/** The all-in-one runs the alert evaluator of ALERT_RULES_DIR: GET /api/alerts, the webhook, and a bad file stopping start-up. */
describe('all-in-one alert evaluator', () => {
  let rulesDir: string;
  let app: TestAllInOne | undefined;
  let hook: http.Server;
  const posts: { status: string; alerts: { labels: Record<string, string>; generatorURL: string }[] }[] = [];

  beforeAll(async () => {
    rulesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-aio-rules-'));
    hook = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        posts.push(JSON.parse(body));
        res.end();
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await app?.dispose();
    await new Promise((resolve) => hook.close(resolve));
    fs.rmSync(rulesDir, { recursive: true, force: true });
  });

  it('fires a rule whose condition holds (no checkout traffic at all), lists it on /api/alerts and posts it to the webhook', async () => {
    fs.writeFileSync(
      path.join(rulesDir, 'checkout.json'),
      JSON.stringify({
        rules: [{ name: 'CheckoutSilent', severity: 'critical', condition: { kind: 'threshold', metric: 'rate_per_sec', service: 'checkout', op: '<', value: 0.1, window: '1m' } }],
      }),
    );
    app = await startTestAllInOne({ alertRulesDir: rulesDir, alertWebhookUrl: `http://127.0.0.1:${(hook.address() as { port: number }).port}/`, alertEvalIntervalMs: 1000 });
    const view = await waitFor(async () => {
      const { body } = await getJson(`${app!.apiUrl}/api/alerts`);
      return (body as AlertsView).alerts.some((a) => a.status === 'firing') && (body as AlertsView);
    }, 'the rule to fire');
    expect(view.evaluating).toBe(true);
    expect(view.rules).toMatchObject([{ name: 'CheckoutSilent', severity: 'critical', lastError: null }]);
    expect(view.alerts).toMatchObject([{ rule: 'CheckoutSilent', status: 'firing', value: 0, summary: '0 calls/s < 0.1 calls/s' }]);
    await waitFor(() => posts.length > 0, 'the webhook post');
    expect(posts[0]).toMatchObject({ status: 'firing', alerts: [{ labels: { alertname: 'CheckoutSilent', severity: 'critical' }, generatorURL: `${app.apiUrl}/api/alerts` }] });
    await app.dispose();
    app = undefined;
    // the state survives in DATA_DIR/alerts/state.json: nothing to check here beyond a clean stop
  });

  it('refuses to start with a rule file that does not conform, naming the file and the field', async () => {
    fs.writeFileSync(path.join(rulesDir, 'broken.json'), JSON.stringify({ rules: [{ name: 'Broken', severity: 'loud', condition: { kind: 'anomaly' } }] }));
    await expect(startTestAllInOne({ alertRulesDir: rulesDir })).rejects.toThrow(/broken\.json: \$\.rules\[0\]\.severity: expected one of/);
  });
});

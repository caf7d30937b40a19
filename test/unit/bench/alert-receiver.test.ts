import { startAlertReceiver, type AlertReceiver } from '../../../bench/alert-receiver';

describe('the bench alert receiver', () => {
  let receiver: AlertReceiver;
  beforeEach(async () => {
    receiver = await startAlertReceiver();
  });
  afterEach(() => receiver.close());

  const post = (body: unknown) => fetch(receiver.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const alert = (labels: Record<string, string>, extra: Record<string, unknown> = {}) => ({ labels, annotations: { summary: 'p95 900 ms' }, startsAt: '2026-12-07T11:00:00.000Z', ...extra });

  it('hears firing and resolved posts of the webhook, in order, with labels, startsAt and summary', async () => {
    const payment = { alertname: 'LatencyAnomaly', service: 'payment', metric: 'latency_p95_ms' };
    const billing = { alertname: 'ErrorRateAnomaly', service: 'billing', metric: 'error_rate' };
    expect((await post({ status: 'firing', alerts: [alert(payment), alert(billing)] })).status).toBe(200);
    expect(receiver.heard[0]).toMatchObject({ status: 'firing', labels: payment, startsAt: '2026-12-07T11:00:00.000Z', summary: 'p95 900 ms' });
    expect((await post({ status: 'resolved', alerts: [alert(payment)] })).status).toBe(200);
    expect(receiver.heard.map((a) => [a.status, a.labels.service])).toEqual([['firing', 'payment'], ['firing', 'billing'], ['resolved', 'payment']]);
  });

  it('takes an alert’s own status over the post’s (Alertmanager webhook shape)', async () => {
    await post({ status: 'firing', alerts: [alert({ alertname: 'A' }, { status: 'resolved' })] });
    expect(receiver.heard.map((a) => a.status)).toEqual(['resolved']);
  });

  it('answers 400 to a body that is not JSON and keeps serving', async () => {
    expect((await post('{not json')).status).toBe(400);
    expect((await post({ status: 'firing', alerts: [alert({ alertname: 'B' })] })).status).toBe(200);
    expect(receiver.heard).toHaveLength(1);
  });
});

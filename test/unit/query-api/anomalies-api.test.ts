import { startEmbeddedQueryApp, type EmbeddedQueryApp } from '../../helpers/embedded-query-app';
import { writeSteadyTraffic } from '../../helpers/steady-traffic';
import type { AnomalyReport } from '../../../core/anomaly';
import { MAX_TIME_MS } from '../../../core/limits';

const MINUTE_US = 60_000_000;

/** GET /api/anomalies through the real app and embedded store: a latency jump of payment in the last minutes is found, steady series are not. */
describe('anomalies API over the embedded store', () => {
  let app: EmbeddedQueryApp;
  let base: string;
  const nowMinuteUs = Math.floor((Date.now() * 1000) / MINUTE_US) * MINUTE_US;
  const faultFromUs = nowMinuteUs - 3 * MINUTE_US;

  beforeAll(async () => {
    app = await startEmbeddedQueryApp('anomalies-api');
    // 21 minutes of steady traffic (the 3-minute window and the 6 windows before it); payment slow and failing in the last 3
    let k = 0;
    await writeSteadyTraffic(app.stores.spans, {
      fromUs: nowMinuteUs - 21 * MINUTE_US,
      toUs: nowMinuteUs,
      perMinute: 60,
      paymentMs: (t) => (t >= faultFromUs ? 400 : 20 + (k++ % 7)),
      paymentFails: (t) => t >= faultFromUs && k % 3 === 0,
      orderKey: 'order.id',
    });
    base = await app.listen();
  });
  afterAll(() => app?.dispose());

  async function get<T>(pathAndQuery: string, status = 200): Promise<T> {
    const res = await fetch(base + pathAndQuery, { signal: AbortSignal.timeout(20_000) });
    expect({ pathAndQuery, status: res.status }).toEqual({ pathAndQuery, status });
    return (await res.json()) as T;
  }
  const window = (fromUs: number, toUs: number) => `/api/anomalies?start=${fromUs / 1000}&end=${toUs / 1000}`;

  it('finds the latency and error rise of payment, its operation, the edge into it and the orders (end to end and their stage), against the recent baseline', async () => {
    const report = await get<AnomalyReport>(window(faultFromUs, nowMinuteUs));
    expect(report.startUs).toBe(faultFromUs);
    expect(report.endUs).toBe(nowMinuteUs);
    const found = new Set(report.anomalies.map((a) => `${a.seriesId.replace(/\u0000/g, '|')} ${a.metric}`));
    expect(found).toEqual(
      new Set([
        'service:payment latency_p95_ms',
        'service:payment error_rate',
        'operation:payment|POST /pay latency_p95_ms',
        'operation:payment|POST /pay error_rate',
        'service:frontend latency_p95_ms',
        'service:frontend error_rate',
        'operation:frontend|POST /checkout latency_p95_ms',
        'operation:frontend|POST /checkout error_rate',
        'edge:frontend|payment|sync latency_p95_ms',
        'edge:frontend|payment|sync error_rate',
        'kpi:order.id latency_p95_ms',
        'kpi:order.id error_rate',
        'kpi:order.id|frontend: POST /checkout latency_p95_ms',
      ]),
    );
    for (const a of report.anomalies) {
      expect(a.baseline.method).toBe('recent');
      expect(a.score).toBeGreaterThanOrEqual(4);
    }
    const latency = report.anomalies.find((a) => a.seriesId === 'service:payment' && a.metric === 'latency_p95_ms')!;
    expect(latency.value).toBeGreaterThan(300);
    expect(latency.baseline.center).toBeLessThan(40);
    const orders = report.anomalies.find((a) => a.seriesId === 'kpi:order.id' && a.metric === 'latency_p95_ms')!;
    expect(orders.series).toEqual({ kind: 'kpi', key: 'order.id' });
    expect(orders.calls).toBe(180);
    // payments take 400 ms: the order roll-up reads a p95 back as its histogram bucket's middle (within ~20 %)
    expect(orders.value).toBeGreaterThan(300);
    const failed = report.anomalies.find((a) => a.seriesId === 'kpi:order.id' && a.metric === 'error_rate')!;
    // an order fails with its payment (every payment of the fault window fails: k stands still there)
    const payment = report.anomalies.find((a) => a.seriesId === 'service:payment' && a.metric === 'error_rate')!;
    expect([failed.calls, failed.errors]).toEqual([payment.calls, payment.errors]);
  });

  it('finds nothing in a steady window', async () => {
    const report = await get<AnomalyReport>(window(faultFromUs - 3 * MINUTE_US, faultFromUs));
    expect(report.seriesJudged).toBeGreaterThan(0);
    expect(report.anomalies).toEqual([]);
  });

  it('sees a service that fell silent as a rate drop', async () => {
    const report = await get<AnomalyReport>(window(nowMinuteUs + 3 * MINUTE_US, nowMinuteUs + 6 * MINUTE_US));
    const silent = report.anomalies.filter((a) => a.metric === 'rate_per_sec').map((a) => a.seriesId);
    expect(silent).toContain('service:payment');
    // orders per minute fell to 0 too
    expect(silent).toContain('kpi:order.id');
  });

  it('answers windows at the edges of time (reference windows before the epoch) without failing', async () => {
    expect(await get<AnomalyReport>('/api/anomalies?start=0&end=1')).toMatchObject({ startUs: 0, endUs: MINUTE_US, anomalies: [] });
    const late = await get<AnomalyReport>(`/api/anomalies?end=${MAX_TIME_MS}`);
    expect(late.anomalies).toEqual([]);
  });

  it('answers 400 naming the parameter for a bad or too long window', async () => {
    expect(await get('/api/anomalies?start=soon', 400)).toMatchObject({ parameter: 'start' });
    expect(await get(window(nowMinuteUs - 3 * 60 * MINUTE_US, nowMinuteUs), 400)).toMatchObject({ parameter: 'start' });
    expect(await get(window(nowMinuteUs, nowMinuteUs - MINUTE_US), 400)).toMatchObject({ parameter: 'start' });
  });
});

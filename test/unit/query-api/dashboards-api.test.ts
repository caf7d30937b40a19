import { bucketOf, bucketValueUs } from '../../../core/analysis/topology-histogram';
import { startEmbeddedQueryApp, type EmbeddedQueryApp } from '../../helpers/embedded-query-app';
import { demoLikeOrder, writeOrderSpans } from '../../helpers/chain-orders';
import { makeLog } from '../../contract/fixtures';
import type { DashboardData, DashboardList, Incident, IncidentsAnswer, PanelData } from '../../../core/wire';

/** The dashboards API through the real app and embedded store: the panels' numbers are the pages' numbers. */
describe('dashboards API over the embedded store', () => {
  let app: EmbeddedQueryApp;
  let base: string;
  // inside the rate window (the 5 whole minutes before the current one) whatever the second now is
  const t0 = Date.now() - 3 * 60_000;

  beforeAll(async () => {
    app = await startEmbeddedQueryApp('dashboards-api');
    await writeOrderSpans(app.stores.spans, demoLikeOrder({ orderId: 'ORD-1', t0, delayMs: 500 }));
    await writeOrderSpans(app.stores.spans, demoLikeOrder({ orderId: 'ORD-2', t0: t0 + 2000, delayMs: 1500, paymentMs: 400 }));
    // the notification call fails, and with it the scheduler's job (its entry span): an error of the service and of its operation
    const failing = demoLikeOrder({ orderId: 'ORD-3', t0: t0 + 4000, delayMs: 800, error: true });
    for (const s of failing) if (s.service === 'scheduler' && s.kind === 'consumer') s.status = { code: 'error', message: 'notification failed' };
    await writeOrderSpans(app.stores.spans, failing);
    const log = (service: string, s: number, body: string, level: [string, number]) =>
      makeLog({ service, timeUs: (t0 + s * 1000) * 1000, body, severityText: level[0], severityNumber: level[1] });
    await app.stores.logs.writeLogs({
      logs: [
        log('payment', 1, 'card declined for ORD-3', ['ERROR', 17]),
        log('payment', 2, 'card declined for ORD-3', ['ERROR', 17]),
        log('payment', 3, 'gateway timeout', ['ERROR', 17]),
        log('notification', 4, 'smtp refused', ['ERROR', 17]),
        log('order-api', 5, 'slow payment', ['WARN', 13]),
        log('order-api', 6, 'order accepted', ['INFO', 9]),
      ],
      businessKeys: [],
    });
    base = await app.listen({ chains: { businessKeys: ['order.id'], expectedWaits: ['order-jobs'] } });
  });
  afterAll(() => app?.dispose());

  async function get<T>(pathAndQuery: string, status = 200): Promise<T> {
    const res = await fetch(base + pathAndQuery, { signal: AbortSignal.timeout(10_000) });
    expect({ pathAndQuery, status: res.status }).toEqual({ pathAndQuery, status });
    return (await res.json()) as T;
  }
  const panel = <K extends PanelData['kind']>(data: DashboardData, id: string, kind: K): Extract<PanelData, { kind: K }> => {
    const result = data.panels[id];
    if (!result.ok) throw new Error(`panel ${id}: ${result.error}`);
    expect(result.data.kind).toBe(kind);
    return result.data as Extract<PanelData, { kind: K }>;
  };

  it('lists the shipped dashboards and gives one with its defaults', async () => {
    const list = await get<DashboardList>('/api/dashboards');
    expect(list.dashboards.map((d) => d.id)).toEqual(['logs', 'order-center', 'service-health']);
    const health = await get<{ id: string; refresh: string; panels: { id: string }[] }>('/api/dashboards/service-health');
    expect(health.refresh).toBe('10s');
    expect(health.panels.map((p) => p.id)).toEqual(['services', 'error-operations', 'latency', 'error-rate', 'error-bursts', 'topology']);
  });

  it('answers 404 for an unknown dashboard and 400 naming the parameter for bad ones', async () => {
    expect((await get<{ error: string }>('/api/dashboards/nope', 404)).error).toMatch(/no dashboard "nope"/);
    expect(await get('/api/dashboards/Bad_Id', 400)).toMatchObject({ parameter: 'id' });
    expect(await get('/api/dashboards/logs/data?end=yesterday', 400)).toMatchObject({ parameter: 'end' });
    expect(await get('/api/dashboards/logs/stream?refresh=often', 400)).toMatchObject({ parameter: 'refresh' });
    expect(await get('/api/dashboards/nope/stream', 404)).toMatchObject({ error: expect.stringMatching(/no dashboard/) });
  });

  it('service health: RED per service equal to /api/services/stats, top error operations, error bursts from the logs', async () => {
    const data = await get<DashboardData>('/api/dashboards/service-health/data');
    const services = panel(data, 'services', 'services');
    const end = data.generatedAtUs / 1000;
    const overview = await get<{ services: { service: string; ratePerSec: number; errorRate: number; p95Ms: number | null }[] }>(
      `/api/services/stats?start=${end - 3_600_000}&end=${end}`,
    );
    expect(services.rows.map((r) => [r.service, r.ratePerSec, r.errorRate, r.p95Ms])).toEqual(
      overview.services.slice(0, 12).map((r) => [r.service, r.ratePerSec, r.errorRate, r.p95Ms]),
    );
    expect(services.rows.map((r) => [r.service, r.calls, r.errorRate])).toEqual([
      ['fulfilment', 3, 0],
      ['order-api', 3, 0],
      ['scheduler', 3, 1 / 3],
    ]);
    expect(services.rows[2].errorRateSeries.filter((p) => p.value !== null && p.value > 0)).toHaveLength(1);
    expect(services.rows[0].rateSeries.length).toBeGreaterThan(50);

    const topology = panel(data, 'topology', 'topology');
    const live = await get<{ nodes: { id: string; ratePerSec: number }[] }>(`/api/topology?start=${end - 15 * 60_000}&end=${end}`);
    expect(topology.nodes.map((n) => [n.id, n.ratePerSec])).toEqual(live.nodes.map((n) => [n.id, n.ratePerSec]));
    expect(topology.edges.length).toBeGreaterThan(0);

    const ops = panel(data, 'error-operations', 'error-operations');
    expect(ops.rows).toHaveLength(1);
    expect(ops.rows[0]).toMatchObject({ service: 'scheduler', operation: 'process order-jobs', errors: 1, calls: 3 });

    const bursts = panel(data, 'error-bursts', 'error-bursts');
    expect(bursts.rows.map((r) => [r.service, r.count, r.topMessage, r.topMessageCount])).toEqual([
      ['payment', 3, 'card declined for ORD-3', 2],
      ['notification', 1, 'smtp refused', 1],
    ]);
    expect(bursts.rows[0].series.reduce((n, p) => n + (p.value ?? 0), 0)).toBe(3);

    const rate = panel(data, 'error-rate', 'log-rate');
    expect(rate.series.map((s) => [s.level, s.points.reduce((n, p) => n + (p.value ?? 0), 0)])).toEqual([
      ['ERROR', 4],
      ['FATAL', 0],
    ]);

    // the heatmap counts every entry span the services table counts, each in its minute and latency band
    const latency = panel(data, 'latency', 'service-latency');
    expect(latency.service).toBeNull();
    expect(latency.columns).toHaveLength(61);
    expect(latency.total).toBe(services.rows.reduce((n, r) => n + r.calls, 0));
    expect(latency.columns.reduce((n, c) => n + c.counts.reduce((a, b) => a + b, 0), 0)).toBe(latency.total);
    const minutesWithCalls = latency.columns.filter((c) => c.total > 0);
    expect(minutesWithCalls.length).toBeGreaterThan(0);
    // read from the same histograms: no minute's p95 lies past the slowest service's p99 over the window
    const slowestP95 = Math.max(...services.rows.map((r) => r.p99Ms ?? 0));
    for (const c of minutesWithCalls) expect(c.p95Ms!).toBeLessThanOrEqual(slowestP95 * 1.0001);
    const band = latency.bands.findIndex((b) => b.lowMs < services.rows[0].p50Ms! && services.rows[0].p50Ms! <= b.highMs);
    expect(band).toBeGreaterThanOrEqual(0);
  });

  it('a heatmap of one service counts only its entry spans; an unknown service is an empty heatmap', async () => {
    const endUs = Date.now() * 1000;
    const window = { startUs: endUs - 3_600_000_000, endUs };
    const one = await app.stores.spans.latencyMinutes(window, 'scheduler');
    expect(one.reduce((n, r) => n + r.count, 0)).toBe(3);
    const every = await app.stores.spans.latencyMinutes(window);
    expect(every.reduce((n, r) => n + r.count, 0)).toBeGreaterThan(3);
    expect(await app.stores.spans.latencyMinutes(window, 'nobody')).toEqual([]);
    await expect(app.stores.spans.latencyMinutes({ startUs: endUs - 2 * 86_400_000_000, endUs })).rejects.toMatchObject({ parameter: 'end' });
  });

  it('order center: orders per minute, success rate and latency from the chains, slow orders as /api/chains/slow, the stages', async () => {
    const data = await get<DashboardData>('/api/dashboards/order-center/data');
    const perMinute = panel(data, 'orders-per-minute', 'orders');
    expect(perMinute.value).toBeCloseTo(3 / 5);
    expect(perMinute.series.reduce((n, p) => n + p.orders, 0)).toBe(3);
    expect(perMinute.series.reduce((n, p) => n + p.failed, 0)).toBe(1);
    expect(panel(data, 'success-rate', 'orders').value).toBeCloseTo(2 / 3);
    // nothing in the five minutes before: no delta to show
    expect(perMinute.previous).toBe(0);
    expect(panel(data, 'success-rate', 'orders').previous).toBeNull();

    const end = data.generatedAtUs / 1000;
    const slow = await get<{ chains: { value: string; durationUs: number; errorCount: number }[] }>(
      `/api/chains/slow?key=order.id&start=${end - 15 * 60_000}&end=${end}&limit=10`,
    );
    const rows = panel(data, 'slow-orders', 'slow-orders').rows;
    expect(rows.map((r) => [r.value, r.durationMs * 1000, r.errorCount])).toEqual(slow.chains.map((c) => [c.value, c.durationUs, c.errorCount]));
    expect(rows.map((r) => r.value)).toEqual(['ORD-2', 'ORD-3', 'ORD-1']);

    // end-to-end p95 of three orders is the slowest (the chain's span of time, as the slow list shows), read
    // back from the per-minute roll-up's histogram: the middle of the slowest one's bucket
    const slowestUs = Math.max(...rows.map((r) => r.durationMs * 1000));
    expect(panel(data, 'p95', 'orders').value).toBe(Math.round(bucketValueUs(bucketOf(slowestUs))) / 1000);

    const stages = panel(data, 'stages', 'order-stages');
    expect(stages.orders).toBe(3);
    expect(stages.stages.map((s) => [s.orders, s.dropOff])).toEqual([
      [3, 0],
      [3, 0],
      [3, 0],
    ]);
    expect(stages.stages[0].name).toMatch(/^order-api: /);
    expect(stages.slowestStage).not.toBeNull();
  });

  it('logs: newest distinct error messages with counts', async () => {
    const data = await get<DashboardData>('/api/dashboards/logs/data');
    const messages = panel(data, 'newest-errors', 'log-messages');
    expect(messages.rows.map((r) => [r.service, r.body, r.count])).toEqual([
      ['notification', 'smtp refused', 1],
      ['payment', 'gateway timeout', 1],
      ['payment', 'card declined for ORD-3', 2],
    ]);
    // the live tail: warnings and errors, newest first, each once
    const tail = panel(data, 'live-tail', 'log-tail');
    expect(tail.limit).toBe(14);
    expect(tail.rows.map((r) => [r.service, r.severity, r.body])).toEqual([
      ['order-api', 'WARN', 'slow payment'],
      ['notification', 'ERROR', 'smtp refused'],
      ['payment', 'ERROR', 'gateway timeout'],
      ['payment', 'ERROR', 'card declined for ORD-3'],
      ['payment', 'ERROR', 'card declined for ORD-3'],
    ]);
    expect(new Set(tail.rows.map((r) => r.id)).size).toBe(5);
    const rate = panel(data, 'error-warn-rate', 'log-rate');
    expect(rate.series.map((s) => [s.level, s.points.reduce((n, p) => n + (p.value ?? 0), 0)])).toEqual([
      ['ERROR', 4],
      ['WARN', 1],
    ]);
  });

  /** The events of a dashboard's stream until `enough` says so (or 10 s), in order: name and parsed data. */
  async function streamEvents(url: string, enough: (events: { event: string; data: unknown }[]) => boolean): Promise<{ event: string; data: unknown }[]> {
    const abort = new AbortController();
    const res = await fetch(url, { signal: abort.signal });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const events: { event: string; data: unknown }[] = [];
    const deadline = Date.now() + 10_000;
    while (!enough(events) && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      let cut: number;
      while ((cut = text.indexOf('\n\n')) >= 0) {
        const block = text.slice(0, cut);
        text = text.slice(cut + 2);
        const m = /^event: (\w+)\ndata: (.*)$/m.exec(block);
        if (m) events.push({ event: m[1], data: JSON.parse(m[2]) });
      }
    }
    abort.abort();
    return events;
  }
  const dataEvents = (events: { event: string; data: unknown }[]) => events.filter((e) => e.event === 'data').map((e) => e.data as DashboardData);

  it('pushes the same data over one SSE stream per screen, at once and on every refresh', async () => {
    const events = dataEvents(await streamEvents(`${base}/api/dashboards/logs/stream?refresh=1s`, (all) => dataEvents(all).length >= 2));
    expect(events).toHaveLength(2);
    expect(events[0].id).toBe('logs');
    expect(events[0].refreshMs).toBe(1000);
    expect(events[1].generatedAtUs).toBeGreaterThan(events[0].generatedAtUs);
    expect(panel(events[1], 'newest-errors', 'log-messages').rows).toHaveLength(3);
  });

  it("sends the evaluator's incidents on the stream before the first data, then only before a refresh after they changed", async () => {
    const incident = (id: string, status: Incident['status']): Incident => ({
      id, rule: 'order-api p95', severity: 'critical', labels: { service: 'order-api' }, series: null, metric: null, threshold: null, status,
      startedAtMs: t0, activeAtMs: t0, resolvedAtMs: status === 'resolved' ? t0 + 60_000 : null, detectionStartUs: t0 * 1000, detectionEndUs: (t0 + 60_000) * 1000, value: 1, summary: 's',
    });
    let incidents: Incident[] = [incident('00000000000000a1', 'firing')];
    const withEvaluator = await app.listen({ chains: { businessKeys: ['order.id'] }, incidents: () => incidents });
    let datas = 0;
    const events = await streamEvents(`${withEvaluator}/api/dashboards/logs/stream?refresh=1s`, (all) => {
      // after the second data the first incident resolves: the fourth data comes after the incidents again
      if (dataEvents(all).length === 2 && datas < 2) incidents = [incident('00000000000000a1', 'resolved')];
      datas = dataEvents(all).length;
      return datas >= 4;
    });
    const order = events.map((e) => e.event);
    expect(order.slice(0, 3)).toEqual(['incidents', 'data', 'data']);
    expect(order.filter((e) => e === 'incidents')).toHaveLength(2);
    // the change is sent once, just before the data drawn with it
    expect(order[order.indexOf('incidents', 1) + 1]).toBe('data');
    const sent = events.filter((e) => e.event === 'incidents').map((e) => e.data as IncidentsAnswer);
    expect(sent.map((a) => [a.evaluating, a.incidents.map((i) => i.status)])).toEqual([
      [true, ['firing']],
      [true, ['resolved']],
    ]);
    // without an evaluator: once, none (the screen shades none)
    const plain = await streamEvents(`${base}/api/dashboards/logs/stream?refresh=1s`, (all) => dataEvents(all).length >= 2);
    expect(plain.map((e) => e.event)).toEqual(['incidents', 'data', 'data']);
    expect(plain[0].data).toEqual({ evaluating: false, incidents: [] });
  });
});

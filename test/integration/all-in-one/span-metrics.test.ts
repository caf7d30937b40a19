import { startTestAllInOne, type TestAllInOne } from '../../helpers/all-in-one';
import { otlpJsonTraces, randomSpanId, randomTraceId } from '../../helpers/otlp-json';
import { parseSeries, sendCalls } from '../../helpers/span-metrics';
import { waitFor } from '../../helpers/wait';

/** The /metrics page once `ready` holds for it (the last page when it never does, so the assertions name what differs). */
async function metricsWhen(app: TestAllInOne, ready: (series: Map<string, number>) => boolean): Promise<Map<string, number>> {
  let last = new Map<string, number>();
  await waitFor(async () => {
    last = parseSeries(await (await fetch(`${app.apiUrl}/metrics`)).text());
    return ready(last);
  }, 'the expected series on /metrics', 20_000, 100).catch(() => undefined);
  return last;
}

const ORDERS_ERROR = 'service_name="orders",span_name="create order",span_kind="SPAN_KIND_SERVER",status_code="STATUS_CODE_ERROR"';
const ORDERS_OK = 'service_name="orders",span_name="create order",span_kind="SPAN_KIND_SERVER",status_code="STATUS_CODE_UNSET"';
const WEB = 'service_name="web",span_name="POST /orders",span_kind="SPAN_KIND_CLIENT",status_code="STATUS_CODE_UNSET"';
const EDGE = 'client="web",server="orders",connection_type=""';

describe.each([
  ['on ingest threads', true],
  ['on the main thread', false],
])('span metrics and service graph on the all-in-one /metrics (%s)', (_label, ingestThread) => {
  let app: TestAllInOne;
  beforeAll(async () => {
    app = await startTestAllInOne({ ingestThread });
  });
  afterAll(() => app.dispose());

  it('counts calls, durations and web → orders requests of the spans sent', async () => {
    await sendCalls(app, 40, 10);
    const series = await metricsWhen(app, (s) => s.get(`traces_service_graph_request_total{${EDGE}}`) === 40 && s.get(`traces_span_metrics_calls_total{${WEB}}`) === 40);
    expect(series.get(`traces_span_metrics_calls_total{${ORDERS_ERROR}}`)).toBe(10);
    expect(series.get(`traces_span_metrics_calls_total{${ORDERS_OK}}`)).toBe(30);
    expect(series.get(`traces_span_metrics_calls_total{${WEB}}`)).toBe(40);
    // durations 3 ms and 103 ms alternate: 20 each
    const okAndError = (suffix: string, le?: string) =>
      [ORDERS_OK, ORDERS_ERROR].reduce((sum, l) => sum + (series.get(`traces_span_metrics_duration_milliseconds_${suffix}{${l}${le ? `,le="${le}"` : ''}}`) ?? 0), 0);
    expect(okAndError('bucket', '4')).toBe(20);
    expect(okAndError('bucket', '100')).toBe(20);
    expect(okAndError('bucket', '200')).toBe(40);
    expect(okAndError('count')).toBe(40);
    expect(okAndError('sum')).toBeCloseTo(20 * 3 + 20 * 103, 3);
    expect(series.get(`traces_service_graph_request_total{${EDGE}}`)).toBe(40);
    expect(series.get(`traces_service_graph_request_failed_total{${EDGE}}`)).toBe(10);
    expect(series.get(`traces_service_graph_request_server_seconds_bucket{${EDGE},le="0.004"}`)).toBe(20);
    expect(series.get(`traces_service_graph_request_server_seconds_bucket{${EDGE},le="+Inf"}`)).toBe(40);
    expect(series.get(`traces_service_graph_request_client_seconds_bucket{${EDGE},le="0.05"}`)).toBe(40);
    expect(series.get('chainscope_service_graph_unpaired_spans_total') ?? 0).toBe(0);
    const page = await (await fetch(`${app.apiUrl}/metrics`)).text();
    for (const family of ['traces_span_metrics_duration_milliseconds', 'traces_service_graph_request_server_seconds', 'traces_service_graph_request_client_seconds']) {
      expect(page).toContain(`# TYPE ${family} histogram`);
    }
    expect(page).toContain('# TYPE traces_span_metrics_calls_total counter');
  });
});

describe('span metrics past SPAN_METRICS_MAX_SERIES on the all-in-one /metrics', () => {
  let app: TestAllInOne;
  beforeAll(async () => {
    app = await startTestAllInOne({ ingestThread: false, spanMetricsMaxSeries: 1 });
  });
  afterAll(() => app.dispose());

  it('counts the spans of label sets past the cap under otel_metric_overflow="true"', async () => {
    const now = Date.now();
    const spans = ['a', 'b', 'c', 'a'].map((name) => ({ traceId: randomTraceId(), spanId: randomSpanId(), name, service: 'capped', kind: 2, startMs: now, durationMs: 1 }));
    const res = await fetch(`${app.otlpUrl}/v1/traces`, { method: 'POST', body: otlpJsonTraces(spans), headers: { 'Content-Type': 'application/json' } });
    expect(res.status).toBe(200);
    const series = await metricsWhen(app, (s) => s.get('traces_span_metrics_calls_total{otel_metric_overflow="true"}') === 2);
    expect(series.get('traces_span_metrics_calls_total{service_name="capped",span_name="a",span_kind="SPAN_KIND_SERVER",status_code="STATUS_CODE_UNSET"}')).toBe(2);
    expect(series.get('traces_span_metrics_calls_total{otel_metric_overflow="true"}')).toBe(2);
    expect([...series.keys()].filter((k) => k.includes('span_name="b"') || k.includes('span_name="c"'))).toEqual([]);
  });
});

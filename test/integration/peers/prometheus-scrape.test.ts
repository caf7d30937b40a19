import { startTestAllInOne, type TestAllInOne } from '../../helpers/all-in-one';
import { sendCalls } from '../../helpers/span-metrics';
import { waitFor } from '../../helpers/wait';
import { describeWithPrometheus, promtoolCheckMetrics, startPrometheus, type RunningPrometheus } from './prometheus-peer';

/**
 * A real Prometheus scrapes the all-in-one's /metrics: the span metrics and
 * service-graph metrics answer PromQL (sums, a quantile from the buckets, a
 * rate) with what was sent, and promtool parses the page with one lint: the
 * connector's millisecond unit.
 */
describeWithPrometheus('a real Prometheus scraping the span metrics on /metrics', ({ prometheus: binary, promtool }) => {
  let app: TestAllInOne;
  let prometheus: RunningPrometheus;
  beforeAll(async () => {
    app = await startTestAllInOne();
    prometheus = await startPrometheus(binary, new URL(app.apiUrl).host);
  }, 90_000);
  afterAll(async () => {
    await prometheus?.stop();
    await app?.dispose();
  });

  const single = async (promql: string) => {
    const result = await prometheus.query(promql);
    return result.length === 1 ? result[0].value : undefined;
  };

  it('answers PromQL with the calls, failures, quantiles and rates of the spans sent', async () => {
    await sendCalls(app, 20, 5);
    await waitFor(async () => (await single('sum(traces_service_graph_request_total{client="web",server="orders"})')) === 20, 'the first scrape with 20 requests', 30_000, 250);
    await sendCalls(app, 20, 5);
    await waitFor(async () => (await single('sum(traces_service_graph_request_total{client="web",server="orders"})')) === 40, 'a scrape with 40 requests', 30_000, 250);

    expect(await single('sum(traces_span_metrics_calls_total{service_name="orders",span_kind="SPAN_KIND_SERVER"})')).toBe(40);
    expect(await single('sum(traces_span_metrics_calls_total{service_name="orders",status_code="STATUS_CODE_ERROR"})')).toBe(10);
    expect(await single('sum(traces_service_graph_request_failed_total{client="web",server="orders"})')).toBe(10);
    // 20 server spans of 3 ms (≤ 4 ms bucket) and 20 of 103 ms (100–200 ms bucket): the 0.9 quantile
    // is interpolated in the second: 100 + (36 − 20) / 20 × 100 = 180 ms
    expect(await single('histogram_quantile(0.9, sum by (le) (traces_span_metrics_duration_milliseconds_bucket{service_name="orders"}))')).toBeCloseTo(180, 6);
    // every client span took 30 ms: the median lies in the 10–50 ms bucket
    const clientMedian = await single('histogram_quantile(0.5, sum by (le) (traces_service_graph_request_client_seconds_bucket{client="web"}))');
    expect(clientMedian).toBeGreaterThan(0.01);
    expect(clientMedian).toBeLessThanOrEqual(0.05);
    // 20 more calls arrived between two scrapes: a positive increase, bounded by what was sent
    const increase = await single('sum(increase(traces_span_metrics_calls_total{service_name="web"}[1m]))');
    expect(increase).toBeGreaterThan(0);
    expect(increase).toBeLessThanOrEqual(40 * 1.1);

    const page = await (await fetch(`${app.apiUrl}/metrics`)).text();
    // promtool parses the page; its only lint is the connector's unit: the spanmetrics name is in milliseconds (docs/span-metrics.md)
    expect(promtoolCheckMetrics(promtool, page)).toEqual({ status: 3, output: 'traces_span_metrics_duration_milliseconds use base unit "seconds" instead of "milliseconds"' });
  }, 90_000);
});

import { Counters } from '../../../../core/metrics';
import { SpanMetrics } from '../../../../ingest/span-metrics/span-metrics';
import { makeSpan } from '../../../contract/fixtures';

const CHECKOUT = 'service_name="shop",span_name="GET /checkout",span_kind="SPAN_KIND_SERVER",status_code="STATUS_CODE_ERROR"';

describe('SpanMetrics', () => {
  it('counts calls and a duration histogram per service, operation, kind and status', () => {
    const counters = new Counters();
    const metrics = new SpanMetrics({ counters, maxSeries: 10 });
    metrics.record([
      makeSpan({ service: 'shop', name: 'GET /checkout', kind: 'server', status: { code: 'error', message: '' }, durationUs: 3_000 }),
      makeSpan({ service: 'shop', name: 'GET /checkout', kind: 'server', status: { code: 'error', message: '' }, durationUs: 120_000 }),
      makeSpan({ service: 'shop', name: 'SELECT', kind: 'client', durationUs: 500 }),
    ]);
    expect(counters.get(`traces_span_metrics_calls_total{${CHECKOUT}}`)).toBe(2);
    expect(counters.get('traces_span_metrics_calls_total{service_name="shop",span_name="SELECT",span_kind="SPAN_KIND_CLIENT",status_code="STATUS_CODE_UNSET"}')).toBe(1);
    const bucket = (le: string) => counters.get(`traces_span_metrics_duration_milliseconds_bucket{${CHECKOUT},le="${le}"}`);
    expect([bucket('2'), bucket('4'), bucket('100'), bucket('200'), bucket('+Inf')]).toEqual([0, 1, 1, 2, 2]);
    expect(counters.get(`traces_span_metrics_duration_milliseconds_sum{${CHECKOUT}}`)).toBe(123);
    expect(counters.get(`traces_span_metrics_duration_milliseconds_count{${CHECKOUT}}`)).toBe(2);
  });

  it('counts label sets past the cap under otel_metric_overflow="true" and keeps counting the kept ones', () => {
    const counters = new Counters();
    const metrics = new SpanMetrics({ counters, maxSeries: 2 });
    const spans = ['a', 'b', 'c', 'd', 'a'].map((name) => makeSpan({ service: 's', name }));
    metrics.record(spans);
    const calls = (name: string) => counters.get(`traces_span_metrics_calls_total{service_name="s",span_name="${name}",span_kind="SPAN_KIND_SERVER",status_code="STATUS_CODE_UNSET"}`);
    expect([calls('a'), calls('b'), calls('c'), calls('d')]).toEqual([2, 1, 0, 0]);
    expect(counters.get('traces_span_metrics_calls_total{otel_metric_overflow="true"}')).toBe(2);
    expect(counters.get('traces_span_metrics_duration_milliseconds_count{otel_metric_overflow="true"}')).toBe(2);
  });

  it('counts nothing with maxSeries 0', () => {
    const counters = new Counters();
    new SpanMetrics({ counters, maxSeries: 0 }).record([makeSpan()]);
    expect(Object.keys(counters.snapshot()).filter((k) => k.includes('{'))).toEqual([]);
  });

  it('prints one HELP/TYPE per family, histogram buckets in ascending le then _sum and _count, label values escaped', () => {
    const counters = new Counters();
    const metrics = new SpanMetrics({ counters, maxSeries: 10 });
    metrics.record([makeSpan({ service: 'we"ird\\svc', name: 'op', durationUs: 20_000 }), makeSpan({ service: 'a', name: 'op' })]);
    const text = counters.toPrometheus();
    expect(text.match(/# TYPE traces_span_metrics_duration_milliseconds histogram/g)).toHaveLength(1);
    expect(text.match(/# TYPE traces_span_metrics_calls_total counter/g)).toHaveLength(1);
    expect(text).toContain('service_name="we\\"ird\\\\svc"');
    const weird = text.split('\n').filter((l) => l.startsWith('traces_span_metrics_duration_milliseconds') && l.includes('ird'));
    const les = weird.filter((l) => l.includes('_bucket')).map((l) => /le="([^"]+)"/.exec(l)![1]);
    expect(les).toEqual(['2', '4', '6', '8', '10', '50', '100', '200', '400', '800', '1000', '1400', '2000', '5000', '10000', '15000', '+Inf']);
    expect(weird.slice(-2).map((l) => l.split('{')[0])).toEqual(['traces_span_metrics_duration_milliseconds_sum', 'traces_span_metrics_duration_milliseconds_count']);
    expect(weird.find((l) => l.includes('le="10"'))!.endsWith(' 0')).toBe(true);
    expect(weird.find((l) => l.includes('le="50"'))!.endsWith(' 1')).toBe(true);
  });
});

import fc from 'fast-check';
import { Counters, seriesName } from '../../../../core/metrics';
import type { Span, SpanKind, StatusCode } from '../../../../core/model';
import { declare, firstBucketOf, observeCounted } from '../../../../ingest/span-metrics/histogram';
import { describeSpanMetrics, DURATION_BUCKETS_MS, OVERFLOW_LABELS, SPAN_METRICS, SpanMetrics } from '../../../../ingest/span-metrics/span-metrics';
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

describe('SpanMetrics against the plain rule', () => {
  /** What the metrics should read: per span, its label set (or the overflow set once maxSeries sets are kept) gets a call and an observation. */
  function reference(batches: { spans: Span[]; committed: boolean }[], maxSeries: number): Record<string, number> {
    const counters = new Counters();
    describeSpanMetrics(counters);
    const kept = new Set<string>();
    for (const { spans, committed } of batches) {
      for (const span of spans) {
        const key = JSON.stringify([span.service, span.name, span.kind, span.status.code]);
        let labels: Record<string, string> = OVERFLOW_LABELS;
        if (kept.has(key) || kept.size < maxSeries) {
          labels = { service_name: span.service, span_name: span.name, span_kind: `SPAN_KIND_${span.kind.toUpperCase()}`, status_code: `STATUS_CODE_${span.status.code.toUpperCase()}` };
          if (!kept.has(key)) declare(counters, SPAN_METRICS.duration, labels, DURATION_BUCKETS_MS);
          kept.add(key);
        }
        if (!committed) continue;
        const ms = span.durationUs / 1000;
        const first = new Array<number>(DURATION_BUCKETS_MS.length + 1).fill(0);
        first[firstBucketOf(DURATION_BUCKETS_MS, ms)]++;
        counters.add(seriesName(SPAN_METRICS.calls, labels), 1);
        observeCounted(counters, SPAN_METRICS.duration, labels, DURATION_BUCKETS_MS, first, ms);
      }
    }
    return counters.snapshot();
  }

  it('gives the counts of counting span by span, over batches committed or dropped, kept label sets and overflow', () => {
    const span = fc.record({
      service: fc.constantFrom('a', 'b', 'c\u0000d', 'we"ird'),
      name: fc.constantFrom('GET /x', 'SELECT', '', 'c'),
      kind: fc.constantFrom<SpanKind>('server', 'client', 'internal', 'producer'),
      code: fc.constantFrom<StatusCode>('unset', 'ok', 'error'),
      durationUs: fc.integer({ min: 0, max: 20_000_000 }),
    });
    const batches = fc.array(fc.record({ spans: fc.array(span, { maxLength: 30 }), committed: fc.boolean() }), { maxLength: 5 });
    fc.assert(
      fc.property(batches, fc.integer({ min: 0, max: 12 }), (raw, maxSeries) => {
        const built = raw.map((b) => ({
          committed: b.committed,
          spans: b.spans.map((s) => makeSpan({ service: s.service, name: s.name, kind: s.kind, status: { code: s.code, message: '' }, durationUs: s.durationUs })),
        }));
        const counters = new Counters();
        const metrics = new SpanMetrics({ counters, maxSeries });
        for (const b of built) {
          const batch = metrics.batch();
          // a batch is added to per store write: in two parts
          batch.add(b.spans.slice(0, 3));
          batch.add(b.spans.slice(3));
          if (b.committed) batch.commit();
        }
        const got = counters.snapshot();
        const want = maxSeries > 0 ? reference(built, maxSeries) : reference([], 0);
        expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
        for (const k of Object.keys(want)) expect(got[k]).toBeCloseTo(want[k], 6);
      }),
      { numRuns: 300 },
    );
  });
});

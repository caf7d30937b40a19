import { RateLimitedError } from '../../../../core/errors';
import { Counters } from '../../../../core/metrics';
import { createTenantLimiters, MAX_TENANT_LABELS, TENANT_LIMITED_COUNTER, type TenantLimits } from '../../../../core/security/tenant-limits';

const NONE: TenantLimits = { ingestBytesPerSecond: null, ingestSpansPerSecond: null, ingestLogRecordsPerSecond: null, ingestBurstSeconds: 1, queryConcurrency: null };

function refusalOf(fn: () => unknown): RateLimitedError {
  try {
    fn();
  } catch (err) {
    if (err instanceof RateLimitedError) return err;
    throw err;
  }
  throw new Error('expected a RateLimitedError');
}

describe('TenantIngestLimiter', () => {
  it('without limits lets everything in and counts nothing', () => {
    const counters = new Counters();
    const { ingest } = createTenantLimiters(NONE, counters);
    expect(ingest.enabled).toBe(false);
    for (let i = 0; i < 100; i++) ingest.admit('acme', 10 * 1024 * 1024, 100_000, 100_000, 0);
    expect(counters.toPrometheus()).not.toMatch(/tenant="acme"/);
  });

  it('refuses a tenant over its spans/s with the limit, the setting and a Retry-After; other tenants go on', () => {
    const counters = new Counters();
    const { ingest } = createTenantLimiters({ ...NONE, ingestSpansPerSecond: 100, ingestBurstSeconds: 2 }, counters);
    ingest.admit('acme', 1000, 150, 0, 0);
    const refused = refusalOf(() => ingest.admit('acme', 1000, 100, 0, 0));
    expect(refused).toMatchObject({ limit: 'ingest_spans', tenant: 'acme', retryAfterSeconds: 1 });
    expect(refused.message).toMatch(/tenant "acme" is over its ingest limit of 100 spans\/s \(TENANT_INGEST_SPANS_PER_SECOND\); retry after 1 s/);
    ingest.admit('globex', 1000, 200, 0, 0);
    expect(counters.get(`${TENANT_LIMITED_COUNTER}{tenant="acme",limit="ingest_spans"}`)).toBe(1);
    expect(counters.get(`${TENANT_LIMITED_COUNTER}{tenant="globex",limit="ingest_spans"}`)).toBe(0);
    // a second later 100 more spans fit again
    ingest.admit('acme', 1000, 100, 0, 1000);
  });

  it('a refused request takes nothing from any bucket (its retry carries it whole)', () => {
    const { ingest } = createTenantLimiters({ ...NONE, ingestBytesPerSecond: 10_000, ingestSpansPerSecond: 10 }, new Counters());
    ingest.admit('acme', 1000, 10, 0, 0);
    expect(refusalOf(() => ingest.admit('acme', 1000, 5, 0, 0)).limit).toBe('ingest_spans');
    // the bytes of the refused request were not taken: 9000 bytes still fit now
    ingest.admit('acme', 9000, 0, 0, 0);
    expect(refusalOf(() => ingest.admit('acme', 1, 0, 0, 0)).limit).toBe('ingest_bytes');
  });

  it('bytes/s and log records/s are limits of their own; Retry-After is the wait in whole seconds', () => {
    const counters = new Counters();
    const { ingest } = createTenantLimiters({ ...NONE, ingestBytesPerSecond: 1024, ingestLogRecordsPerSecond: 10 }, counters);
    ingest.admit('acme', 1024, 0, 10, 0);
    const bytes = refusalOf(() => ingest.admit('acme', 1024, 0, 0, 0));
    expect(bytes).toMatchObject({ limit: 'ingest_bytes', retryAfterSeconds: 1 });
    expect(bytes.message).toMatch(/1024 bytes\/s \(TENANT_INGEST_BYTES_PER_SECOND\)/);
    expect(refusalOf(() => ingest.admit('acme', 0, 0, 5, 100)).limit).toBe('ingest_log_records');
    ingest.admit('acme', 100, 0, 0, 1000);
    expect(counters.get(`${TENANT_LIMITED_COUNTER}{tenant="acme",limit="ingest_log_records"}`)).toBe(1);
  });

  it('names at most MAX_TENANT_LABELS tenants in /metrics; the rest are counted as _other', () => {
    const counters = new Counters();
    const { ingest } = createTenantLimiters({ ...NONE, ingestSpansPerSecond: 1 }, counters);
    for (let i = 0; i < MAX_TENANT_LABELS + 20; i++) {
      ingest.admit(`t${i}`, 0, 1, 0, 0);
      refusalOf(() => ingest.admit(`t${i}`, 0, 1, 0, 0));
    }
    const series = counters.toPrometheus().split('\n').filter((l) => l.startsWith(`${TENANT_LIMITED_COUNTER}{`));
    expect(series).toHaveLength(MAX_TENANT_LABELS + 1);
    expect(counters.get(`${TENANT_LIMITED_COUNTER}{tenant="_other",limit="ingest_spans"}`)).toBe(20);
  });
});

describe('TenantQueryLimiter', () => {
  it('holds TENANT_QUERY_CONCURRENCY slots per tenant; one more is refused at once; leaving frees a slot once', () => {
    const counters = new Counters();
    const { query } = createTenantLimiters({ ...NONE, queryConcurrency: 2 }, counters);
    const first = query.enter('acme');
    const second = query.enter('acme');
    const refused = refusalOf(() => query.enter('acme'));
    expect(refused).toMatchObject({ limit: 'query_concurrency', tenant: 'acme', retryAfterSeconds: 1 });
    expect(refused.message).toMatch(/query limit of 2 requests at once \(TENANT_QUERY_CONCURRENCY\)/);
    query.enter('globex');
    first();
    first();
    query.enter('acme');
    expect(() => query.enter('acme')).toThrow(RateLimitedError);
    second();
    expect(counters.get(`${TENANT_LIMITED_COUNTER}{tenant="acme",limit="query_concurrency"}`)).toBe(2);
  });

  it('without a limit never refuses', () => {
    const { query } = createTenantLimiters(NONE);
    expect(query.enabled).toBe(false);
    for (let i = 0; i < 1000; i++) query.enter('acme');
  });
});

import type { Config } from '../config';
import { RateLimitedError } from '../errors';
import { seriesName, type Counters } from '../metrics';
import { TokenBucket } from './token-bucket';
import { setBounded } from '../util/bounded-map';

/** Per-tenant limits (core/config.ts: TENANT_*); null = no limit. Every tenant gets the same ones, each its own share. */
export interface TenantLimits {
  ingestBytesPerSecond: number | null;
  ingestSpansPerSecond: number | null;
  ingestLogRecordsPerSecond: number | null;
  /** A bucket holds this many seconds of its rate: the burst a quiet tenant may send at once. */
  ingestBurstSeconds: number;
  /** Query API requests of one tenant running at once. */
  queryConcurrency: number | null;
}

/** The per-tenant limits of the configuration. */
export function tenantLimitsFrom(config: Pick<Config, 'tenantIngestBytesPerSecond' | 'tenantIngestSpansPerSecond' | 'tenantIngestLogsPerSecond' | 'tenantIngestBurstSeconds' | 'tenantQueryConcurrency'>): TenantLimits {
  return {
    ingestBytesPerSecond: config.tenantIngestBytesPerSecond,
    ingestSpansPerSecond: config.tenantIngestSpansPerSecond,
    ingestLogRecordsPerSecond: config.tenantIngestLogsPerSecond,
    ingestBurstSeconds: config.tenantIngestBurstSeconds,
    queryConcurrency: config.tenantQueryConcurrency,
  };
}

/** The ingest and query limiters of one process, counting their refusals in one counter. */
export interface TenantLimiters {
  ingest: TenantIngestLimiter;
  query: TenantQueryLimiter;
}

export function createTenantLimiters(limits: TenantLimits, counters?: Counters): TenantLimiters {
  const refusals = new TenantRefusalCounter(counters);
  return { ingest: new TenantIngestLimiter(limits, refusals), query: new TenantQueryLimiter(limits.queryConcurrency, refusals) };
}

export type TenantLimitName = 'ingest_bytes' | 'ingest_spans' | 'ingest_log_records' | 'query_concurrency';

/** Requests refused by a tenant limit, by tenant and limit (bounded tenant labels). */
export const TENANT_LIMITED_COUNTER = 'chainscope_tenant_limited_total';
/** Tenants named in the counter's labels, at most; the rest are counted under tenant="_other". */
export const MAX_TENANT_LABELS = 100;
/** Tenants whose buckets or counts are remembered at once; past it idle ones are forgotten first. */
const MAX_TENANTS_TRACKED = 10_000;

const SETTING_OF: Record<TenantLimitName, string> = {
  ingest_bytes: 'TENANT_INGEST_BYTES_PER_SECOND',
  ingest_spans: 'TENANT_INGEST_SPANS_PER_SECOND',
  ingest_log_records: 'TENANT_INGEST_LOGS_PER_SECOND',
  query_concurrency: 'TENANT_QUERY_CONCURRENCY',
};

/** Counts refusals per tenant and limit, naming at most MAX_TENANT_LABELS tenants (a label per tenant must not grow /metrics without bound). */
export class TenantRefusalCounter {
  private readonly labelled = new Set<string>();

  constructor(private readonly counters?: Counters) {
    counters?.describe(TENANT_LIMITED_COUNTER, `Requests refused by a per-tenant limit (429 / RESOURCE_EXHAUSTED), by tenant (the first ${MAX_TENANT_LABELS}; the rest as _other) and limit`);
  }

  count(tenant: string, limit: TenantLimitName): void {
    if (!this.counters) return;
    if (!this.labelled.has(tenant) && this.labelled.size < MAX_TENANT_LABELS) this.labelled.add(tenant);
    this.counters.add(seriesName(TENANT_LIMITED_COUNTER, { tenant: this.labelled.has(tenant) ? tenant : '_other', limit }));
  }
}

function refusal(tenant: string, limit: TenantLimitName, what: string, retryAfterSeconds: number): RateLimitedError {
  const wait = Math.max(1, Math.ceil(retryAfterSeconds));
  return new RateLimitedError(`tenant "${tenant}" is over its ${what} (${SETTING_OF[limit]}); retry after ${wait} s`, limit, tenant, wait);
}

/** Remembers something per tenant, bounded: past MAX_TENANTS_TRACKED the idle entries go first, then the oldest. */
class PerTenant<T> {
  private readonly entries = new Map<string, T>();

  constructor(
    private readonly make: () => T,
    private readonly idle: (entry: T) => boolean,
  ) {}

  of(tenant: string): T {
    let entry = this.entries.get(tenant);
    if (entry === undefined) {
      if (this.entries.size >= MAX_TENANTS_TRACKED) this.forgetIdle();
      setBounded(this.entries, tenant, (entry = this.make()), MAX_TENANTS_TRACKED);
    }
    return entry;
  }

  private forgetIdle(): void {
    for (const [tenant, entry] of this.entries) if (this.idle(entry)) this.entries.delete(tenant);
  }
}

interface IngestBuckets {
  bytes?: TokenBucket;
  spans?: TokenBucket;
  logRecords?: TokenBucket;
}

/**
 * Ingest rate per tenant: token buckets of bytes/s and spans/s (log
 * records/s for logs), one set per tenant, so one tenant over its rate is
 * refused while every other goes on untouched. A request is let in or
 * refused whole (nothing of it is kept on refusal, so the sender's retry
 * carries it all), answered 429 + Retry-After / RESOURCE_EXHAUSTED + RetryInfo.
 */
export class TenantIngestLimiter {
  private readonly buckets: PerTenant<IngestBuckets>;
  readonly enabled: boolean;

  constructor(
    private readonly limits: TenantLimits,
    private readonly refusals: TenantRefusalCounter,
  ) {
    const { ingestBytesPerSecond: bytes, ingestSpansPerSecond: spans, ingestLogRecordsPerSecond: logs, ingestBurstSeconds: burst } = limits;
    this.enabled = bytes !== null || spans !== null || logs !== null;
    const bucket = (rate: number | null) => (rate === null ? undefined : new TokenBucket(rate, rate * burst));
    this.buckets = new PerTenant<IngestBuckets>(
      () => ({ bytes: bucket(bytes), spans: bucket(spans), logRecords: bucket(logs) }),
      (b) => [b.bytes, b.spans, b.logRecords].every((x) => x === undefined || x.isFull()),
    );
  }

  /** Takes a request of `bytes` carrying `spans` spans and `logRecords` log records from the tenant's buckets, or throws RateLimitedError (nothing taken). */
  admit(tenant: string, bytes: number, spans: number, logRecords: number, nowMs = Date.now()): void {
    if (!this.enabled) return;
    const b = this.buckets.of(tenant);
    const checks: [TokenBucket | undefined, number, TenantLimitName, string][] = [
      [b.bytes, bytes, 'ingest_bytes', `ingest limit of ${this.limits.ingestBytesPerSecond} bytes/s`],
      [b.spans, spans, 'ingest_spans', `ingest limit of ${this.limits.ingestSpansPerSecond} spans/s`],
      [b.logRecords, logRecords, 'ingest_log_records', `ingest limit of ${this.limits.ingestLogRecordsPerSecond} log records/s`],
    ];
    for (const [bucket, cost, limit, what] of checks) {
      if (!bucket || cost === 0) continue;
      const wait = bucket.waitSeconds(cost, nowMs);
      if (wait > 0) {
        this.refusals.count(tenant, limit);
        throw refusal(tenant, limit, what, wait);
      }
    }
    for (const [bucket, cost] of checks) if (bucket && cost > 0) bucket.take(cost, nowMs);
  }
}

/** Query API requests running per tenant, at most TENANT_QUERY_CONCURRENCY; one more is answered 429 at once (never queued). */
export class TenantQueryLimiter {
  private readonly running: PerTenant<{ count: number }>;

  constructor(
    private readonly limit: number | null,
    private readonly refusals: TenantRefusalCounter,
  ) {
    this.running = new PerTenant(() => ({ count: 0 }), (r) => r.count === 0);
  }

  get enabled(): boolean {
    return this.limit !== null;
  }

  /** Holds a slot of the tenant, or throws RateLimitedError; call the returned function once when the request ends. */
  enter(tenant: string): () => void {
    if (this.limit === null) return () => {};
    const running = this.running.of(tenant);
    if (running.count >= this.limit) {
      this.refusals.count(tenant, 'query_concurrency');
      throw refusal(tenant, 'query_concurrency', `query limit of ${this.limit} requests at once`, 1);
    }
    running.count += 1;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      running.count -= 1;
    };
  }
}

import type {
  BurstLimits,
  FacetField,
  FacetValue,
  HistogramBucket,
  LogBatch,
  LogFilterQuery,
  LogQuery,
  LogSearchResult,
  LogStore,
  LogStoreCapabilities,
  ServiceBurst,
} from '../../core/contracts/log-store';
import { burstMessages, checkBurstLimits } from '../../core/contracts/log-bursts';
import { checkLimit, LOG_READ_LIMITS } from '../../core/contracts/read-limits';
import type { DataDeleter, DeletionOutcome } from '../../core/contracts/data-deletion';
import { ChainscopeError, ValidationError } from '../../core/errors';
import { checkInterval, foldHistogram } from '../../core/contracts/log-store';
import { Counters } from '../../core/metrics';
import type { LogRecord } from '../../core/model';
import { RateLimitedLog } from '../../core/util/rate-limited-log';
import { BulkWriter, SEARCH_COUNTERS, describeSearchCounters } from './bulk';
import type { BulkDocument, BulkOutcome, BulkRetryOptions, DeadLetter } from './bulk';
import {
  DEFAULT_INDEX_PREFIX,
  IndexNames,
  businessKeysByTrace,
  dlqIndexTemplate,
  fromDocument,
  isIndexableTime,
  logIndexTemplate,
  toDocument,
} from './mappings';
import {
  buildAnchorBody,
  buildBurstsBody,
  buildByTraceBody,
  buildContextBodies,
  buildFacetsBody,
  buildHistogramBody,
  buildSearchBody,
  parseTotal,
} from './query';
import type { SearchHit, SearchTransport } from './transport';
import { toTransportError } from './transport';

export interface SearchLogStoreOptions {
  /** Index names start with this (default 'chainscope-logs'): `<prefix>-YYYY.MM.DD`, `<prefix>-dlq`. */
  indexPrefix?: string;
  /** Daily indices older than this many days are deleted on start and then hourly. Unset: keep everything. */
  retentionDays?: number;
  /** Primary shards per daily index (default 1). */
  numberOfShards?: number;
  /** Replicas per index; unset leaves the engine default (1). Single-node set-ups use 0. */
  numberOfReplicas?: number;
  bulk?: Partial<BulkRetryOptions>;
  counters?: Counters;
  log?: RateLimitedLog;
}

const RETENTION_INTERVAL_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** What one writeLogs call did (also kept on the store as `lastWrite`, for tests and diagnostics). */
export interface WriteReport extends BulkOutcome {
  /** Refused records that were written to the dead-letter index. */
  deadLetterIndex: string;
}

/**
 * LogStore on Elasticsearch or OpenSearch: everything engine-specific in
 * behaviour lives here (mappings, index names, query translation, bulk
 * handling, response parsing); the transport only moves requests.
 */
export class SearchLogStore implements LogStore, DataDeleter {
  readonly capabilities: LogStoreCapabilities;
  readonly names: IndexNames;
  lastWrite: WriteReport | undefined;
  private readonly writer: BulkWriter;
  private readonly counters: Counters;
  private readonly log: RateLimitedLog;
  private started: Promise<void> | undefined;
  private retentionTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly transport: SearchTransport,
    private readonly options: SearchLogStoreOptions = {},
  ) {
    this.names = new IndexNames(options.indexPrefix ?? DEFAULT_INDEX_PREFIX);
    if (options.retentionDays !== undefined && !(Number.isInteger(options.retentionDays) && options.retentionDays >= 1)) {
      throw new ValidationError('retentionDays must be a positive integer', 'retentionDays');
    }
    this.capabilities = { backend: transport.engine, fullText: true };
    this.counters = options.counters ?? new Counters();
    this.log = options.log ?? new RateLimitedLog();
    describeSearchCounters(this.counters);
    this.writer = new BulkWriter(transport, options.bulk, this.counters);
  }

  /** Installs the index templates (idempotent) and applies retention. Writes and reads start it too. */
  async start(): Promise<void> {
    this.ensureOpen();
    this.started ??= this.install().catch((err) => {
      this.started = undefined;
      throw err;
    });
    await this.started;
  }

  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    await this.transport.close();
  }

  async writeLogs(batch: LogBatch): Promise<void> {
    await this.start();
    const keys = businessKeysByTrace(batch.businessKeys);
    const docs: BulkDocument[] = [];
    const refused: DeadLetter[] = [];
    for (const log of batch.logs) {
      const doc = isIndexableTime(log.timeUs) ? toDocument(log, (log.traceId && keys.get(log.traceId)) || []) : null;
      if (doc === null) {
        refused.push({ index: '', id: log.id, status: 400, errorType: 'invalid_time', reason: `timeUs ${log.timeUs} cannot name a daily index`, doc: log });
      } else {
        docs.push({ index: this.names.daily(log.timeUs), id: log.id, doc });
      }
    }
    const outcome = await this.call('writeLogs', () => this.writer.write('create', docs));
    outcome.deadLettered.unshift(...refused);
    this.counters.add(SEARCH_COUNTERS.written, outcome.written);
    this.counters.add(SEARCH_COUNTERS.duplicates, outcome.duplicates);
    if (outcome.deadLettered.length > 0) await this.deadLetter(outcome.deadLettered);
    this.lastWrite = { ...outcome, deadLetterIndex: this.names.dlq };
  }

  async search(query: LogQuery): Promise<LogSearchResult> {
    const body = buildSearchBody(query);
    if (body === null) return { total: 0, logs: [] };
    await this.start();
    const response = await this.call('search', () => this.transport.search(this.names.read, body));
    const logs = hitsOf(response.hits?.hits);
    const { total, totalIsLowerBound } = parseTotal(response.hits?.total, logs.length);
    const result: LogSearchResult = { total, logs };
    if (totalIsLowerBound) result.totalIsLowerBound = true;
    const size = body.size as number;
    if (size > 0 && logs.length === size) {
      const last = logs[logs.length - 1];
      result.nextCursor = { timeUs: last.timeUs, id: last.id };
    }
    return result;
  }

  async histogram(query: LogFilterQuery, intervalUs: number): Promise<HistogramBucket[]> {
    checkInterval(intervalUs);
    const body = buildHistogramBody(query, intervalUs);
    if (body === null) return [];
    await this.start();
    const response = (await this.call('histogram', () => this.transport.search(this.names.read, body))) as AggResponse;
    return histogramOf(response.aggregations?.t);
  }

  async bursts(query: LogFilterQuery, intervalUs: number, limits: BurstLimits): Promise<ServiceBurst[]> {
    checkInterval(intervalUs);
    const { services, messages } = checkBurstLimits(limits);
    const body = buildBurstsBody(query, intervalUs, services, messages === 0 ? 0 : LOG_READ_LIMITS.burstSample);
    if (body === null || services === 0) return [];
    await this.start();
    const response = (await this.call('bursts', () => this.transport.search(this.names.read, body))) as AggResponse;
    return (response.aggregations?.s?.buckets ?? []).map((b) => ({
      service: String(b.key),
      count: b.doc_count,
      buckets: histogramOf(b.t),
      messages: burstMessages(hitsOf(b.m?.hits?.hits), messages),
    }));
  }

  async facets(query: LogFilterQuery, field: FacetField, limit: number): Promise<FacetValue[]> {
    const n = checkLimit(limit, LOG_READ_LIMITS.facets);
    const built = buildFacetsBody(query, field, n);
    if (built === null || n === 0) return [];
    await this.start();
    const response = (await this.call('facets', () => this.transport.search(this.names.read, built.body))) as AggResponse;
    return (response.aggregations?.f?.buckets ?? []).map((b) => ({ value: String(b.key).slice(built.strip.length), count: b.doc_count }));
  }

  async byTrace(traceId: string, limit: number, spanId?: string): Promise<LogRecord[]> {
    const body = buildByTraceBody(traceId, limit, spanId);
    if (body === null || body.size === 0) return [];
    await this.start();
    const response = await this.call('byTrace', () => this.transport.search(this.names.read, body));
    return hitsOf(response.hits?.hits);
  }

  async context(logId: string, before: number, after: number): Promise<LogRecord[] | null> {
    buildContextBodies({ id: logId, timeUs: 0, service: '' }, before, after); // validates before/after first
    await this.start();
    const found = await this.call('context', () => this.transport.search(this.names.read, buildAnchorBody(logId)));
    const [anchor] = hitsOf(found.hits?.hits);
    if (!anchor) return null;
    const bodies = buildContextBodies(anchor, before, after);
    const [older, newer] = await this.call('context', () =>
      Promise.all([
        bodies.before.size === 0 ? undefined : this.transport.search(this.names.read, bodies.before),
        bodies.after.size === 0 ? undefined : this.transport.search(this.names.read, bodies.after),
      ]),
    );
    return [...hitsOf(older?.hits?.hits).reverse(), anchor, ...hitsOf(newer?.hits?.hits)];
  }

  /** Makes everything written so far searchable (the engine does it on its own within its refresh interval, 1 s by default). */
  async refresh(): Promise<void> {
    await this.call('refresh', () => this.transport.refresh(`${this.names.read},${this.names.dlq}`));
  }

  /** Deletes daily indices whose whole day is older than `retentionDays`; returns their names. */
  async enforceRetention(nowMs = Date.now()): Promise<string[]> {
    const days = this.options.retentionDays;
    if (days === undefined) return [];
    const todayMs = Math.floor(nowMs / DAY_MS) * DAY_MS;
    return this.deleteDaysBefore(todayMs - (days - 1) * DAY_MS, 'retention');
  }

  /** Deletes the daily indices of days before `dayMs` (UTC midnight); returns their names. */
  private async deleteDaysBefore(dayMs: number, what: string): Promise<string[]> {
    const indices = await this.call(what, () => this.transport.listIndices(this.names.read));
    const old = indices.filter((name) => {
      const day = this.names.dayOfIndex(name);
      return day !== null && day < dayMs;
    });
    if (old.length > 0) await this.call(what, () => this.transport.deleteIndices(old));
    return old;
  }

  /**
   * Deletes whole daily indices: those whose day ends at or before `beforeUs`,
   * or every index of this prefix, dead-letter index included (null). The day
   * `beforeUs` falls in is kept (granularity 'day'); templates stay.
   */
  async deleteData(beforeUs: number | null): Promise<DeletionOutcome> {
    if (beforeUs === null) return { backend: this.capabilities.backend, granularity: 'day', deleted: { indices: (await this.deleteAllIndices()).length } };
    const old = await this.deleteDaysBefore(Math.floor(beforeUs / 1000 / DAY_MS) * DAY_MS, 'deleteData');
    return { backend: this.capabilities.backend, granularity: 'day', deleted: { indices: old.length } };
  }

  /** Deletes every index of this prefix, dead-letter index included (tests, uninstall). Templates stay. */
  async deleteAllIndices(): Promise<string[]> {
    const names = [
      ...(await this.call('deleteAllIndices', () => this.transport.listIndices(this.names.read))),
      ...(await this.call('deleteAllIndices', () => this.transport.listIndices(this.names.dlq))),
    ];
    if (names.length > 0) await this.call('deleteAllIndices', () => this.transport.deleteIndices(names));
    return names;
  }

  /** Deletes every index of this prefix and both index templates: nothing of this store is left on the engine. */
  async uninstall(): Promise<void> {
    await this.deleteAllIndices();
    await this.call('uninstall', () => this.transport.deleteIndexTemplate(this.names.template));
    await this.call('uninstall', () => this.transport.deleteIndexTemplate(this.names.dlqTemplate));
    this.started = undefined;
  }

  private async install(): Promise<void> {
    const settings = { numberOfShards: this.options.numberOfShards, numberOfReplicas: this.options.numberOfReplicas };
    await this.call('start', () => this.transport.putIndexTemplate(this.names.template, logIndexTemplate(this.names, settings)));
    await this.call('start', () => this.transport.putIndexTemplate(this.names.dlqTemplate, dlqIndexTemplate(this.names, settings)));
    if (this.options.retentionDays !== undefined) {
      await this.enforceRetention();
      this.retentionTimer = setInterval(() => {
        this.enforceRetention().catch((err) => this.log.warn('search-retention', `log retention failed: ${err}`));
      }, RETENTION_INTERVAL_MS);
      this.retentionTimer.unref();
    }
  }

  private async deadLetter(refused: DeadLetter[]): Promise<void> {
    const now = new Date().toISOString();
    const docs: BulkDocument[] = refused.map((r) => ({
      index: this.names.dlq,
      // one DLQ entry per refused record, however often it is replayed
      id: r.id !== undefined && Buffer.byteLength(r.id) <= 512 ? r.id : undefined,
      doc: {
        '@timestamp': now,
        record_id: r.id ?? '',
        target_index: r.index,
        status: r.status,
        error_type: r.errorType,
        reason: r.reason.slice(0, 8192),
        document: r.doc,
      },
    }));
    const outcome = await this.call('dead-letter', () => this.writer.write('index', docs));
    this.counters.add(SEARCH_COUNTERS.deadLettered, outcome.written);
    for (const lost of outcome.deadLettered) {
      this.counters.add(SEARCH_COUNTERS.deadLetterLost);
      this.log.warn('search-dlq-lost', `a refused log record could not be dead-lettered either: ${lost.status} ${lost.errorType}: ${lost.reason}`);
    }
    const first = refused[0];
    this.log.warn(
      'search-dlq',
      `search engine refused ${refused.length} log record(s), written to ${this.names.dlq}; e.g. ${first.status} ${first.errorType}: ${first.reason}`,
    );
  }

  private ensureOpen(): void {
    if (this.closed) throw new ChainscopeError('search log store is shut down', false);
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    this.ensureOpen();
    try {
      return await fn();
    } catch (err) {
      throw toTransportError(err, `search log store ${what}`);
    }
  }
}

interface AggBucket {
  key: number | string;
  doc_count: number;
  sn?: { buckets: AggBucket[] };
  t?: { buckets: AggBucket[] };
  m?: { hits?: { hits?: SearchHit[] } };
}
interface AggResponse {
  aggregations?: { t?: { buckets: AggBucket[] }; f?: { buckets: AggBucket[] }; s?: { buckets: AggBucket[] } };
}

/** A histogram aggregation (buildHistogramBody's `t`) as buckets by severity group. */
function histogramOf(agg: { buckets: AggBucket[] } | undefined): HistogramBucket[] {
  const rows: { t: number; sn: number; n: number }[] = [];
  for (const b of agg?.buckets ?? []) {
    for (const s of b.sn?.buckets ?? []) rows.push({ t: Math.round(Number(b.key)), sn: Number(s.key), n: s.doc_count });
  }
  return foldHistogram(rows);
}

function hitsOf(hits: SearchHit[] | undefined): LogRecord[] {
  return (hits ?? []).map((h) => fromDocument(h._source));
}

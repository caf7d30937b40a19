import {
  assembleServiceStats,
  assembleTopology,
  checkStatsServices,
  checkStep,
  latencyMinuteRange,
  minuteRange,
  type MinuteRange,
  type EdgeRollupRow,
  type OperationRollupRow,
  type ServiceRollupRow,
} from '../../core/analysis/topology-assemble';
import { deriveTopology, factsOf, needsParent, spanKey, type SpanFacts } from '../../core/analysis/topology-derive';
import { bucketOf } from '../../core/analysis/topology-histogram';
import type { LatencyBucketCount } from '../../core/analysis/latency-heatmap';
import type { Span, TimeWindow } from '../../core/model';
import { chunks } from '../../core/util/chunks';
import type { ServiceStats, Topology } from '../../core/topology';
import { servicesSql } from './queries';
import { rowToSpan, type StoredSpanRow } from './rows';
import {
  aliasPeersSql,
  latencyMinutesSql,
  edgeMinutesToSummarizeSql,
  markMinutesWrittenSql,
  minuteMarksSql,
  operationMinutesToSummarizeSql,
  pendingChildrenSql,
  serviceOperationsSql,
  spanFactsSql,
  summarizedEdgesSql,
  summarizedEdgeMinutesSql,
  summarizedLatencyMinutesSql,
  summarizedOperationMinutesSql,
  summarizedServicesSql,
  topologyEdgesSql,
  topologyServicesSql,
  CLICKHOUSE_TOPOLOGY_LIMITS,
} from './topology-queries';
import { minuteRanges, splitMinutes, type MinuteMark, type MinuteRanges, type MinuteSplit } from './topology-minutes';
import { SummarizedMinuteCache } from './topology-minute-cache';
import { MINUTE_MARK, TOPOLOGY_TABLES } from './topology-schema';

type Select = <T>(query: string, what: string) => Promise<T[]>;
type Insert = (table: string, rows: object[]) => Promise<void>;
type Command = (query: string) => Promise<void>;
type Num = string | number;

/** Summary rows of one minute as kept between reads. */
type EdgeMinuteRow = EdgeRollupRow & { minute: number };
type OperationMinuteRow = OperationRollupRow & { service: string };

/** Rows for the topology tables, keyed by table name. */
export type TopologyRows = Record<string, object[]>;

/** Most ids per write-path lookup statement; larger batches are looked up in chunks. */
const LOOKUP_CHUNK = 2_000;

/**
 * Topology derivation in the ClickHouse write path and the roll-up reads.
 * Per batch at most two lookups: stored parents of the batch's server/consumer
 * spans whose parent is not in the batch (primary-key read on spans), and
 * parked children waiting for one of the batch's spans; after the rows are
 * stored, one mark of the minutes they fell in. Reads take settled minutes
 * from their summaries and the rest exactly (topology-minutes.ts); a read
 * that meets quiet minutes without a current summary summarizes them first.
 * Summarized minutes' rows are kept between reads under their summary's
 * version (topology-minute-cache.ts), and reads in flight at once share one
 * read of the minute marks: a screen's refresh reads the marks and only the
 * minutes summarized or written since its last refresh.
 */
export class ClickHouseTopology {
  /** Summaries being taken, by their minutes: concurrent reads of one window take them once. */
  private readonly summarizing = new Map<string, Promise<boolean>>();
  /** Reads and answers in flight, by their SQL or their minutes: a screen's panels ask for the same window at once, it is answered once. */
  private readonly reading = new Map<string, Promise<unknown>>();
  /** Minute-mark reads in flight, by their minutes: a read of minutes within one of them waits for it instead. */
  private readonly marksReading: { from: number; to: number; marks: Promise<{ marks: MinuteMark[]; asOf: number }> }[] = [];
  /** Each summarized minute's newest summary rows, kept while the minute's summary version stays the same. */
  readonly edgeMinutes = new SummarizedMinuteCache<EdgeMinuteRow>(
    (m) => this.counted<EdgeMinuteRow>(summarizedEdgeMinutesSql(this.db, m), 'topology (summarized minutes)'),
    CLICKHOUSE_TOPOLOGY_LIMITS.edgeRows,
  );
  readonly operationMinutes = new SummarizedMinuteCache<OperationMinuteRow>(
    (m) => this.counted<OperationMinuteRow>(summarizedOperationMinutesSql(this.db, m), 'topology (summarized minutes)'),
    CLICKHOUSE_TOPOLOGY_LIMITS.operationRows,
  );
  /** The last failure to store a summary (the read that met it answered exactly anyway). */
  lastSummaryError: Error | undefined;

  constructor(
    private readonly db: string,
    private readonly select: Select,
    private readonly insert: Insert,
    private readonly command: Command,
    /** How long a minute must have been left alone before it is summarized (topology-minutes.ts). */
    private readonly quietSeconds: number,
  ) {}

  /** `start()`, or the promise of a caller that started the same `key` and is still waiting. */
  private inFlight<T>(key: string, start: () => Promise<T>): Promise<T> {
    let reading = this.reading.get(key);
    if (!reading) {
      reading = start().finally(() => this.reading.delete(key));
      this.reading.set(key, reading);
    }
    return reading as Promise<T>;
  }

  /** `select`, shared with a caller already waiting for the same query. */
  private shared<T>(query: string, what: string): Promise<T[]> {
    return this.inFlight(query, () => this.select<T>(query, what));
  }

  /** Rows with counts (JSONEachRow sends 64-bit integers as strings) as numbers. */
  private async counted<T extends { bucket: number; calls: number; errors: number; minute?: number }>(query: string, what: string): Promise<T[]> {
    return (await this.shared<Numbered<T>>(query, what)).map(numbers);
  }

  /** Forgets every kept summary row (after data was deleted). */
  forgetSummaries(): void {
    this.edgeMinutes.clear();
    this.operationMinutes.clear();
  }

  /** Marks the minutes of rows just stored as written (after them: a summary taken before this mark is not trusted). */
  async markWritten(rows: TopologyRows): Promise<void> {
    const minutes = new Set<number>();
    for (const table of [TOPOLOGY_TABLES.edges, TOPOLOGY_TABLES.operations]) for (const r of rows[table] ?? []) minutes.add((r as { minute: number }).minute);
    if (minutes.size > 0) await this.command(markMinutesWrittenSql(this.db, [...minutes].sort((a, b) => a - b)));
  }

  async rowsFor(spans: readonly Span[]): Promise<TopologyRows> {
    const inBatch = new Map<string, Span>();
    for (const s of spans) inBatch.set(spanKey(s.traceId, s.spanId), s);

    const missing = new Map<string, [string, string]>();
    for (const s of spans) {
      if (s.parentSpanId === '' || inBatch.has(spanKey(s.traceId, s.parentSpanId))) continue;
      if (needsParent(factsOf(s))) missing.set(spanKey(s.traceId, s.parentSpanId), [s.traceId, s.parentSpanId]);
    }
    const stored = new Map<string, SpanFacts>();
    for (const chunk of chunks([...missing.values()], LOOKUP_CHUNK)) {
      const rows = await this.select<StoredSpanRow>(
        spanFactsSql(this.db, uniq(chunk.map((p) => p[0])), uniq(chunk.map((p) => p[1]))),
        'writeSpans (topology parents)',
      );
      for (const r of rows) {
        const key = spanKey(r.trace_id, r.span_id);
        if (missing.has(key)) stored.set(key, factsOf(rowToSpan({ ...r, resource: '{}', events: '', links: '', scope_name: '', scope_version: '' })));
      }
    }

    const wanted = new Set(inBatch.keys());
    const waitingChildren: SpanFacts[] = [];
    for (const chunk of chunks(spans, LOOKUP_CHUNK)) {
      const rows = await this.select<{ trace_id: string; parent_span_id: string; facts: string }>(
        pendingChildrenSql(this.db, uniq(chunk.map((s) => s.traceId)), uniq(chunk.map((s) => s.spanId))),
        'writeSpans (topology pending)',
      );
      for (const r of rows) if (wanted.has(spanKey(r.trace_id, r.parent_span_id))) waitingChildren.push(JSON.parse(r.facts) as SpanFacts);
    }

    const d = deriveTopology({
      spans,
      lookup: (traceId, spanId) => {
        const s = inBatch.get(spanKey(traceId, spanId));
        return s ? factsOf(s) : stored.get(spanKey(traceId, spanId));
      },
      waitingChildren,
    });
    const now = Date.now() * 1000;
    return {
      [TOPOLOGY_TABLES.edges]: d.edges.map((e) => ({
        minute: e.minute,
        source: e.source,
        source_kind: e.sourceKind,
        target: e.target,
        target_kind: e.targetKind,
        kind: e.kind,
        trace_id: e.traceId,
        span_id: e.spanId,
        bucket: bucketOf(e.durationUs),
        error: e.error ? 1 : 0,
        duration_us: e.durationUs,
      })),
      [TOPOLOGY_TABLES.operations]: d.operations.map((o) => ({
        minute: o.minute,
        service: o.service,
        operation: o.operation,
        trace_id: o.traceId,
        span_id: o.spanId,
        bucket: bucketOf(o.durationUs),
        error: o.error ? 1 : 0,
        duration_us: o.durationUs,
      })),
      [TOPOLOGY_TABLES.aliases]: d.aliases.map((a) => ({ peer: a.peer, service: a.service, time_us: now })),
      [TOPOLOGY_TABLES.pending]: d.waiting.map((f) => ({
        trace_id: f.traceId,
        parent_span_id: f.parentSpanId,
        span_id: f.spanId,
        start_us: f.startUs,
        facts: JSON.stringify(f),
      })),
    };
  }

  /** The topology of the minutes the window touches; callers asking for the same minutes at once share one answer (not to be changed). */
  topology(window: TimeWindow): Promise<Topology> {
    const r = minuteRange(window);
    return this.inFlight(`topology ${r.fromMinute} ${r.toMinute}`, () => this.topologyOf(r));
  }

  private async topologyOf(r: MinuteRange): Promise<Topology> {
    // the names do not depend on the minutes: read while the marks are
    const known = Promise.all([this.shared<{ peer: string }>(aliasPeersSql(this.db), 'topology'), this.shared<{ service: string }>(servicesSql(this.db), 'topology')]);
    known.catch(() => undefined);
    const split = await this.split(r.fromMinute, r.toMinute);
    const [edges, services, [aliases, names]] = await Promise.all([
      this.read<EdgeMinuteRow, EdgeRollupRow>(
        split,
        this.edgeMinutes,
        (rows) => rows,
        (m) => this.counted(summarizedEdgesSql(this.db, m), 'topology'),
        (m) => this.counted(topologyEdgesSql(this.db, m), 'topology'),
      ),
      this.read<OperationMinuteRow, ServiceRollupRow>(
        split,
        this.operationMinutes,
        (rows) => rows,
        (m) => this.counted(summarizedServicesSql(this.db, m), 'topology'),
        (m) => this.counted(topologyServicesSql(this.db, m), 'topology'),
      ),
      known,
    ]);
    return assembleTopology(edges, services, {
      services: new Set(names.map((n) => n.service)),
      aliasPeers: new Set(aliases.map((a) => a.peer)),
    });
  }

  /** Stats of every service asked for from one read of each kind of minute (kept, left summed to the server, exact). */
  async servicesStats(services: readonly string[], window: TimeWindow, stepUs: number): Promise<ServiceStats[]> {
    checkStatsServices(services);
    const r = minuteRange(window);
    checkStep(stepUs, r);
    if (services.length === 0) return [];
    const split = await this.split(r.fromMinute, r.toMinute);
    const asked = new Set(services);
    const rows = await this.read<OperationMinuteRow, OperationMinuteRow>(
      split,
      this.operationMinutes,
      (kept) => kept.filter((x) => asked.has(x.service)),
      (m) => this.counted(summarizedOperationMinutesSql(this.db, m, services), 'serviceStats'),
      (m) => this.counted(serviceOperationsSql(this.db, services, m), 'serviceStats'),
    );
    const byService = new Map<string, OperationMinuteRow[]>(services.map((s) => [s, []]));
    for (const x of rows) byService.get(x.service)?.push(x);
    return services.map((s) => assembleServiceStats(s, r, stepUs, byService.get(s)!));
  }

  async latencyMinutes(window: TimeWindow, service?: string): Promise<LatencyBucketCount[]> {
    const r = latencyMinuteRange(window);
    const split = await this.split(r.fromMinute, r.toMinute);
    const read = async (query: string) =>
      (await this.shared<Numbered<LatencyBucketCount>>(query, 'latencyMinutes')).map((x) => ({ minute: Number(x.minute), bucket: Number(x.bucket), count: Number(x.count) }));
    const rows = await this.read<OperationMinuteRow, LatencyBucketCount>(
      split,
      this.operationMinutes,
      (kept) => latencyCounts(service === undefined ? kept : kept.filter((x) => x.service === service)),
      (m) => read(summarizedLatencyMinutesSql(this.db, service, m)),
      (m) => read(latencyMinutesSql(this.db, service, m)),
    );
    return rows.sort((a, b) => a.minute - b.minute || a.bucket - b.bucket);
  }

  /** The minutes from..to split by their marks, after summarizing the quiet ones that had no current summary. */
  private async split(fromMinute: number, toMinute: number): Promise<MinuteSplit> {
    const read = async (fresh: boolean) => {
      const { marks, asOf } = await this.marks(fromMinute, toMinute, fresh);
      return splitMinutes(fromMinute, toMinute, marks, asOf, this.quietSeconds);
    };
    const split = await read(false);
    // read again after the summary, not from a read that began before it
    return split.toSummarize.length > 0 && (await this.summarize(split.toSummarize, split.asOf)) ? read(true) : split;
  }

  /** The marks of from..to, from a read of wider minutes already in flight unless `fresh`. */
  private marks(from: number, to: number, fresh: boolean): Promise<{ marks: MinuteMark[]; asOf: number }> {
    const covering = fresh ? undefined : this.marksReading.find((r) => r.from <= from && r.to >= to);
    if (covering) return covering.marks;
    const marks = this.select<{ marks: [Num, Num, Num][]; as_of: Num }>(minuteMarksSql(this.db, from, to), 'topology (minute marks)').then(([row]) => ({
      marks: row.marks.map(([minute, written, summarized]) => ({ minute: Number(minute), written: Number(written), summarized: Number(summarized) })),
      asOf: Number(row.as_of),
    }));
    const entry = { from, to, marks };
    this.marksReading.push(entry);
    const done = () => {
      const i = this.marksReading.indexOf(entry);
      if (i >= 0) this.marksReading.splice(i, 1);
    };
    marks.then(done, done);
    return marks;
  }

  /**
   * Rows of the split's minutes: the summarized ones from their kept per-minute rows (`fromKept`), those the
   * cache leaves to the caller summed by the server (`summed`), the others read exactly.
   */
  private async read<Kept extends { minute: number }, T>(
    split: MinuteSplit,
    cache: SummarizedMinuteCache<Kept>,
    fromKept: (rows: Kept[]) => T[],
    summed: (m: MinuteRanges) => Promise<T[]>,
    exact: (m: MinuteRanges) => Promise<T[]>,
  ): Promise<T[]> {
    const fromSummaries = async (): Promise<T[]> => {
      if (split.summaryVersions.length === 0) return [];
      const { rows, notKept } = await cache.rows(split.summaryVersions);
      return [...fromKept(rows), ...(notKept.length > 0 ? await summed(notKept) : [])];
    };
    const [summarized, exactRows] = await Promise.all([fromSummaries(), split.exact.length > 0 ? exact(split.exact) : []]);
    return [...summarized, ...exactRows];
  }

  /** Summarizes these minutes as of `asOf` (server seconds); false when that failed (the read goes on exactly). */
  private summarize(minutes: number[], asOf: number): Promise<boolean> {
    const key = minutes.join(',');
    let taking = this.summarizing.get(key);
    if (!taking) {
      taking = this.takeSummaries(minutes, asOf)
        .then(
          () => true,
          (err: Error) => {
            this.lastSummaryError = err;
            return false;
          },
        )
        .finally(() => this.summarizing.delete(key));
      this.summarizing.set(key, taking);
    }
    return taking;
  }

  /** The minutes' counts per group read exactly, stored with version `asOf`, then their summary marks (last: a mark promises the rows). */
  private async takeSummaries(minutes: number[], asOf: number): Promise<void> {
    const ranges = minuteRanges(minutes);
    const [edges, operations] = await Promise.all([
      this.select<Record<string, Num>>(edgeMinutesToSummarizeSql(this.db, ranges), 'topology (summary)'),
      this.select<Record<string, Num>>(operationMinutesToSummarizeSql(this.db, ranges), 'topology (summary)'),
    ]);
    const versioned = (rows: Record<string, Num>[]) => rows.map((r) => ({ ...r, minute: Number(r.minute), calls: Number(r.calls), errors: Number(r.errors), version: asOf }));
    await Promise.all([
      edges.length > 0 ? this.insert(TOPOLOGY_TABLES.edgeMinutes, versioned(edges)) : undefined,
      operations.length > 0 ? this.insert(TOPOLOGY_TABLES.operationMinutes, versioned(operations)) : undefined,
    ]);
    await this.insert(
      TOPOLOGY_TABLES.minuteMarks,
      minutes.map((minute) => ({ minute, kind: MINUTE_MARK.summarized, at: asOf })),
    );
    // the rows just stored are what a read of these minutes at this version gives: no read of them follows
    this.edgeMinutes.keepSummary(minutes, asOf, edges.map(edgeMinuteRow));
    this.operationMinutes.keepSummary(minutes, asOf, operations.map(operationMinuteRow));
  }
}

/** JSONEachRow sends 64-bit integers as strings. */
type Numbered<T> = { [K in keyof T]: T[K] extends number ? Num : T[K] };

function numbers<T extends { bucket: number; calls: number; errors: number; minute?: number }>(r: Numbered<T>): T {
  const out = { ...r, bucket: Number(r.bucket), calls: Number(r.calls), errors: Number(r.errors) } as unknown as T;
  if ('minute' in r) (out as { minute: number }).minute = Number((r as { minute: Num }).minute);
  return out;
}

/** A row of edgeMinutesToSummarizeSql as summarizedEdgeMinutesSql names it. */
function edgeMinuteRow(r: Record<string, Num>): EdgeMinuteRow {
  return {
    minute: Number(r.minute),
    source: String(r.source),
    sourceKind: String(r.source_kind) as EdgeMinuteRow['sourceKind'],
    target: String(r.target),
    targetKind: String(r.target_kind) as EdgeMinuteRow['targetKind'],
    kind: String(r.kind) as EdgeMinuteRow['kind'],
    bucket: Number(r.bucket),
    calls: Number(r.calls),
    errors: Number(r.errors),
  };
}

/** A row of operationMinutesToSummarizeSql as summarizedOperationMinutesSql gives it. */
function operationMinuteRow(r: Record<string, Num>): OperationMinuteRow {
  return { minute: Number(r.minute), service: String(r.service), operation: String(r.operation), bucket: Number(r.bucket), calls: Number(r.calls), errors: Number(r.errors) };
}

/** Entry calls per minute and latency bucket of per-operation rows. */
function latencyCounts(rows: readonly OperationMinuteRow[]): LatencyBucketCount[] {
  const counts = new Map<string, LatencyBucketCount>();
  for (const r of rows) {
    const key = `${r.minute}:${r.bucket}`;
    const c = counts.get(key);
    if (c) c.count += r.calls;
    else counts.set(key, { minute: r.minute, bucket: r.bucket, count: r.calls });
  }
  return [...counts.values()];
}

function uniq(values: string[]): string[] {
  return [...new Set(values)];
}

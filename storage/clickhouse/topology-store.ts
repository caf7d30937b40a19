import {
  assembleServiceStats,
  assembleTopology,
  checkStep,
  latencyMinuteRange,
  minuteRange,
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
  summarizedLatencyMinutesSql,
  summarizedServiceOperationsSql,
  summarizedServicesSql,
  topologyEdgesSql,
  topologyServicesSql,
} from './topology-queries';
import { minuteRanges, splitMinutes, type MinuteRanges, type MinuteSplit } from './topology-minutes';
import { MINUTE_MARK, TOPOLOGY_TABLES } from './topology-schema';

type Select = <T>(query: string, what: string) => Promise<T[]>;
type Insert = (table: string, rows: object[]) => Promise<void>;
type Command = (query: string) => Promise<void>;
type Num = string | number;

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
 */
export class ClickHouseTopology {
  /** Summaries being taken, by their minutes: concurrent reads of one window take them once. */
  private readonly summarizing = new Map<string, Promise<boolean>>();
  /** Reads in flight, by their SQL: a screen's panels ask for the same window at once, the server answers once. */
  private readonly reading = new Map<string, Promise<unknown[]>>();
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

  /** `select`, shared with a caller already waiting for the same query. */
  private shared<T>(query: string, what: string): Promise<T[]> {
    let reading = this.reading.get(query);
    if (!reading) {
      reading = this.select<T>(query, what).finally(() => this.reading.delete(query));
      this.reading.set(query, reading);
    }
    return reading as Promise<T[]>;
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

  async topology(window: TimeWindow): Promise<Topology> {
    const r = minuteRange(window);
    const split = await this.split(r.fromMinute, r.toMinute);
    const [edges, services, aliases, names] = await Promise.all([
      this.read<Numbered<EdgeRollupRow>>(split, (m) => summarizedEdgesSql(this.db, m), (m) => topologyEdgesSql(this.db, m), 'topology'),
      this.read<Numbered<ServiceRollupRow>>(split, (m) => summarizedServicesSql(this.db, m), (m) => topologyServicesSql(this.db, m), 'topology'),
      this.shared<{ peer: string }>(aliasPeersSql(this.db), 'topology'),
      this.shared<{ service: string }>(servicesSql(this.db), 'topology'),
    ]);
    return assembleTopology(edges.map(numbers), services.map(numbers), {
      services: new Set(names.map((n) => n.service)),
      aliasPeers: new Set(aliases.map((a) => a.peer)),
    });
  }

  async serviceStats(service: string, window: TimeWindow, stepUs: number): Promise<ServiceStats> {
    const r = minuteRange(window);
    checkStep(stepUs, r);
    const split = await this.split(r.fromMinute, r.toMinute);
    const rows = await this.read<Numbered<OperationRollupRow>>(
      split,
      (m) => summarizedServiceOperationsSql(this.db, service, m),
      (m) => serviceOperationsSql(this.db, service, m),
      'serviceStats',
    );
    return assembleServiceStats(service, r, stepUs, rows.map(numbers));
  }

  async latencyMinutes(window: TimeWindow, service?: string): Promise<LatencyBucketCount[]> {
    const r = latencyMinuteRange(window);
    const split = await this.split(r.fromMinute, r.toMinute);
    const rows = await this.read<Numbered<LatencyBucketCount>>(
      split,
      (m) => summarizedLatencyMinutesSql(this.db, service, m),
      (m) => latencyMinutesSql(this.db, service, m),
      'latencyMinutes',
    );
    return rows
      .map((x) => ({ minute: Number(x.minute), bucket: Number(x.bucket), count: Number(x.count) }))
      .sort((a, b) => a.minute - b.minute || a.bucket - b.bucket);
  }

  /** The minutes from..to split by their marks, after summarizing the quiet ones that had no current summary. */
  private async split(fromMinute: number, toMinute: number): Promise<MinuteSplit> {
    const read = async () => {
      const [row] = await this.shared<{ marks: [Num, Num, Num][]; as_of: Num }>(minuteMarksSql(this.db, fromMinute, toMinute), 'topology (minute marks)');
      const marks = row.marks.map(([minute, written, summarized]) => ({ minute: Number(minute), written: Number(written), summarized: Number(summarized) }));
      return splitMinutes(fromMinute, toMinute, marks, Number(row.as_of), this.quietSeconds);
    };
    const split = await read();
    return split.toSummarize.length > 0 && (await this.summarize(split.toSummarize, split.asOf)) ? read() : split;
  }

  /** Rows of the summarized minutes and of the exact ones, each read only when there are such minutes. */
  private async read<T>(split: MinuteSplit, summarized: (m: MinuteRanges) => string, exact: (m: MinuteRanges) => string, what: string): Promise<T[]> {
    const reads: Promise<T[]>[] = [];
    if (split.summarized.length > 0) reads.push(this.shared<T>(summarized(split.summarized), what));
    if (split.exact.length > 0) reads.push(this.shared<T>(exact(split.exact), what));
    return (await Promise.all(reads)).flat();
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
  }
}

/** JSONEachRow sends 64-bit integers as strings. */
type Numbered<T> = { [K in keyof T]: T[K] extends number ? Num : T[K] };

function numbers<T extends { bucket: number; calls: number; errors: number; minute?: number }>(r: Numbered<T>): T {
  const out = { ...r, bucket: Number(r.bucket), calls: Number(r.calls), errors: Number(r.errors) } as unknown as T;
  if ('minute' in r) (out as { minute: number }).minute = Number((r as { minute: Num }).minute);
  return out;
}

function uniq(values: string[]): string[] {
  return [...new Set(values)];
}

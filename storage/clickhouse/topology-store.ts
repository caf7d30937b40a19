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
  pendingChildrenSql,
  serviceOperationsSql,
  spanFactsSql,
  topologyEdgesSql,
  topologyServicesSql,
} from './topology-queries';
import { TOPOLOGY_TABLES } from './topology-schema';

type Select = <T>(query: string, what: string) => Promise<T[]>;
type Num = string | number;

/** Rows for the topology tables, keyed by table name. */
export type TopologyRows = Record<string, object[]>;

/** Most ids per write-path lookup statement; larger batches are looked up in chunks. */
const LOOKUP_CHUNK = 2_000;

/**
 * Topology derivation in the ClickHouse write path and the roll-up reads.
 * Per batch at most two lookups: stored parents of the batch's server/consumer
 * spans whose parent is not in the batch (primary-key read on spans), and
 * parked children waiting for one of the batch's spans.
 */
export class ClickHouseTopology {
  constructor(
    private readonly db: string,
    private readonly select: Select,
  ) {}

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
    const [edges, services, aliases, names] = await Promise.all([
      this.select<Numbered<EdgeRollupRow>>(topologyEdgesSql(this.db, r.fromMinute, r.toMinute), 'topology'),
      this.select<Numbered<ServiceRollupRow>>(topologyServicesSql(this.db, r.fromMinute, r.toMinute), 'topology'),
      this.select<{ peer: string }>(aliasPeersSql(this.db), 'topology'),
      this.select<{ service: string }>(servicesSql(this.db), 'topology'),
    ]);
    return assembleTopology(edges.map(numbers), services.map(numbers), {
      services: new Set(names.map((n) => n.service)),
      aliasPeers: new Set(aliases.map((a) => a.peer)),
    });
  }

  async serviceStats(service: string, window: TimeWindow, stepUs: number): Promise<ServiceStats> {
    const r = minuteRange(window);
    checkStep(stepUs, r);
    const rows = await this.select<Numbered<OperationRollupRow>>(serviceOperationsSql(this.db, service, r.fromMinute, r.toMinute), 'serviceStats');
    return assembleServiceStats(service, r, stepUs, rows.map(numbers));
  }

  async latencyMinutes(window: TimeWindow, service?: string): Promise<LatencyBucketCount[]> {
    const r = latencyMinuteRange(window);
    const rows = await this.select<Numbered<LatencyBucketCount>>(latencyMinutesSql(this.db, service, r.fromMinute, r.toMinute), 'latencyMinutes');
    return rows.map((x) => ({ minute: Number(x.minute), bucket: Number(x.bucket), count: Number(x.count) }));
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

import type Database from 'better-sqlite3';
import type { Span } from '../../core/model';
import type { OrderRollupSettings, SpanBatch } from '../../core/contracts/span-store';
import { IndexedNames, indexBucket, syncIndexCoverage } from './attribute-index';
import { decodeHashSet, STATUS_ERROR, statusToInt } from './codec';
import type { EmbeddedDatabase } from './database';
import { OrderRollupWriter, type SummaryRow, type SummaryRowGrowth } from './order-rollup-writer';
import { PairInserter } from './pair-inserter';
import { RowInserter } from './row-inserter';
import { CHUNK_TEXT, ChunkBuilder, chunkKey, encodeSpans, MAX_CHUNKS_PER_TRACE, SPAN_CHUNK_MAX, type ChunkIds, type EncodedChunk, type EncodedSpans } from './span-chunk';
import { hashSetsOf, planTraces, rootRankOf, type PlannedTrace, type TraceHashSets } from './span-write-plan';
import { StoredChunks } from './stored-chunks';
import type { TopologyRows } from './topology-rows';
import { planTopology, TopologyWriter, type CreatedTrace, type InsertedTraceSpans } from './topology-writer';

/** What the spans of one trace that were really inserted in this batch add to its summary. */
interface TraceDelta {
  startUs: number;
  endUs: number;
  count: number;
  errors: number;
  rootRank: number;
  rootStartUs: number;
  rootOpId: number;
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** A stored trace's row as a write finds it. */
interface StoredTraceRow extends SummaryRow {
  id: number;
  span_count: number;
}

/** Columns of a span_chunks row (span-chunk.ts), and the SQL value of each from its parameter. */
const CHUNK_COLUMNS = ['id', 'span_ids', 'facts', 'spans'] as const;
const CHUNK_VALUES = ['?', CHUNK_TEXT, '?', CHUNK_TEXT] as const;

/** Columns of a traces row a write creates. */
const TRACE_COLUMNS = ['trace_id', 'start_us', 'end_us', 'span_count', 'error_count', 'root_rank', 'root_start_us', 'root_op_id'];

/** A surrogate code unit: a trace id with one is created alone (see createTraces). */
const SURROGATE = /[\ud800-\udfff]/;

/** Chunk rows per insert statement. */
const CHUNK_ROWS_PER_STATEMENT = 8;
/** Rows per insert statement of the other small rows (business keys, attribute sets, links). */
const ROWS_PER_STATEMENT = 32;

/**
 * Writes a SpanBatch in one transaction. The spans it adds to a trace go in as
 * chunks of at most SPAN_CHUNK_MAX (span-chunk.ts), one row each. Every derived
 * row (summary, trace operations, attribute hashes and index) is computed only
 * from spans that were not stored yet (a stored trace's span ids are checked
 * first, stored-chunks.ts), so a replayed batch leaves the database as it was.
 * What needs no database (grouping by trace, attribute hash sets, a new trace's summary) is planned
 * before the transaction, outside the write turn (span-write-plan.ts).
 */
export class SpanWriter {
  private readonly selectTraceRef: Database.Statement<[string], StoredTraceRow>;
  private readonly insertNewTrace: Database.Statement<[string, number, number, number, number, number, number, number], { id: number }>;
  private readonly newTraces: RowInserter;
  /** The traces the running transaction created (newTraces), their refs by trace id. */
  private createdRefs = new Map<string, number>();
  private readonly chunkRows: RowInserter;
  private readonly chunk = new ChunkBuilder();
  /** The ids the connection knows without asking the database: what a plan encodes chunks with before the transaction. */
  private readonly knownIds: ChunkIds;
  private readonly stored: StoredChunks;
  private readonly updateTrace: Database.Statement<[object], SummaryRow>;
  private readonly traceOps: PairInserter;
  private readonly attrSets: RowInserter;
  private readonly attrIndex: RowInserter;
  private readonly businessKeys: RowInserter;
  private readonly traceLinks: RowInserter;
  private readonly messageIds: RowInserter;
  private readonly writeBatch: Database.Transaction<(batch: SpanBatch, traces: PlannedTrace[], topology: TopologyRows) => void>;
  private readonly topology: TopologyWriter;
  private readonly orders: OrderRollupWriter;
  private readonly indexedNames: IndexedNames;
  private coverageSynced = false;
  /** The running transaction's new traces (their planned topology holds). */
  private created: CreatedTrace[] = [];
  /** The running transaction's traces that were stored before it, as planned (their planned topology does not hold)... */
  private storedPlans: PlannedTrace[] = [];
  /** ...and the spans it inserted into them, by trace (topology roll-ups are derived from these only). */
  private inserted: InsertedTraceSpans[] = [];
  /** The running transaction's traces that were stored before it (the order roll-up reads their order links). */
  private storedTraceIds: string[] = [];
  /** The refs of the running transaction's traces, by trace id. */
  private refs = new Map<string, number>();
  /** What the running transaction did to its traces' summaries (the order roll-up grows order facts from it). */
  private grown = new Map<string, SummaryRowGrowth>();

  /**
   * `indexedAttributes`: attribute names whose pairs go to the attribute index (see attribute-index.ts);
   * `orderRollup`: the business keys rolled up per minute (order-rollup-writer.ts).
   */
  constructor(
    private readonly edb: EmbeddedDatabase,
    indexedAttributes: readonly string[],
    orderRollup: OrderRollupSettings,
  ) {
    const db = edb.db;
    this.indexedNames = new IndexedNames(indexedAttributes);
    this.selectTraceRef = db.prepare('SELECT id, span_count, start_us, end_us, error_count, root_op_id FROM traces WHERE trace_id = ?');
    // a trace this write creates gets its whole summary at once (planned from its spans, which all go in)
    this.insertNewTrace = db.prepare(
      `INSERT INTO traces (trace_id, start_us, end_us, span_count, error_count, root_rank, root_start_us, root_op_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (trace_id) DO NOTHING RETURNING id`,
    );
    this.newTraces = new RowInserter(db, 'traces', TRACE_COLUMNS, ROWS_PER_STATEMENT, {
      onConflict: 'ON CONFLICT (trace_id) DO NOTHING',
      returning: 'id, trace_id',
      returned: (rows) => {
        for (const r of rows as { id: number; trace_id: string }[]) this.createdRefs.set(r.trace_id, r.id);
      },
    });
    this.chunkRows = new RowInserter(db, 'span_chunks', CHUNK_COLUMNS, CHUNK_ROWS_PER_STATEMENT, { values: CHUNK_VALUES });
    this.stored = new StoredChunks(db);
    const better = `(@rootRank < root_rank OR (@rootRank = root_rank AND @rootStartUs < root_start_us))`;
    this.updateTrace = db.prepare(
      `UPDATE traces SET
         start_us = min(start_us, @startUs),
         end_us = max(end_us, @endUs),
         span_count = span_count + @count,
         error_count = error_count + @errors,
         root_op_id = CASE WHEN ${better} THEN @rootOpId ELSE root_op_id END,
         root_start_us = CASE WHEN ${better} THEN @rootStartUs ELSE root_start_us END,
         root_rank = min(root_rank, @rootRank)
       WHERE id = @ref
       RETURNING start_us, end_us, error_count, root_op_id`,
    );
    this.traceOps = new PairInserter(db, 'trace_ops', 'trace_ref', 'op_id');
    this.attrSets = new RowInserter(db, 'trace_attr_sets', ['trace_ref', 'seq', 'hashes', 'indexed'], ROWS_PER_STATEMENT);
    this.attrIndex = new RowInserter(db, 'trace_attr_index', ['bucket', 'hash', 'trace_ref'], 64);
    // the earliest time of a (key, value, trace) stays
    this.businessKeys = new RowInserter(db, 'business_keys', ['key', 'value', 'trace_id', 'time_us'], ROWS_PER_STATEMENT, {
      onConflict: 'ON CONFLICT (key, value, trace_id) DO UPDATE SET time_us = excluded.time_us WHERE excluded.time_us < time_us',
    });
    this.traceLinks = new RowInserter(db, 'trace_links', ['from_trace_id', 'from_span_id', 'to_trace_id', 'to_span_id', 'kind', 'time_us'], ROWS_PER_STATEMENT);
    this.messageIds = new RowInserter(db, 'message_ids', ['message_id', 'side', 'trace_id', 'span_id', 'time_us'], ROWS_PER_STATEMENT);
    this.writeBatch = db.transaction((batch: SpanBatch, traces: PlannedTrace[], topology: TopologyRows) => this.writeInTransaction(batch, traces, topology));
    this.topology = new TopologyWriter(edb);
    this.orders = new OrderRollupWriter(edb, orderRollup);
    this.knownIds = { operationId: (service, name) => edb.knownOperationId(service, name), resourceId: (resource) => edb.knownResourceId(resource) };
  }

  write(batch: SpanBatch): void {
    const traces = planTraces(batch.spans, this.indexedNames, this.knownIds);
    const topology = planTopology(traces);
    try {
      // IMMEDIATE: take the write lock up front, so a second process waits (busy_timeout) instead of failing on upgrade
      this.edb.inWriteTurn(() => this.writeBatch.immediate(batch, traces, topology));
    } catch (err) {
      // ids interned inside the rolled-back transaction no longer exist
      this.edb.dropCaches();
      this.createdRefs = new Map();
      for (const rows of [this.newTraces, this.traceOps, this.attrSets, this.attrIndex, this.chunkRows, this.businessKeys, this.traceLinks, this.messageIds]) rows.reset();
      this.chunk.reset();
      this.coverageSynced = false;
      throw err;
    }
  }

  private writeInTransaction(batch: SpanBatch, traces: PlannedTrace[], topology: TopologyRows): void {
    if (!this.coverageSynced) {
      syncIndexCoverage(this.edb.db, this.indexedNames);
      this.coverageSynced = true;
    }
    this.created = [];
    this.storedPlans = [];
    this.inserted = [];
    this.storedTraceIds = [];
    this.refs = new Map();
    this.grown = new Map();
    this.stored.reset();
    const rootOpIds = this.createTraces(traces);
    for (let i = 0; i < traces.length; i++) this.writeTrace(traces[i], rootOpIds[i]);
    this.createdRefs = new Map();
    this.chunkRows.flush();
    this.traceOps.flush();
    this.attrSets.flush();
    this.attrIndex.flush();
    const planned = this.storedPlans.length > 0 ? new Map(traces.map((t) => [t.traceId, t])) : new Map<string, PlannedTrace>();
    const w = { planned, created: this.created, stored: this.storedPlans, inserted: this.inserted };
    this.topology.write(topology, w, (traceId) => this.refs.get(traceId) ?? this.selectTraceRef.get(traceId)?.id, this.stored);
    this.created = [];
    this.storedPlans = [];
    this.inserted = [];

    for (const k of batch.businessKeys) this.businessKeys.add(k.key, k.value, k.traceId, k.timeUs);
    for (const l of batch.traceLinks) this.traceLinks.add(l.fromTraceId, l.fromSpanId, l.toTraceId, l.toSpanId, l.kind, l.timeUs);
    for (const m of batch.messageIds) this.messageIds.add(m.messageId, m.side, m.traceId, m.spanId, m.timeUs);
    // the order roll-up reads the business keys back
    this.businessKeys.flush();
    this.traceLinks.flush();
    this.messageIds.flush();
    this.orders.write(batch, this.grown, this.storedTraceIds, (traceId) => this.refs.get(traceId));
    this.storedTraceIds = [];
    this.refs = new Map();
    this.grown = new Map();
  }

  /**
   * Creates the row of each trace not stored yet, with its whole summary, many rows a statement (the
   * refs of those created come back by trace id; a trace id that would not read back as written, with
   * a lone surrogate, goes alone). Returns each trace's root operation id.
   */
  private createTraces(traces: readonly PlannedTrace[]): number[] {
    const rootOpIds = new Array<number>(traces.length);
    for (let i = 0; i < traces.length; i++) {
      const { traceId, spans, summary } = traces[i];
      const root = spans[summary.root];
      const rootOpId = (rootOpIds[i] = traces[i].rootOpId ?? this.edb.operationId(root.service, root.name));
      const row = [traceId, summary.startUs, summary.endUs, spans.length, summary.errors, summary.rootRank, summary.startUsOfRoot, rootOpId] as const;
      if (SURROGATE.test(traceId)) {
        const created = this.insertNewTrace.get(...row);
        if (created !== undefined) this.createdRefs.set(traceId, created.id);
      } else this.newTraces.add(...row);
    }
    this.newTraces.flush();
    return rootOpIds;
  }

  /** Spans of one trace (from one batch). */
  private writeTrace(plan: PlannedTrace, rootOpId: number): void {
    const { traceId, summary } = plan;
    const createdRef = this.createdRefs.get(traceId);
    if (createdRef !== undefined) {
      this.refs.set(traceId, createdRef);
      this.writeNewTrace(plan, createdRef);
      this.grown.set(traceId, { before: undefined, after: { start_us: summary.startUs, end_us: summary.endUs, error_count: summary.errors, root_op_id: rootOpId } });
    } else {
      this.storedTraceIds.push(traceId);
      this.storedPlans.push(plan);
      const row = this.selectTraceRef.get(traceId)!;
      this.refs.set(traceId, row.id);
      this.addToStoredTrace(plan, row);
    }
  }

  /** A trace this write created: nothing of it is stored, so all its spans go in. */
  private writeNewTrace(plan: PlannedTrace, ref: number): void {
    const encoded = plan.encoded ?? this.encode(plan.spans);
    this.writeChunks(ref, 0, encoded.chunks);
    this.created.push({ traceRef: ref, waiting: plan.topology.waiting });
    for (const op of encoded.opIds) this.traceOps.add(ref, op);
    this.writeHashSets(ref, 0, plan.hashes);
  }

  /** Spans as chunk rows, in the transaction: ids the plan did not know are looked up (or made) now. */
  private encode(spans: readonly Span[]): EncodedSpans {
    return encodeSpans(spans, this.edb, this.chunk)!;
  }

  /** Chunk rows of the trace from chunk `ordinal` on. */
  private writeChunks(ref: number, ordinal: number, chunks: readonly EncodedChunk[]): void {
    for (const c of chunks) this.chunkRows.add(chunkKey(ref, ordinal++), c.spanIds, c.facts, c.spans);
  }

  /**
   * A stored trace: the spans not stored yet go in, and the summary grows by them. A trace that has
   * MAX_CHUNKS_PER_TRACE chunks takes no more spans.
   */
  private addToStoredTrace(plan: PlannedTrace, trace: StoredTraceRow): void {
    const ref = trace.id;
    const stored = this.stored.ofTrace(ref);
    if (stored.nextOrdinal + Math.ceil(plan.spans.length / SPAN_CHUNK_MAX) > MAX_CHUNKS_PER_TRACE) return;
    const d: TraceDelta = {
      startUs: MAX_SAFE,
      endUs: -MAX_SAFE,
      count: 0,
      errors: 0,
      rootRank: 2,
      rootStartUs: MAX_SAFE,
      rootOpId: 0,
    };
    const inserted: InsertedTraceSpans = { traceRef: ref, existed: trace.span_count > 0, spans: [] };
    for (let i = 0; i < plan.spans.length; i++) {
      const span = plan.spans[i];
      if (stored.chunkOf.has(span.spanId)) continue;
      inserted.spans.push(span);
      const opId = this.edb.operationId(span.service, span.name);

      const endUs = span.startUs + span.durationUs;
      if (span.startUs < d.startUs) d.startUs = span.startUs;
      if (endUs > d.endUs) d.endUs = endUs;
      const rootRank = rootRankOf(span);
      if (rootRank < d.rootRank || (rootRank === d.rootRank && span.startUs < d.rootStartUs)) {
        d.rootRank = rootRank;
        d.rootStartUs = span.startUs;
        d.rootOpId = opId;
      }
      d.count++;
      if (statusToInt(span.status.code) === STATUS_ERROR) d.errors++;
    }

    if (d.count === 0) return;
    // the planned sets and chunks hold every span: right only when none of them was stored already
    const all = d.count === plan.spans.length;
    const encoded = (all && plan.encoded) || this.encode(inserted.spans);
    this.writeChunks(ref, stored.nextOrdinal, encoded.chunks);
    this.inserted.push(inserted);
    const after = this.updateTrace.get({ ref, ...d })!;
    this.grown.set(plan.traceId, { before: trace.span_count > 0 ? trace : undefined, after });
    for (const op of encoded.opIds) this.traceOps.add(ref, op);
    this.writeHashSets(ref, trace.span_count, all ? plan.hashes : hashSetsOf(inserted.spans, this.indexedNames));
  }

  /** The trace's attribute set for the spans from `seq` on, and its index rows. */
  private writeHashSets(ref: number, seq: number, hashes: TraceHashSets): void {
    if (hashes.all === null) return;
    this.attrSets.add(ref, seq, hashes.all, hashes.indexed);
    if (hashes.indexed === null) return;
    const bucket = indexBucket(ref);
    for (const h of decodeHashSet(hashes.indexed)) {
      const at = this.attrIndex.begin();
      this.attrIndex.params[at] = bucket;
      this.attrIndex.params[at + 1] = h;
      this.attrIndex.params[at + 2] = ref;
      this.attrIndex.end();
    }
  }
}

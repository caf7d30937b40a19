import type Database from 'better-sqlite3';
import type { Span } from '../../core/model';
import type { SpanBatch } from '../../core/contracts/span-store';
import { IndexedNames, indexBucket, PairHashes, syncIndexCoverage } from './attribute-index';
import { decodeHashSet, encodeHashSet, kindToInt, STATUS_ERROR, statusToInt } from './codec';
import type { EmbeddedDatabase } from './database';
import { PairInserter } from './pair-inserter';
import { RowInserter, type SqlValue } from './row-inserter';
import { TopologyWriter, type InsertedTraceSpans } from './topology-writer';

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

/** Columns of a span row, in the order both insert paths bind them. */
const SPAN_COLUMNS = [
  'trace_ref', 'span_id', 'parent_span_id', 'op_id', 'kind', 'start_us', 'duration_us',
  'status_code', 'status_message', 'attributes', 'resource_id', 'events', 'links', 'scope_name', 'scope_version',
] as const;

/**
 * Writes a SpanBatch in one transaction. Every derived row (summary, trace
 * operations, attribute hashes and index) is computed only from spans whose INSERT OR
 * IGNORE reported a change, so a replayed batch leaves the database as it was.
 */
export class SpanWriter {
  private readonly selectTraceRef: Database.Statement<[string], { id: number; span_count: number }>;
  private readonly insertTrace: Database.Statement<[string], { id: number; span_count: number }>;
  private readonly insertSpan: Database.Statement;
  /** Spans of traces created by this write: nothing of theirs is stored yet, so they go in many rows per statement. */
  private readonly newSpanRows: RowInserter;
  private readonly oneSpanRow: SqlValue[] = new Array(SPAN_COLUMNS.length).fill(null);
  private readonly updateTrace: Database.Statement;
  private readonly traceOps: PairInserter;
  private readonly insertAttrSet: Database.Statement;
  private readonly attrIndex: RowInserter;
  private readonly upsertBusinessKey: Database.Statement;
  private readonly insertTraceLink: Database.Statement;
  private readonly insertMessageId: Database.Statement;
  private readonly resourceHashes = new Map<number, PairHashes>();
  private readonly writeBatch: Database.Transaction<(batch: SpanBatch) => void>;
  private readonly topology: TopologyWriter;
  private readonly indexedNames: IndexedNames;
  private coverageSynced = false;
  /** Spans inserted by the running transaction, by trace (topology roll-ups are derived from these only). */
  private inserted: InsertedTraceSpans[] = [];

  /** `indexedAttributes`: attribute names whose pairs go to the attribute index (see attribute-index.ts). */
  constructor(
    private readonly edb: EmbeddedDatabase,
    indexedAttributes: readonly string[] = [],
  ) {
    const db = edb.db;
    this.indexedNames = new IndexedNames(indexedAttributes);
    this.selectTraceRef = db.prepare('SELECT id, span_count FROM traces WHERE trace_id = ?');
    // an empty summary (root_rank 2 = no span yet) that the first inserted spans fill in
    this.insertTrace = db.prepare(
      `INSERT INTO traces (trace_id, start_us, end_us, span_count, error_count, root_rank, root_start_us, root_op_id)
       VALUES (?, ${MAX_SAFE}, ${-MAX_SAFE}, 0, 0, 2, ${MAX_SAFE}, 0) RETURNING id, span_count`,
    );
    this.insertSpan = db.prepare(
      `INSERT OR IGNORE INTO spans (${SPAN_COLUMNS.join(', ')}) VALUES (${SPAN_COLUMNS.map(() => '?').join(', ')})`,
    );
    this.newSpanRows = new RowInserter(db, 'spans', SPAN_COLUMNS, 32);
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
       WHERE id = @ref`,
    );
    this.traceOps = new PairInserter(db, 'trace_ops', 'trace_ref', 'op_id');
    this.insertAttrSet = db.prepare('INSERT INTO trace_attr_sets (trace_ref, seq, hashes, indexed) VALUES (?, ?, ?, ?)');
    this.attrIndex = new RowInserter(db, 'trace_attr_index', ['bucket', 'hash', 'trace_ref'], 64);
    this.upsertBusinessKey = db.prepare(
      `INSERT INTO business_keys (key, value, trace_id, time_us) VALUES (?, ?, ?, ?)
       ON CONFLICT (key, value, trace_id) DO UPDATE SET time_us = excluded.time_us
       WHERE excluded.time_us < time_us`,
    );
    this.insertTraceLink = db.prepare(
      `INSERT OR IGNORE INTO trace_links (from_trace_id, from_span_id, to_trace_id, to_span_id, kind, time_us)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.insertMessageId = db.prepare(
      'INSERT OR IGNORE INTO message_ids (message_id, side, trace_id, span_id, time_us) VALUES (?, ?, ?, ?, ?)',
    );
    this.writeBatch = db.transaction((batch: SpanBatch) => this.writeInTransaction(batch));
    this.topology = new TopologyWriter(edb);
  }

  write(batch: SpanBatch): void {
    try {
      // IMMEDIATE: take the write lock up front, so a second process waits (busy_timeout) instead of failing on upgrade
      this.edb.inWriteTurn(() => this.writeBatch.immediate(batch));
    } catch (err) {
      // ids interned inside the rolled-back transaction no longer exist
      this.edb.dropCaches();
      this.resourceHashes.clear();
      this.traceOps.reset();
      this.attrIndex.reset();
      this.newSpanRows.reset();
      this.coverageSynced = false;
      throw err;
    }
  }

  private writeInTransaction(batch: SpanBatch): void {
    if (!this.coverageSynced) {
      syncIndexCoverage(this.edb.db, this.indexedNames);
      this.coverageSynced = true;
    }
    this.inserted = [];
    for (const spans of groupByTrace(batch.spans)) this.writeTrace(spans);
    this.newSpanRows.flush();
    this.traceOps.flush();
    this.attrIndex.flush();
    this.topology.write(batch.spans, this.inserted, (traceId) => this.selectTraceRef.get(traceId)?.id);
    this.inserted = [];

    for (const k of batch.businessKeys) this.upsertBusinessKey.run(k.key, k.value, k.traceId, k.timeUs);
    for (const l of batch.traceLinks) {
      this.insertTraceLink.run(l.fromTraceId, l.fromSpanId, l.toTraceId, l.toSpanId, l.kind, l.timeUs);
    }
    for (const m of batch.messageIds) this.insertMessageId.run(m.messageId, m.side, m.traceId, m.spanId, m.timeUs);
  }

  /** Spans of one trace (from one batch). */
  private writeTrace(spans: Span[]): void {
    const traceId = spans[0].traceId;
    const stored = this.selectTraceRef.get(traceId);
    const trace = (stored ?? this.insertTrace.get(traceId))!;
    // a trace created just now has no stored span: only a span id repeated in this batch is a duplicate (the first wins)
    const newIds = stored === undefined ? new Set<string>() : null;
    const ref = trace.id;
    const d: TraceDelta = {
      startUs: MAX_SAFE,
      endUs: -MAX_SAFE,
      count: 0,
      errors: 0,
      rootRank: 2,
      rootStartUs: MAX_SAFE,
      rootOpId: 0,
    };
    const ops = new Set<number>();
    const hashes = new PairHashes(this.indexedNames);
    const inserted: InsertedTraceSpans = { traceRef: ref, existed: trace.span_count > 0, spans: [] };

    let lastResourceId = -1;
    for (const span of spans) {
      const opId = this.edb.operationId(span.service, span.name);
      const resourceId = this.edb.resourceId(span.resource);
      const statusCode = statusToInt(span.status.code);
      if (newIds !== null) {
        if (newIds.has(span.spanId)) continue;
        newIds.add(span.spanId);
        spanRow(this.newSpanRows.params, this.newSpanRows.begin(), ref, span, opId, statusCode, resourceId);
        this.newSpanRows.end();
      } else {
        spanRow(this.oneSpanRow, 0, ref, span, opId, statusCode, resourceId);
        if (this.insertSpan.run(this.oneSpanRow).changes === 0) continue;
      }
      inserted.spans.push(span);

      const endUs = span.startUs + span.durationUs;
      if (span.startUs < d.startUs) d.startUs = span.startUs;
      if (endUs > d.endUs) d.endUs = endUs;
      const rootRank = span.parentSpanId === '' ? 0 : 1;
      if (rootRank < d.rootRank || (rootRank === d.rootRank && span.startUs < d.rootStartUs)) {
        d.rootRank = rootRank;
        d.rootStartUs = span.startUs;
        d.rootOpId = opId;
      }
      d.count++;
      if (statusCode === STATUS_ERROR) d.errors++;
      ops.add(opId);
      hashes.addAttributes(span.attributes);
      // like Jaeger's tag search: event attributes count too
      for (const event of span.events) hashes.addAttributes(event.attributes);
      // a resource is usually shared by every span of a trace: add its hashes once
      if (resourceId !== lastResourceId) {
        hashes.addAll(this.hashesOfResource(resourceId, span));
        lastResourceId = resourceId;
      }
    }

    if (d.count === 0) return;
    this.inserted.push(inserted);
    this.updateTrace.run({ ref, ...d });
    for (const op of ops) this.traceOps.add(ref, op);
    if (hashes.all.length === 0) return;
    const indexed = hashes.indexed.length ? encodeHashSet(hashes.indexed) : null;
    this.insertAttrSet.run(ref, trace.span_count, encodeHashSet(hashes.all), indexed);
    if (indexed === null) return;
    const bucket = indexBucket(ref);
    for (const h of decodeHashSet(indexed)) {
      const at = this.attrIndex.begin();
      this.attrIndex.params[at] = bucket;
      this.attrIndex.params[at + 1] = h;
      this.attrIndex.params[at + 2] = ref;
      this.attrIndex.end();
    }
  }

  private hashesOfResource(resourceId: number, span: Span): PairHashes {
    let hashes = this.resourceHashes.get(resourceId);
    if (hashes === undefined) {
      hashes = new PairHashes(this.indexedNames);
      hashes.addAttributes(span.resource);
      if (this.resourceHashes.size >= 10_000) this.resourceHashes.clear();
      this.resourceHashes.set(resourceId, hashes);
    }
    return hashes;
  }
}

/** Writes the values of a span row (SPAN_COLUMNS) to `into` from `at`. */
function spanRow(into: SqlValue[], at: number, ref: number, span: Span, opId: number, statusCode: number, resourceId: number): void {
  into[at] = ref;
  into[at + 1] = span.spanId;
  into[at + 2] = span.parentSpanId;
  into[at + 3] = opId;
  into[at + 4] = kindToInt(span.kind);
  into[at + 5] = span.startUs;
  into[at + 6] = span.durationUs;
  into[at + 7] = statusCode;
  into[at + 8] = span.status.message;
  into[at + 9] = JSON.stringify(span.attributes);
  into[at + 10] = resourceId;
  into[at + 11] = span.events.length ? JSON.stringify(span.events) : null;
  into[at + 12] = span.links.length ? JSON.stringify(span.links) : null;
  into[at + 13] = span.scope.name;
  into[at + 14] = span.scope.version;
}

/** Spans grouped by trace id, groups in order of first appearance. */
function groupByTrace(spans: Span[]): Span[][] {
  const groups = new Map<string, Span[]>();
  for (const span of spans) {
    const g = groups.get(span.traceId);
    if (g === undefined) groups.set(span.traceId, [span]);
    else g.push(span);
  }
  return [...groups.values()];
}

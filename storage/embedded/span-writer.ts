import type Database from 'better-sqlite3';
import type { Span } from '../../core/model';
import type { SpanBatch } from '../../core/contracts/span-store';
import { attributeHash, attributeText, kindToInt, STATUS_ERROR, statusToInt } from './codec';
import type { EmbeddedDatabase } from './database';
import { PairInserter } from './pair-inserter';

/** What the spans of one trace that were really inserted in this batch add to its summary. */
interface TraceDelta {
  startUs: number;
  endUs: number;
  count: number;
  errors: number;
  rootRank: number;
  rootStartUs: number;
  rootOpId: number;
  ops: Set<number>;
  attrHashes: Set<number>;
}

/**
 * Writes a SpanBatch in one transaction. Every derived row (summary, trace
 * operations, attribute hashes) is computed only from spans whose INSERT OR
 * IGNORE reported a change, so a replayed batch leaves the database as it was.
 */
export class SpanWriter {
  private readonly insertSpan: Database.Statement;
  private readonly upsertTrace: Database.Statement;
  private readonly traceOps: PairInserter;
  private readonly traceAttrs: PairInserter;
  private readonly upsertBusinessKey: Database.Statement;
  private readonly insertTraceLink: Database.Statement;
  private readonly insertMessageId: Database.Statement;
  private readonly resourceHashes = new Map<number, number[]>();
  private readonly writeBatch: (batch: SpanBatch) => void;

  constructor(private readonly edb: EmbeddedDatabase) {
    const db = edb.db;
    this.insertSpan = db.prepare(
      `INSERT OR IGNORE INTO spans (trace_id, span_id, parent_span_id, op_id, kind, start_us, duration_us,
         status_code, status_message, attributes, resource_id, events, links, scope_name, scope_version)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const better = `(excluded.root_rank < root_rank OR (excluded.root_rank = root_rank AND excluded.root_start_us < root_start_us))`;
    this.upsertTrace = db.prepare(
      `INSERT INTO traces (trace_id, start_us, end_us, span_count, error_count, root_rank, root_start_us, root_op_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (trace_id) DO UPDATE SET
         start_us = min(start_us, excluded.start_us),
         end_us = max(end_us, excluded.end_us),
         span_count = span_count + excluded.span_count,
         error_count = error_count + excluded.error_count,
         root_op_id = CASE WHEN ${better} THEN excluded.root_op_id ELSE root_op_id END,
         root_start_us = CASE WHEN ${better} THEN excluded.root_start_us ELSE root_start_us END,
         root_rank = min(root_rank, excluded.root_rank)
       RETURNING id`,
    );
    this.traceOps = new PairInserter(db, 'trace_ops', 'trace_ref', 'op_id');
    this.traceAttrs = new PairInserter(db, 'trace_attrs', 'trace_ref', 'hash');
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
  }

  write(batch: SpanBatch): void {
    try {
      this.writeBatch(batch);
    } catch (err) {
      // ids interned inside the rolled-back transaction no longer exist
      this.edb.dropCaches();
      this.resourceHashes.clear();
      this.traceOps.reset();
      this.traceAttrs.reset();
      throw err;
    }
  }

  private writeInTransaction(batch: SpanBatch): void {
    const deltas = new Map<string, TraceDelta>();
    for (const span of batch.spans) this.writeSpan(span, deltas);

    for (const [traceId, d] of deltas) {
      const row = this.upsertTrace.get(
        traceId, d.startUs, d.endUs, d.count, d.errors, d.rootRank, d.rootStartUs, d.rootOpId,
      ) as { id: number };
      const ref = row.id;
      for (const op of d.ops) this.traceOps.add(ref, op);
      for (const h of d.attrHashes) this.traceAttrs.add(ref, h);
    }
    this.traceOps.flush();
    this.traceAttrs.flush();

    for (const k of batch.businessKeys) this.upsertBusinessKey.run(k.key, k.value, k.traceId, k.timeUs);
    for (const l of batch.traceLinks) {
      this.insertTraceLink.run(l.fromTraceId, l.fromSpanId, l.toTraceId, l.toSpanId, l.kind, l.timeUs);
    }
    for (const m of batch.messageIds) this.insertMessageId.run(m.messageId, m.side, m.traceId, m.spanId, m.timeUs);
  }

  private writeSpan(span: Span, deltas: Map<string, TraceDelta>): void {
    const opId = this.edb.operationId(span.service, span.name);
    const resourceId = this.edb.resourceId(span.resource);
    const statusCode = statusToInt(span.status.code);
    const info = this.insertSpan.run(
      span.traceId,
      span.spanId,
      span.parentSpanId,
      opId,
      kindToInt(span.kind),
      span.startUs,
      span.durationUs,
      statusCode,
      span.status.message,
      JSON.stringify(span.attributes),
      resourceId,
      span.events.length ? JSON.stringify(span.events) : null,
      span.links.length ? JSON.stringify(span.links) : null,
      span.scope.name,
      span.scope.version,
    );
    if (info.changes === 0) return;

    const endUs = span.startUs + span.durationUs;
    const rootRank = span.parentSpanId === '' ? 0 : 1;
    let d = deltas.get(span.traceId);
    if (d === undefined) {
      d = {
        startUs: span.startUs,
        endUs,
        count: 0,
        errors: 0,
        rootRank,
        rootStartUs: span.startUs,
        rootOpId: opId,
        ops: new Set(),
        attrHashes: new Set(),
      };
      deltas.set(span.traceId, d);
    } else {
      if (span.startUs < d.startUs) d.startUs = span.startUs;
      if (endUs > d.endUs) d.endUs = endUs;
      if (rootRank < d.rootRank || (rootRank === d.rootRank && span.startUs < d.rootStartUs)) {
        d.rootRank = rootRank;
        d.rootStartUs = span.startUs;
        d.rootOpId = opId;
      }
    }
    d.count++;
    if (statusCode === STATUS_ERROR) d.errors++;
    d.ops.add(opId);

    const hashes = d.attrHashes;
    const attrs = span.attributes;
    for (const key in attrs) {
      const text = attributeText(attrs[key]);
      if (text !== undefined) hashes.add(attributeHash(key, text));
    }
    for (const h of this.hashesOfResource(resourceId, span)) hashes.add(h);
  }

  private hashesOfResource(resourceId: number, span: Span): number[] {
    let hashes = this.resourceHashes.get(resourceId);
    if (hashes === undefined) {
      hashes = [];
      for (const key in span.resource) {
        const text = attributeText(span.resource[key]);
        if (text !== undefined) hashes.push(attributeHash(key, text));
      }
      if (this.resourceHashes.size >= 10_000) this.resourceHashes.clear();
      this.resourceHashes.set(resourceId, hashes);
    }
    return hashes;
  }
}

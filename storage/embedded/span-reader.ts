import type Database from 'better-sqlite3';
import type { Attributes, Span, TimeWindow, TraceLinkEntry, TraceSummary } from '../../core/model';
import { checkLimit, checkTraceIds, SPAN_READ_LIMITS } from '../../core/contracts/read-limits';
import { firstInOrder } from '../../core/util/first-in-order';
import type { AttributeFilter, TraceQuery } from '../../core/contracts/span-store';
import { compareHits, spanConditions, traceDurationApplies, type TraceHit, type TraceSort } from '../../core/contracts/trace-search';
import { AttributeIndexCoverage, bucketList } from './attribute-index';
import { attributeHash, hashBytes } from './codec';
import { spanOf } from './span-chunk';
import { compareTuples, TraceChunkReader } from './trace-chunks';
import { TraceSummaryReader, type TraceRow } from './trace-summary';
import type { EmbeddedDatabase } from './database';
import { afterCursor, hasMatchingSpan, traceOrder, type SqlFilter } from './trace-query';
import { MatchingSpanReader } from './matching-spans';
import { PairCandidates } from './pair-candidates';

/** An attribute filter drives a search from the index when it matches fewer traces than this. */
export const INDEX_DRIVEN_MAX_TRACES = 1_000;

function addWhere(filter: SqlFilter, condition: string, param: unknown): SqlFilter {
  return { where: [...filter.where, condition], params: [...filter.params, param] };
}

interface LinkRow {
  from_trace_id: string;
  from_span_id: string;
  to_trace_id: string;
  to_span_id: string;
  kind: 'link' | 'message';
  time_us: number;
}

export class SpanReader {
  private readonly traceRef: Database.Statement<[string], { id: number }>;
  private readonly traceChunks: TraceChunkReader;
  private readonly summaries: TraceSummaryReader;
  private readonly matchingSpans: MatchingSpanReader;
  private readonly servicesStmt: Database.Statement<[number], { service: string }>;
  private readonly operationsStmt: Database.Statement<[string, number], { name: string }>;
  private readonly findQueries = new Map<string, Database.Statement>();
  private readonly keyedTraces = new Map<string, Database.Statement>();
  private readonly linksStmt: Database.Statement<[string, string, number], LinkRow>;
  private readonly messagePairsStmt: Database.Statement<[{ ids: string; cap: number }], LinkRow>;
  private readonly coverage: AttributeIndexCoverage;
  private readonly anyTraceBelow: Database.Statement<[number], { id: number }>;
  private readonly candidates: PairCandidates;
  private readonly refRange: Database.Statement<[], { lo: number | null; hi: number | null }>;
  private readonly keyedPair: Database.Statement<[string, string], { one: number }>;

  constructor(private readonly edb: EmbeddedDatabase) {
    const db = edb.db;
    this.traceRef = db.prepare('SELECT id FROM traces WHERE trace_id = ?');
    this.traceChunks = new TraceChunkReader(edb);
    this.summaries = new TraceSummaryReader(edb);
    this.matchingSpans = new MatchingSpanReader(edb);
    this.coverage = new AttributeIndexCoverage(db);
    this.anyTraceBelow = db.prepare('SELECT id FROM traces WHERE id < ? LIMIT 1');
    this.candidates = new PairCandidates(db);
    this.refRange = db.prepare('SELECT (SELECT min(id) FROM traces) AS lo, (SELECT max(id) FROM traces) AS hi');
    this.keyedPair = db.prepare('SELECT 1 AS one FROM business_keys WHERE key = ? AND value = ? LIMIT 1');
    this.servicesStmt = db.prepare('SELECT DISTINCT service FROM operations ORDER BY service LIMIT ?');
    this.operationsStmt = db.prepare('SELECT name FROM operations WHERE service = ? ORDER BY name LIMIT ?');
    this.linksStmt = db.prepare(
      `SELECT * FROM trace_links WHERE from_trace_id IN (SELECT value FROM json_each(?))
       UNION
       SELECT * FROM trace_links WHERE to_trace_id IN (SELECT value FROM json_each(?))
       LIMIT ?`,
    );
    // a pair touches the asked traces on its producer side or on its consumer side
    const pairColumns = `p.trace_id AS from_trace_id, p.span_id AS from_span_id,
              c.trace_id AS to_trace_id, c.span_id AS to_span_id, 'message' AS kind, p.time_us AS time_us`;
    this.messagePairsStmt = db.prepare(
      `SELECT ${pairColumns} FROM message_ids p
         JOIN message_ids c ON c.message_id = p.message_id AND c.side = 'consumer'
       WHERE p.side = 'producer' AND p.trace_id IN (SELECT value FROM json_each(@ids)) AND p.trace_id <> c.trace_id
       UNION
       SELECT ${pairColumns} FROM message_ids c
         JOIN message_ids p ON p.message_id = c.message_id AND p.side = 'producer'
       WHERE c.side = 'consumer' AND c.trace_id IN (SELECT value FROM json_each(@ids)) AND p.trace_id <> c.trace_id
       LIMIT @cap`,
    );
  }

  /** getTrace of each id (the file is local: one read per trace costs no round trip); unknown ids have no entry. */
  getTraces(traceIds: readonly string[]): Map<string, Span[]> {
    checkTraceIds('getTraces', traceIds, SPAN_READ_LIMITS.traceIdsPerRead);
    const byTrace = new Map<string, Span[]>();
    for (const id of new Set(traceIds)) {
      const spans = this.getTrace(id);
      if (spans.length > 0) byTrace.set(id, spans);
    }
    return byTrace;
  }

  /** The trace's spans by start time, then span id; at most SPAN_READ_LIMITS.spansPerTrace (the first in that order). */
  getTrace(traceId: string): Span[] {
    const trace = this.traceRef.get(traceId);
    if (!trace) return [];
    const tuples = firstInOrder(this.traceChunks.tuples(trace.id), SPAN_READ_LIMITS.spansPerTrace, compareTuples);
    const resources = new Map<number, Attributes>();
    const resourceOf = (id: number) => {
      let r = resources.get(id);
      if (r === undefined) {
        r = JSON.parse(this.edb.resourceJson(id)) as Attributes;
        resources.set(id, r);
      }
      return r;
    };
    return tuples.map((t) => spanOf(traceId, t, (id) => this.edb.operation(id), resourceOf));
  }

  /**
   * Filters on the trace summary, each attribute filter as "the trace carries the pair" (its hash
   * sets or its business keys). When the index holds an attribute filter's pair and few traces
   * carry it, those traces are the candidates (CROSS JOIN keeps SQLite from walking the window
   * instead), and only traces written before the index held the name are walked; otherwise the
   * window is walked in the sort's order, probing each trace. The answer is the same either way.
   */
  findTraces(query: TraceQuery): TraceHit[] {
    const limit = checkLimit(query.limit, SPAN_READ_LIMITS.findTraces);
    const sort = query.sort ?? 'newest';
    const rows = this.findTraceRows(query, sort, limit);
    const conditions = spanConditions(query);
    const pairs = query.attributes ?? [];
    return rows.map((r) => ({
      ...this.toSummary(r),
      matchingSpans: conditions ? this.matchingSpans.read(r.id, conditions) : this.matchingSpans.readCarrying(r.id, pairs),
    }));
  }

  private findTraceRows(query: TraceQuery, sort: TraceSort, limit: number): TraceRow[] {
    const attributes = query.attributes ?? [];
    const driver = this.indexDriver(attributes);
    if (driver === undefined) return this.selectTraces('traces t', [], this.traceFilter(query, attributes), sort, limit);
    // the candidates carry the driving pair: only the other filters are checked on them
    const rest = this.traceFilter(query, attributes.filter((f) => f !== driver.filter));
    // the refs the driver's read found (index and business keys, distinct), not read again
    const candidates = '(SELECT value AS ref FROM json_each(?)) c CROSS JOIN traces t ON t.id = c.ref';
    const covered = this.selectTraces(candidates, [driver.refs], addWhere(rest, 't.id >= ?', driver.since), sort, limit);
    if (driver.since <= 1 || this.anyTraceBelow.get(driver.since) === undefined) return covered;
    // traces written before the index held the name: walked, and merged into the first `limit` in sort order
    const older = this.selectTraces('traces t', [], addWhere(this.traceFilter(query, attributes), 't.id < ?', driver.since), sort, limit);
    const hit = (r: TraceRow) => ({ traceId: r.trace_id, startUs: r.start_us, durationUs: r.end_us - r.start_us });
    return [...covered, ...older].sort((a, b) => compareHits(sort, hit(a), hit(b))).slice(0, limit);
  }

  private selectTraces(from: string, fromParams: unknown[], filter: SqlFilter, sort: TraceSort, limit: number): TraceRow[] {
    const sql =
      `SELECT t.id, t.trace_id, t.start_us, t.end_us, t.span_count, t.error_count, t.root_op_id
       FROM ${from}` +
      (filter.where.length ? ` WHERE ${filter.where.join(' AND ')}` : '') +
      ` ${traceOrder(sort)} LIMIT ?`;
    return this.statement(this.findQueries, sql).all(...fromParams, ...filter.params, limit) as TraceRow[];
  }

  /** The conditions of a query on a trace `t`, with these attribute filters. */
  private traceFilter(query: TraceQuery, attributes: readonly AttributeFilter[]): SqlFilter {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.startUs !== undefined) {
      where.push('t.start_us >= ?');
      params.push(query.startUs);
    }
    if (query.endUs !== undefined) {
      where.push('t.start_us <= ?');
      params.push(query.endUs);
    }
    if (query.minDurationUs !== undefined && traceDurationApplies(query)) {
      where.push('t.end_us - t.start_us >= ?');
      params.push(query.minDurationUs);
    }
    if (query.maxDurationUs !== undefined && traceDurationApplies(query)) {
      where.push('t.end_us - t.start_us <= ?');
      params.push(query.maxDurationUs);
    }
    if (query.after !== undefined) {
      const after = afterCursor(query.sort ?? 'newest', query.after);
      where.push(...after.where);
      params.push(...after.params);
    }
    const conditions = spanConditions(query);
    if (conditions) {
      const spans = hasMatchingSpan(conditions);
      where.push(...spans.where);
      params.push(...spans.params);
    }
    for (const filter of attributes) {
      // instr() is a native byte search that rejects most sets cheaply; cs_has_hash()
      // confirms on aligned entries (a byte match could straddle two hashes)
      const hash = attributeHash(filter.key, filter.value);
      const inSets = 'EXISTS (SELECT 1 FROM trace_attr_sets a WHERE a.trace_ref = t.id AND instr(a.hashes, ?) > 0 AND cs_has_hash(a.hashes, ?))';
      params.push(hashBytes(hash), hash);
      // the business-key alternative only when some trace has the pair as a key (the walk stays as cheap as before)
      if (this.keyedPair.get(filter.key, filter.value) === undefined) {
        where.push(inSets);
      } else {
        where.push(`(${inSets} OR t.trace_id IN (SELECT trace_id FROM business_keys WHERE key = ? AND value = ?))`);
        params.push(filter.key, filter.value);
      }
    }
    return { where, params };
  }

  /**
   * The attribute filter to start from: of those whose pair the index holds, the one the fewest
   * traces carry, if fewer than INDEX_DRIVEN_MAX_TRACES (a pair most traces carry is found sooner
   * by walking the window newest first). Its traces are read here, once: `refs` (a JSON array) are
   * the search's candidates.
   */
  private indexDriver(filters: readonly AttributeFilter[]): { filter: AttributeFilter; since: number; refs: string } | undefined {
    let best: { filter: AttributeFilter; since: number; refs: string } | undefined;
    let bestCount = INDEX_DRIVEN_MAX_TRACES;
    const refs = this.refRange.get()!;
    for (const filter of filters) {
      const since = this.coverage.coveredFrom(filter.key, filter.value);
      if (since === undefined) continue;
      const buckets = bucketList(Math.max(since, refs.lo ?? since), Math.max(since, refs.hi ?? since));
      const found = this.candidates.read(buckets, filter.key, filter.value, bestCount);
      if (found !== undefined) {
        best = { filter, since, refs: JSON.stringify(found) };
        bestCount = found.length;
      }
    }
    return best;
  }

  private toSummary(r: TraceRow): TraceSummary {
    return this.summaries.summaryOf(r);
  }

  services(): string[] {
    return this.servicesStmt.all(SPAN_READ_LIMITS.services).map((r) => r.service);
  }

  operations(service: string): string[] {
    return this.operationsStmt.all(service, SPAN_READ_LIMITS.operationsPerService).map((r) => r.name);
  }

  tracesByBusinessKey(key: string, value: string, window: TimeWindow, limit: number): string[] {
    const n = checkLimit(limit, SPAN_READ_LIMITS.findTraces);
    const where = ['key = ?', 'value = ?'];
    const params: unknown[] = [key, value];
    if (window.startUs !== undefined) {
      where.push('time_us >= ?');
      params.push(window.startUs);
    }
    if (window.endUs !== undefined) {
      where.push('time_us <= ?');
      params.push(window.endUs);
    }
    params.push(n);
    const sql = `SELECT trace_id FROM business_keys WHERE ${where.join(' AND ')} ORDER BY time_us DESC, trace_id LIMIT ?`;
    return (this.statement(this.keyedTraces, sql).all(...params) as { trace_id: string }[]).map((r) => r.trace_id);
  }

  linkedTraces(traceIds: string[]): TraceLinkEntry[] {
    if (traceIds.length === 0) return [];
    checkTraceIds('linkedTraces', traceIds, SPAN_READ_LIMITS.linkedTraceIds);
    const ids = JSON.stringify(traceIds);
    const cap = SPAN_READ_LIMITS.linkedTraceRows;
    const seen = new Set<string>();
    const out: TraceLinkEntry[] = [];
    const add = (r: LinkRow) => {
      const k = `${r.from_trace_id}/${r.from_span_id}/${r.to_trace_id}/${r.to_span_id}/${r.kind}`;
      if (seen.has(k) || out.length >= cap) return;
      seen.add(k);
      out.push({
        fromTraceId: r.from_trace_id,
        fromSpanId: r.from_span_id,
        toTraceId: r.to_trace_id,
        toSpanId: r.to_span_id,
        kind: r.kind,
        timeUs: r.time_us,
      });
    };
    for (const r of this.linksStmt.all(ids, ids, cap)) add(r);
    for (const r of this.messagePairsStmt.all({ ids, cap })) add(r);
    return out;
  }

  private statement(cache: Map<string, Database.Statement>, sql: string): Database.Statement {
    let stmt = cache.get(sql);
    if (stmt === undefined) {
      stmt = this.edb.db.prepare(sql);
      if (cache.size > 200) cache.clear();
      cache.set(sql, stmt);
    }
    return stmt;
  }
}

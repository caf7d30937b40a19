import type Database from 'better-sqlite3';
import { attributeText, type AttributeFilter } from '../../core/contracts/span-store';
import { compareMatchingSpans, MAX_MATCHING_SPANS, type MatchingSpan, type SpanConditions } from '../../core/contracts/trace-search';
import type { Attributes } from '../../core/model';
import { intToStatus, STATUS_ERROR } from './codec';
import type { EmbeddedDatabase } from './database';
import { spanWhere } from './trace-query';

interface MatchingRow {
  span_id: string;
  op_id: number;
  start_us: number;
  duration_us: number;
  status_code: number;
}

/** Errors first, then longest, then by span id: the order a hit lists its matching spans in. */
const MATCHING_ORDER = `ORDER BY s.status_code = ${STATUS_ERROR} DESC, s.duration_us DESC, s.span_id`;

/**
 * The matching spans of a hit (at most MAX_MATCHING_SPANS), read from the hit's own span range:
 * those meeting the span-level conditions, or with only attribute filters, those whose span or
 * resource attributes carry one of the pairs. One statement per shape (which conditions, how many pairs).
 */
export class MatchingSpanReader {
  private readonly statements = new Map<string, Database.Statement>();
  private readonly traceResources: Database.Statement<[number], { resource_id: number }>;

  constructor(private readonly edb: EmbeddedDatabase) {
    this.traceResources = edb.db.prepare('SELECT DISTINCT resource_id FROM spans WHERE trace_ref = ?');
  }

  read(traceRef: number, c: SpanConditions): MatchingSpan[] {
    const filter = spanWhere(c);
    const sql =
      `SELECT s.span_id, s.op_id, s.start_us, s.duration_us, s.status_code FROM spans s WHERE s.trace_ref = ?` +
      filter.where.map((w) => ` AND ${w}`).join('') +
      ` ${MATCHING_ORDER} LIMIT ${MAX_MATCHING_SPANS}`;
    const rows = this.statement(sql).all(traceRef, ...filter.params) as MatchingRow[];
    return rows.map((r) => this.toMatchingSpan(r)).sort(compareMatchingSpans);
  }

  /**
   * Spans carrying one of the pairs. A native substring search on the attributes' JSON text picks
   * the candidates (the key followed by the value as a JSON string or literal); each is confirmed
   * on the parsed attributes by attributeText, in MATCHING_ORDER, until MAX_MATCHING_SPANS.
   */
  readCarrying(traceRef: number, pairs: readonly AttributeFilter[]): MatchingSpan[] {
    if (pairs.length === 0) return [];
    const resources = this.resourcesCarrying(traceRef, pairs);
    const needles = pairs.flatMap(jsonNeedles);
    const sql =
      `SELECT s.span_id, s.op_id, s.start_us, s.duration_us, s.status_code, s.attributes, s.resource_id FROM spans s WHERE s.trace_ref = ?` +
      ` AND (s.resource_id IN (SELECT value FROM json_each(?))${needles.map(() => ' OR instr(s.attributes, ?) > 0').join('')}) ${MATCHING_ORDER}`;
    const out: MatchingSpan[] = [];
    const rows = this.statement(sql).iterate(traceRef, JSON.stringify([...resources]), ...needles) as IterableIterator<MatchingRow & { attributes: string; resource_id: number }>;
    for (const r of rows) {
      if (resources.has(r.resource_id) || carries(JSON.parse(r.attributes) as Attributes, pairs)) out.push(this.toMatchingSpan(r));
      if (out.length === MAX_MATCHING_SPANS) break; // ends the iteration (and the statement)
    }
    return out.sort(compareMatchingSpans);
  }

  private resourcesCarrying(traceRef: number, pairs: readonly AttributeFilter[]): Set<number> {
    const out = new Set<number>();
    for (const { resource_id } of this.traceResources.all(traceRef)) {
      if (carries(JSON.parse(this.edb.resourceJson(resource_id)) as Attributes, pairs)) out.add(resource_id);
    }
    return out;
  }

  private toMatchingSpan(r: MatchingRow): MatchingSpan {
    const op = this.edb.operation(r.op_id);
    return { spanId: r.span_id, service: op.service, name: op.name, startUs: r.start_us, durationUs: r.duration_us, status: intToStatus(r.status_code) };
  }

  private statement(sql: string): Database.Statement {
    let stmt = this.statements.get(sql);
    if (stmt === undefined) {
      stmt = this.edb.db.prepare(sql);
      this.statements.set(sql, stmt); // bounded: condition shapes x at most 32 needles
    }
    return stmt;
  }
}

function carries(attributes: Attributes, pairs: readonly AttributeFilter[]): boolean {
  return pairs.some((p) => Object.prototype.hasOwnProperty.call(attributes, p.key) && attributeText(attributes[p.key]) === p.value);
}

/**
 * What `"key":value` looks like in attributes stored as JSON.stringify text: the value as a JSON
 * string, and when the text reads as a number or boolean (the filter compares text), as that literal.
 */
function jsonNeedles(pair: AttributeFilter): string[] {
  const key = `${JSON.stringify(pair.key)}:`;
  const out = [key + JSON.stringify(pair.value)];
  if (pair.value === 'true' || pair.value === 'false' || (pair.value.trim() !== '' && Number.isFinite(Number(pair.value)))) out.push(key + pair.value);
  return out;
}

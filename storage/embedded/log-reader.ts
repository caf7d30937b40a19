import type Database from 'better-sqlite3';
import type { LogQuery, LogSearchResult } from '../../core/contracts/log-store';
import type { Attributes, LogRecord } from '../../core/model';
import { buildFtsQuery, hasTextCriteria } from './fts-query';
import type { EmbeddedDatabase } from './database';
import { checkLimit } from './span-reader';

export const LOG_READ_LIMITS = {
  search: 10_000,
  /** `total` counts at most this many matches, then reports a lower bound. */
  countCap: 10_000,
  byTrace: 10_000,
  contextSide: 1_000,
} as const;

interface LogRow {
  rowid: number;
  id: string;
  time_us: number;
  observed_time_us: number;
  service: string;
  severity_text: string;
  severity_number: number;
  body: string;
  trace_id: string;
  span_id: string;
  attributes: string;
  resource_id: number;
  scope_name: string;
  scope_version: string;
}

const COLUMNS = 'l.rowid AS rowid, l.*';
const FTS_COUNT_SQL = 'SELECT count(*) AS n FROM (SELECT 1 FROM logs_fts WHERE logs_fts MATCH ? LIMIT ?)';
/** Up to this many text matches a search starts from the matches; above it, from the time index. */
const FTS_DRIVE_MAX = 2_000;

export class LogReader {
  private readonly statements = new Map<string, Database.Statement>();
  private readonly anchorStmt: Database.Statement<[string], { rowid: number; time_us: number; service: string }>;
  private readonly beforeStmt: Database.Statement<[string, number, number, number], LogRow>;
  private readonly afterStmt: Database.Statement<[string, number, number, number], LogRow>;

  constructor(private readonly edb: EmbeddedDatabase) {
    const db = edb.db;
    this.anchorStmt = db.prepare('SELECT rowid, time_us, service FROM logs WHERE id = ?');
    this.beforeStmt = db.prepare(
      `SELECT ${COLUMNS} FROM logs l WHERE l.service = ? AND (l.time_us, l.rowid) < (?, ?)
       ORDER BY l.time_us DESC, l.rowid DESC LIMIT ?`,
    );
    this.afterStmt = db.prepare(
      `SELECT ${COLUMNS} FROM logs l WHERE l.service = ? AND (l.time_us, l.rowid) >= (?, ?)
       ORDER BY l.time_us, l.rowid LIMIT ?`,
    );
  }

  search(query: LogQuery): LogSearchResult {
    const limit = checkLimit(query.limit, LOG_READ_LIMITS.search);
    const cap = LOG_READ_LIMITS.countCap;
    const where: string[] = [];
    const params: unknown[] = [];
    let ftsMatches = -1;
    if (hasTextCriteria(query.text)) {
      const match = buildFtsQuery(query.text);
      if (match === null) return { total: 0, logs: [] };
      // counting in the FTS index alone is cheap and picks the plan below
      ftsMatches = (this.statement(FTS_COUNT_SQL).get(match, cap + 1) as { n: number }).n;
      if (ftsMatches === 0) return { total: 0, logs: [] };
      where.push('l.rowid IN (SELECT rowid FROM logs_fts WHERE logs_fts MATCH ?)');
      params.push(match);
    }
    const textOnly = where.length;
    if (query.service !== undefined) {
      where.push('l.service = ?');
      params.push(query.service);
    }
    if (query.severity !== undefined) {
      where.push('l.severity_text = ? COLLATE NOCASE');
      params.push(query.severity);
    }
    if (query.traceId) {
      // the trace index is partial (trace_id <> ''); say so for the planner
      where.push("l.trace_id = ? AND l.trace_id <> ''");
      params.push(query.traceId);
    }
    if (query.spanId) {
      where.push('l.span_id = ?');
      params.push(query.spanId);
    }
    if (query.startUs !== undefined) {
      where.push('l.time_us >= ?');
      params.push(query.startUs);
    }
    if (query.endUs !== undefined) {
      where.push('l.time_us <= ?');
      params.push(query.endUs);
    }
    const whereSql = where.length ? ` WHERE ${where.join(' AND ')}` : '';
    const order = 'ORDER BY l.time_us DESC, l.rowid DESC';

    let rowsSql: string;
    if (ftsMatches > FTS_DRIVE_MAX && !query.traceId) {
      // Many text matches: walk the time index newest-first and probe the
      // match set, stopping at `limit`, instead of sorting every match.
      const index = query.service !== undefined ? 'logs_service_time' : 'logs_time';
      rowsSql = `SELECT ${COLUMNS} FROM logs l INDEXED BY ${index}${whereSql} ${order} LIMIT ?`;
    } else if (ftsMatches >= 0) {
      // Few text matches: start from them, sort narrow (time, rowid) pairs, then fetch the rows.
      rowsSql =
        `SELECT ${COLUMNS} FROM logs l WHERE l.rowid IN ` +
        `(SELECT l.rowid FROM logs l${whereSql} ${order} LIMIT ?) ${order}`;
    } else {
      rowsSql = `SELECT ${COLUMNS} FROM logs l${whereSql} ${order} LIMIT ?`;
    }
    const rows = this.statement(rowsSql).all(...params, limit) as LogRow[];

    const counted =
      ftsMatches >= 0 && where.length === textOnly
        ? ftsMatches
        : (
            this.statement(`SELECT count(*) AS n FROM (SELECT 1 FROM logs l${whereSql} LIMIT ?)`).get(
              ...params,
              cap + 1,
            ) as { n: number }
          ).n;
    const resources = new Map<number, Attributes>();
    const result: LogSearchResult = {
      total: Math.min(counted, cap),
      logs: rows.map((r) => this.toLog(r, resources)),
    };
    if (counted > cap) result.totalIsLowerBound = true;
    return result;
  }

  byTrace(traceId: string, limit: number, spanId?: string): LogRecord[] {
    const n = checkLimit(limit, LOG_READ_LIMITS.byTrace);
    if (!traceId) return [];
    const rows = spanId
      ? (this.statement(
          `SELECT ${COLUMNS} FROM logs l WHERE l.trace_id = ? AND l.trace_id <> '' AND l.span_id = ?
           ORDER BY l.time_us, l.rowid LIMIT ?`,
        ).all(traceId, spanId, n) as LogRow[])
      : (this.statement(
          `SELECT ${COLUMNS} FROM logs l WHERE l.trace_id = ? AND l.trace_id <> ''
           ORDER BY l.time_us, l.rowid LIMIT ?`,
        ).all(traceId, n) as LogRow[]);
    const resources = new Map<number, Attributes>();
    return rows.map((r) => this.toLog(r, resources));
  }

  context(logId: string, before: number, after: number): LogRecord[] | null {
    const b = checkLimit(before, LOG_READ_LIMITS.contextSide);
    const a = checkLimit(after, LOG_READ_LIMITS.contextSide);
    const anchor = this.anchorStmt.get(logId);
    if (!anchor) return null;
    const older = this.beforeStmt.all(anchor.service, anchor.time_us, anchor.rowid, b).reverse();
    // the anchor itself is the first row at or after (time, rowid)
    const newer = this.afterStmt.all(anchor.service, anchor.time_us, anchor.rowid, a + 1);
    const resources = new Map<number, Attributes>();
    return [...older, ...newer].map((r) => this.toLog(r, resources));
  }

  private toLog(r: LogRow, resources: Map<number, Attributes>): LogRecord {
    let resource = resources.get(r.resource_id);
    if (resource === undefined) {
      resource = JSON.parse(this.edb.resourceJson(r.resource_id)) as Attributes;
      resources.set(r.resource_id, resource);
    }
    return {
      id: r.id,
      timeUs: r.time_us,
      observedTimeUs: r.observed_time_us,
      service: r.service,
      severityText: r.severity_text,
      severityNumber: r.severity_number,
      body: r.body,
      traceId: r.trace_id,
      spanId: r.span_id,
      attributes: JSON.parse(r.attributes) as Attributes,
      resource,
      scope: { name: r.scope_name, version: r.scope_version },
    };
  }

  private statement(sql: string): Database.Statement {
    let stmt = this.statements.get(sql);
    if (stmt === undefined) {
      stmt = this.edb.db.prepare(sql);
      if (this.statements.size > 200) this.statements.clear();
      this.statements.set(sql, stmt);
    }
    return stmt;
  }
}

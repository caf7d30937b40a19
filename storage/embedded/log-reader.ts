import type Database from 'better-sqlite3';
import { checkInterval, foldHistogram } from '../../core/contracts/log-store';
import type { BurstLimits, FacetField, FacetValue, HistogramBucket, LogFilterQuery, LogQuery, LogSearchResult, ServiceBurst } from '../../core/contracts/log-store';
import { burstMessages, checkBurstLimits } from '../../core/contracts/log-bursts';
import { checkLimit, LOG_READ_LIMITS } from '../../core/contracts/read-limits';
import type { LogQlNode } from '../../core/logql/ast';
import type { Attributes, LogRecord } from '../../core/model';
import { buildFtsQuery, hasTextCriteria } from './fts-query';
import { JSON_SCALAR_TEXT, filterSql, ftsOfText, jsonPath } from './log-filter';
import type { EmbeddedDatabase } from './database';
import { searchBlocks } from './block-search';
import { LogBlockReader } from './log-blocks';
import { LOG_BY_ID_SQL, LOG_ROWS_OF_TRACE_SQL, logIdHash } from './log-ids';
import { MINUTE_US, answerableByMinutes, splitWindow } from './log-minutes';
import type { MinuteSplit } from './log-minutes';

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
/** Up to this many text matches a search starts from the matches and sorts them; above it, it streams them (block-search.ts). */
const FTS_DRIVE_MAX = 2_000;

export class LogReader {
  private readonly statements = new Map<string, Database.Statement>();
  private readonly blocks: LogBlockReader;
  private readonly anchorStmt: Database.Statement<[number, string], { rowid: number; time_us: number; service: string }>;
  private readonly beforeStmt: Database.Statement<[string, number, number, number], LogRow>;
  private readonly afterStmt: Database.Statement<[string, number, number, number], LogRow>;

  constructor(private readonly edb: EmbeddedDatabase) {
    const db = edb.db;
    this.blocks = new LogBlockReader(db);
    this.anchorStmt = db.prepare(LOG_BY_ID_SQL);
    this.beforeStmt = db.prepare(
      `SELECT ${COLUMNS} FROM logs l WHERE l.service = ? AND (l.time_us, l.rowid) < (?, ?)
       ORDER BY l.time_us DESC, l.rowid DESC LIMIT ?`,
    );
    this.afterStmt = db.prepare(
      `SELECT ${COLUMNS} FROM logs l WHERE l.service = ? AND (l.time_us, l.rowid) >= (?, ?)
       ORDER BY l.time_us, l.rowid LIMIT ?`,
    );
  }

  /**
   * WHERE conditions of a query (without cursor). Positive free text at the
   * top level (legacy `text` and words/phrases ANDed at the top of `filter`)
   * is merged into one FTS5 MATCH string, which drives the plan; anything
   * else becomes SQL via filterSql. null: the query cannot match.
   */
  private conditions(query: LogFilterQuery): { where: string[]; params: unknown[]; fts: string | null; textOnly: number } | null {
    const where: string[] = [];
    const params: unknown[] = [];
    const ftsParts: string[] = [];
    if (hasTextCriteria(query.text)) {
      const match = buildFtsQuery(query.text);
      if (match === null) return null;
      ftsParts.push(match);
    }
    const rest: LogQlNode[] = [];
    if (query.filter) {
      const top = query.filter.type === 'and' ? query.filter.children : [query.filter];
      for (const node of top) {
        if (node.type === 'text') {
          const match = ftsOfText(node);
          if (match === null) return null;
          ftsParts.push(match);
        } else {
          rest.push(node);
        }
      }
    }
    const fts = ftsParts.length ? ftsParts.join(' AND ') : null;
    if (fts !== null) {
      where.push('l.rowid IN (SELECT rowid FROM logs_fts WHERE logs_fts MATCH ?)');
      params.push(fts);
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
      where.push(LOG_ROWS_OF_TRACE_SQL);
      params.push(logIdHash(query.traceId), query.traceId);
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
    for (const node of rest) {
      const expr = filterSql(node);
      where.push(expr.sql);
      params.push(...expr.params);
    }
    return { where, params, fts, textOnly };
  }

  search(query: LogQuery): LogSearchResult {
    return this.page(query, true);
  }

  /** A search page; without `count`, `total` is only the page's length (no counting of every match). */
  private page(query: LogQuery, count: boolean): LogSearchResult {
    const limit = checkLimit(query.limit, LOG_READ_LIMITS.search);
    const cap = LOG_READ_LIMITS.countCap;
    const c = this.conditions(query);
    if (c === null) return { total: 0, logs: [] };
    const { where, params } = c;
    let ftsMatches = -1;
    if (c.fts !== null) {
      // counting in the FTS index alone is cheap and picks the plan below
      ftsMatches = (this.statement(FTS_COUNT_SQL).get(c.fts, cap + 1) as { n: number }).n;
      if (ftsMatches === 0) return { total: 0, logs: [] };
    }
    const asc = query.sort === 'time_asc';
    let rows: LogRow[];
    let counted: number;
    if (c.fts !== null && ftsMatches > FTS_DRIVE_MAX && !query.traceId && !query.spanId) {
      // Many text matches: stream them in rowid order and stop early (block-search.ts).
      const textOnly = where.length === c.textOnly;
      const found = searchBlocks((sql) => this.statement(sql), this.blocks.bounds(), {
        fts: c.fts,
        where: where.slice(c.textOnly),
        params: params.slice(1),
        asc,
        cursor: query.cursor,
        limit,
        countCap: textOnly || !count ? undefined : cap,
        startUs: query.startUs,
        endUs: query.endUs,
      });
      rows = this.rowsInOrder(found.rowids);
      counted = count ? (found.counted ?? ftsMatches) : rows.length;
    } else {
      rows = limit === 0 ? [] : this.sortedPage(where, params, query.cursor, asc, limit, ftsMatches >= 0);
      counted = !count ? rows.length : ftsMatches >= 0 && where.length === c.textOnly ? ftsMatches : this.countUpTo(query, cap + 1);
    }
    const resources = new Map<number, Attributes>();
    const result: LogSearchResult = {
      total: Math.min(counted, cap),
      logs: rows.map((r) => this.toLog(r, resources)),
    };
    if (counted > cap) result.totalIsLowerBound = true;
    if (limit > 0 && rows.length === limit) {
      const last = rows[rows.length - 1];
      result.nextCursor = { timeUs: last.time_us, id: last.id };
    }
    return result;
  }

  /**
   * One page in (time, id) order after the cursor. From text matches (few of
   * them): sort narrow (time, id) pairs, then fetch the rows; without text:
   * walk the time index.
   */
  private sortedPage(where: string[], params: unknown[], cursor: LogQuery['cursor'], asc: boolean, limit: number, fromMatches: boolean): LogRow[] {
    const rowWhere = [...where];
    const rowParams = [...params];
    if (cursor) {
      // (time, id) strictly after the cursor in sort order; the plain time bound lets the time index narrow first
      rowWhere.push(asc ? '(l.time_us >= ? AND (l.time_us > ? OR l.id > ?))' : '(l.time_us <= ? AND (l.time_us < ? OR l.id < ?))');
      rowParams.push(cursor.timeUs, cursor.timeUs, cursor.id);
    }
    const whereSql = rowWhere.length ? ` WHERE ${rowWhere.join(' AND ')}` : '';
    const order = asc ? 'ORDER BY l.time_us, l.id' : 'ORDER BY l.time_us DESC, l.id DESC';
    const sql = fromMatches
      ? `SELECT ${COLUMNS} FROM logs l WHERE l.rowid IN (SELECT l.rowid FROM logs l${whereSql} ${order} LIMIT ?) ${order}`
      : `SELECT ${COLUMNS} FROM logs l${whereSql} ${order} LIMIT ?`;
    return this.statement(sql).all(...rowParams, limit) as LogRow[];
  }

  histogram(query: LogFilterQuery, intervalUs: number): HistogramBucket[] {
    checkInterval(intervalUs);
    // minute counts fit buckets that are whole minutes (bucket starts are multiples of the interval)
    const parts = this.windowParts(query, intervalUs % MINUTE_US === 0);
    return foldHistogram(parts.flatMap(([part, minutes]) => this.histogramRows(part, intervalUs, minutes)));
  }

  /** Facet order: count descending, ties in UTF-8 byte order, as SQLite (BINARY) and the search engines order them (JS `<` compares UTF-16 units). */
  private static byCountThenValue(a: FacetValue, b: FacetValue): number {
    return b.count - a.count || Buffer.compare(Buffer.from(a.value), Buffer.from(b.value));
  }

  facets(query: LogFilterQuery, field: FacetField, limit: number): FacetValue[] {
    const n = checkLimit(limit, LOG_READ_LIMITS.facets);
    if (n === 0) return [];
    const parts = this.windowParts(query, field.kind !== 'attribute');
    if (parts.length === 1 && parts[0][1] === undefined) return this.facetRows(query, field, n);
    const counts = new Map<string, number>();
    for (const [part, minutes] of parts) {
      for (const v of this.facetRows(part, field, undefined, minutes)) counts.set(v.value, (counts.get(v.value) ?? 0) + v.count);
    }
    return [...counts]
      .map(([value, count]) => ({ value, count }))
      .sort(LogReader.byCountThenValue)
      .slice(0, n);
  }

  /**
   * The top services' buckets from one grouped read by service, minute buckets and severity (from log_minutes
   * where it can, the window's partial minutes from the logs, as `histogram`), their counts and ranking from
   * those buckets (as `facets` ranks), then each service's newest records (as `search` pages them, uncounted).
   */
  bursts(query: LogFilterQuery, intervalUs: number, limits: BurstLimits): ServiceBurst[] {
    checkInterval(intervalUs);
    const { services, messages } = checkBurstLimits(limits);
    if (services === 0) return [];
    const rows = new Map<string, { t: number; sn: number; n: number }[]>();
    for (const [part, minutes] of this.windowParts(query, intervalUs % MINUTE_US === 0)) {
      for (const r of this.histogramRowsBy(part, intervalUs, minutes, true)) {
        const own = rows.get(r.s!);
        if (own) own.push(r);
        else rows.set(r.s!, [r]);
      }
    }
    const ranked = [...rows].map(([value, own]) => ({ value, count: own.reduce((n, r) => n + r.n, 0) })).sort(LogReader.byCountThenValue).slice(0, services);
    return ranked.map((f) => {
      const newest = messages === 0 ? [] : this.page({ ...query, service: f.value, limit: LOG_READ_LIMITS.burstSample }, false).logs;
      return { service: f.value, count: f.count, buckets: foldHistogram(rows.get(f.value)!), messages: burstMessages(newest, messages) };
    });
  }

  /** Matching rows, counted up to `max`. */
  private countUpTo(query: LogFilterQuery, max: number): number {
    let n = 0;
    for (const [part, minutes] of this.windowParts(query, true)) {
      const src = this.source(part, minutes);
      if (src === null) continue;
      const whereSql = src.where.length ? ` WHERE ${src.where.join(' AND ')}` : '';
      const sql = minutes
        ? `SELECT coalesce(sum(l.n), 0) AS n FROM ${src.from}${whereSql}`
        : `SELECT count(*) AS n FROM (SELECT 1 FROM ${src.from}${whereSql} LIMIT ?)`;
      n += (this.statement(sql).get(...src.params, ...(minutes ? [] : [max])) as { n: number }).n;
      if (n >= max) return max;
    }
    return n;
  }

  /**
   * How to read a query: when `minutesFit` and log_minutes can answer its
   * conditions, its whole minutes from there and each partial minute at the
   * window's ends from the logs; otherwise all of it from the logs.
   */
  private windowParts(query: LogFilterQuery, minutesFit: boolean): [LogFilterQuery, MinuteSplit | undefined][] {
    const split = minutesFit && answerableByMinutes(query) ? splitWindow(query.startUs, query.endUs) : null;
    if (split === null) return [[query, undefined]];
    return [[query, split], ...split.edges.map((edge): [LogFilterQuery, undefined] => [{ ...query, ...edge }, undefined])];
  }

  /**
   * Conditions of a query over `logs l`, or over `log_minutes l` for the whole
   * minutes of `minutes` (same column names; the window becomes minute bounds).
   */
  private source(query: LogFilterQuery, minutes?: MinuteSplit): { from: string; time: string; count: string; where: string[]; params: unknown[] } | null {
    if (!minutes) {
      const c = this.conditions(query);
      return c && { from: 'logs l', time: 'l.time_us', count: 'count(*)', where: c.where, params: c.params };
    }
    const c = this.conditions({ ...query, startUs: undefined, endUs: undefined });
    if (c === null) return null;
    return {
      from: 'log_minutes l',
      time: 'l.minute_us',
      count: 'sum(l.n)',
      where: [...c.where, 'l.minute_us >= ?', 'l.minute_us < ?'],
      params: [...c.params, minutes.fromUs, minutes.toUs],
    };
  }

  private histogramRows(query: LogFilterQuery, intervalUs: number, minutes?: MinuteSplit): { t: number; sn: number; n: number }[] {
    return this.histogramRowsBy(query, intervalUs, minutes, false);
  }

  /** (bucket, severity number, count) rows, oldest first; `byService`: per service too (`s`). */
  private histogramRowsBy(query: LogFilterQuery, intervalUs: number, minutes: MinuteSplit | undefined, byService: boolean): { s?: string; t: number; sn: number; n: number }[] {
    const src = this.source(query, minutes);
    if (src === null) return [];
    const whereSql = src.where.length ? ` WHERE ${src.where.join(' AND ')}` : '';
    const service = byService ? 'l.service AS s, ' : '';
    return this.statement(
      `SELECT ${service}(${src.time} - (${src.time} % ?)) AS t, l.severity_number AS sn, ${src.count} AS n FROM ${src.from}${whereSql} GROUP BY ${byService ? 's, ' : ''}t, sn ORDER BY t`,
    ).all(intervalUs, ...src.params) as { s?: string; t: number; sn: number; n: number }[];
  }

  /** Top values (at most `limit`; every value when undefined) of a field. */
  private facetRows(query: LogFilterQuery, field: FacetField, limit?: number, minutes?: MinuteSplit): FacetValue[] {
    const src = this.source(query, minutes);
    if (src === null) return [];
    const whereSql = (where: string[]) => (where.length ? ` WHERE ${where.join(' AND ')}` : '');
    const tail = ` GROUP BY 1 ORDER BY count DESC, value ASC${limit === undefined ? '' : ' LIMIT ?'}`;
    const limitParams = limit === undefined ? [] : [limit];
    const scalar = "j.type NOT IN ('object', 'array', 'null')";
    let sql: string;
    let params: unknown[];
    if (field.kind === 'service' || field.kind === 'severity') {
      sql = `SELECT l.${field.kind === 'service' ? 'service' : 'severity_text'} AS value, ${src.count} AS count FROM ${src.from}${whereSql(src.where)}${tail}`;
      params = [...src.params, ...limitParams];
    } else if (field.kind === 'attribute') {
      const path = jsonPath(field.name);
      sql = `SELECT ${JSON_SCALAR_TEXT} AS value, ${src.count} AS count FROM ${src.from}, json_each(l.attributes, ?) j${whereSql([...src.where, "json_type(l.attributes, ?) <> 'object'", scalar])}${tail}`;
      params = [path, ...src.params, path, ...limitParams];
    } else {
      // count per resource first, so each resource's JSON is read once, not once per row
      const path = jsonPath('host.name');
      sql =
        `SELECT ${JSON_SCALAR_TEXT} AS value, sum(g.n) AS count ` +
        `FROM (SELECT l.resource_id AS resource_id, ${src.count} AS n FROM ${src.from}${whereSql(src.where)} GROUP BY l.resource_id) g ` +
        `JOIN resources r ON r.id = g.resource_id, json_each(r.json, ?) j WHERE json_type(r.json, ?) <> 'object' AND ${scalar}${tail}`;
      params = [...src.params, path, path, ...limitParams];
    }
    return this.statement(sql).all(...params) as FacetValue[];
  }

  byTrace(traceId: string, limit: number, spanId?: string): LogRecord[] {
    const n = checkLimit(limit, LOG_READ_LIMITS.byTrace);
    if (!traceId) return [];
    const rows = spanId
      ? (this.statement(
          `SELECT ${COLUMNS} FROM logs l WHERE ${LOG_ROWS_OF_TRACE_SQL} AND l.span_id = ?
           ORDER BY l.time_us, l.rowid LIMIT ?`,
        ).all(logIdHash(traceId), traceId, spanId, n) as LogRow[])
      : (this.statement(
          `SELECT ${COLUMNS} FROM logs l WHERE ${LOG_ROWS_OF_TRACE_SQL}
           ORDER BY l.time_us, l.rowid LIMIT ?`,
        ).all(logIdHash(traceId), traceId, n) as LogRow[]);
    const resources = new Map<number, Attributes>();
    return rows.map((r) => this.toLog(r, resources));
  }

  context(logId: string, before: number, after: number): LogRecord[] | null {
    const b = checkLimit(before, LOG_READ_LIMITS.contextSide);
    const a = checkLimit(after, LOG_READ_LIMITS.contextSide);
    const anchor = this.anchorStmt.get(logIdHash(logId), logId);
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

  /** Full rows for `rowids`, in that order. */
  private rowsInOrder(rowids: number[]): LogRow[] {
    if (rowids.length === 0) return [];
    const rows = this.statement(`SELECT ${COLUMNS} FROM logs l WHERE l.rowid IN (SELECT value FROM json_each(?))`).all(
      JSON.stringify(rowids),
    ) as LogRow[];
    const byRowid = new Map(rows.map((r) => [r.rowid, r]));
    return rowids.map((id) => byRowid.get(id)).filter((r): r is LogRow => r !== undefined);
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

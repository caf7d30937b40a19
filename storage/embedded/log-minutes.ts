import type Database from 'better-sqlite3';
import type { LogFilterQuery } from '../../core/contracts/log-store';
import type { LogQlNode } from '../../core/logql/ast';
import { hasTextCriteria } from './fts-query';

/**
 * Per-minute log counts by service, severity and resource (`log_minutes`),
 * written with the logs. Histograms and facets of queries that only filter
 * on those (the log page's opening view, `level:error`, `service:(…)`, a
 * host) read the whole minutes inside their window from here and only the
 * partial minutes at its edges from the logs, instead of every row.
 *
 * The columns carry the names of the logs table's, so the SQL conditions
 * built for `logs l` (log-filter.ts) apply to `log_minutes l` unchanged.
 */
export const MINUTE_US = 60_000_000;

export function minuteOf(timeUs: number): number {
  return timeUs - (((timeUs % MINUTE_US) + MINUTE_US) % MINUTE_US);
}

/** The minute of a time column, as minuteOf computes it, in SQL. */
export function minuteOfSql(column: string): string {
  return `${column} - ((${column} % ${MINUTE_US}) + ${MINUTE_US}) % ${MINUTE_US}`;
}

/** Keeps log_minutes up to date inside the log write transaction. */
export class LogMinuteWriter {
  private readonly add: Database.Statement<[number]>;

  constructor(db: Database.Database) {
    this.add = db.prepare(
      `INSERT INTO log_minutes (minute_us, service, severity_text, severity_number, resource_id, n)
         SELECT ${minuteOfSql('time_us')}, service, severity_text, severity_number, resource_id, count(*)
         FROM logs WHERE rowid > ? GROUP BY 1, 2, 3, 4, 5
       ON CONFLICT (minute_us, service, severity_text, severity_number, resource_id) DO UPDATE SET n = n + excluded.n`,
    );
  }

  /** Counts the rows inserted after `rowid` (the rows this transaction added). */
  addRowsAfter(rowid: number): void {
    this.add.run(rowid);
  }
}

/** True for a filter made only of service, severity and host conditions. */
function onMinuteColumns(node: LogQlNode): boolean {
  switch (node.type) {
    case 'and':
    case 'or':
      return node.children.every(onMinuteColumns);
    case 'not':
      return onMinuteColumns(node.child);
    case 'match':
      return node.field.kind === 'service' || node.field.kind === 'severity' || node.field.kind === 'host';
    case 'range':
      return node.field.kind === 'severity';
    case 'text':
      return false;
  }
}

/** True when log_minutes can answer the query's conditions (apart from the window edges). */
export function answerableByMinutes(query: LogFilterQuery): boolean {
  if (hasTextCriteria(query.text) || query.traceId || query.spanId) return false;
  return query.filter === undefined || onMinuteColumns(query.filter);
}

export interface MinuteSplit {
  /** Whole minutes inside the window: minute_us in [fromUs, toUs). */
  fromUs: number;
  toUs: number;
  /** The partial minutes at the ends, as inclusive time windows to read from the logs. */
  edges: { startUs: number; endUs: number }[];
}

/** Splits [startUs, endUs] (either end open) into whole minutes and edges; null when no whole minute fits. */
export function splitWindow(startUs: number | undefined, endUs: number | undefined): MinuteSplit | null {
  const fromUs = startUs === undefined ? Number.MIN_SAFE_INTEGER : minuteOf(startUs + MINUTE_US - 1);
  const toUs = endUs === undefined ? Number.MAX_SAFE_INTEGER : minuteOf(endUs + 1);
  if (fromUs >= toUs) return null;
  const edges: { startUs: number; endUs: number }[] = [];
  if (startUs !== undefined && startUs < fromUs) edges.push({ startUs, endUs: fromUs - 1 });
  if (endUs !== undefined && toUs <= endUs) edges.push({ startUs: toUs, endUs });
  return { fromUs, toUs, edges };
}

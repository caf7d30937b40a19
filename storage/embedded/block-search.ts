import type Database from 'better-sqlite3';
import type { LogBlock } from './log-blocks';

/**
 * A text search with many matches, one rowid block at a time (see
 * log-blocks.ts): the FTS5 index is asked only for the matches inside the
 * block's rowid range, which it seeks to, so a search that needs the newest
 * 100 of 800,000 matches reads a few blocks instead of every match. Blocks
 * come newest first (oldest first for time_asc); the walk stops when it holds
 * `limit` rows that all sort before anything the next block can hold, and it
 * has counted past `countCap` (when asked to count).
 */
export interface BlockSearch {
  /** The FTS5 MATCH string. */
  fts: string;
  /** Other conditions over `logs l` (no cursor) and their parameters. */
  where: string[];
  params: unknown[];
  asc: boolean;
  cursor?: { timeUs: number; id: string };
  limit: number;
  /** Count matches up to countCap + 1; undefined: do not count. */
  countCap?: number;
}

export interface BlockSearchResult {
  /** Rowids of the page, in sort order. */
  rowids: number[];
  /** Matches counted (up to countCap + 1), when asked to count. */
  counted?: number;
}

interface Key {
  rowid: number;
  time_us: number;
  id: string;
}

type Prepare = (sql: string) => Database.Statement;

function compareKeys(asc: boolean): (a: Key, b: Key) => number {
  const sign = asc ? 1 : -1;
  return (a, b) => sign * (a.time_us - b.time_us || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** True when `key` comes strictly after the cursor in sort order. */
function afterCursor(key: Key, cursor: { timeUs: number; id: string }, asc: boolean): boolean {
  if (key.time_us !== cursor.timeUs) return asc ? key.time_us > cursor.timeUs : key.time_us < cursor.timeUs;
  return asc ? key.id > cursor.id : key.id < cursor.id;
}

/** True when no row of `block` can come after the cursor. */
function blockBeforeCursor(block: LogBlock, cursor: { timeUs: number } | undefined, asc: boolean): boolean {
  if (!cursor) return false;
  return asc ? block.maxTimeUs < cursor.timeUs : block.minTimeUs > cursor.timeUs;
}

/** True when every row of `block` sorts after `last`, so the page is settled. */
function blockAfter(block: LogBlock, last: Key, asc: boolean): boolean {
  return asc ? block.minTimeUs > last.time_us : block.maxTimeUs < last.time_us;
}

export function searchBlocks(prepare: Prepare, blocks: LogBlock[], q: BlockSearch): BlockSearchResult {
  const from = 'FROM logs_fts f CROSS JOIN logs l ON l.rowid = f.rowid WHERE logs_fts MATCH ? AND f.rowid BETWEEN ? AND ?';
  const rest = q.where.map((w) => ` AND ${w}`).join('');
  const keysStmt = prepare(`SELECT l.rowid AS rowid, l.time_us AS time_us, l.id AS id ${from}${rest}`);
  const countStmt = prepare(`SELECT count(*) AS n ${from}${rest}`);
  const compare = compareKeys(q.asc);
  let page: Key[] = [];
  let pageDone = q.limit === 0;
  let counted = 0;
  const counting = q.countCap !== undefined;
  const countDone = () => !counting || counted > (q.countCap as number);

  for (let i = 0; i < blocks.length && !(pageDone && countDone()); i++) {
    const block = blocks[i];
    const args = [q.fts, block.firstRowid, block.lastRowid, ...q.params];
    if (pageDone || blockBeforeCursor(block, q.cursor, q.asc)) {
      if (counting) counted += (countStmt.get(...args) as { n: number }).n;
      continue;
    }
    const keys = keysStmt.all(...args) as Key[];
    counted += keys.length;
    for (const key of keys) if (!q.cursor || afterCursor(key, q.cursor, q.asc)) page.push(key);
    if (page.length >= q.limit) {
      page.sort(compare);
      page.length = q.limit;
      const next = blocks[i + 1];
      pageDone = next === undefined || blockAfter(next, page[q.limit - 1], q.asc);
    }
  }
  page.sort(compare);
  page = page.slice(0, q.limit);
  const result: BlockSearchResult = { rowids: page.map((k) => k.rowid) };
  if (counting) result.counted = counted;
  return result;
}

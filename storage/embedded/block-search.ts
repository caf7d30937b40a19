import type Database from 'better-sqlite3';
import { blockOf } from './log-blocks';
import type { BlockBounds } from './log-blocks';

/**
 * A text search with many matches. FTS5 streams its matches in rowid order
 * cheaply, but it cannot seek to a rowid (a rowid bound is a linear skip)
 * and sorting every match by time costs in proportion to all of them. So
 * the matches are streamed in rowid order, newest rowids first for a
 * newest-first page, each joined to its row and filtered; whenever the
 * stream enters a new block (log-blocks.ts), every row of the blocks behind
 * it has been seen, and the block bounds tell whether any row still ahead
 * can sort before the page's last row. The stream stops once the page is
 * settled and the count (when asked for) has passed its cap, or once nothing
 * ahead can fall in the query's time window.
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
  startUs?: number;
  endUs?: number;
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

export function searchBlocks(prepare: Prepare, bounds: BlockBounds, q: BlockSearch): BlockSearchResult {
  const rest = q.where.map((w) => ` AND ${w}`).join('');
  const stream = prepare(
    'SELECT l.rowid AS rowid, l.time_us AS time_us, l.id AS id ' +
      `FROM logs_fts f CROSS JOIN logs l ON l.rowid = f.rowid WHERE logs_fts MATCH ?${rest} ORDER BY f.rowid ${q.asc ? 'ASC' : 'DESC'}`,
  );
  const compare = compareKeys(q.asc);
  /** The best time any row at or ahead of `block` in the stream can have. */
  const bestAhead = (block: number) => (q.asc ? bounds.earliestFrom(block) : bounds.latestUpTo(block));
  /** True when no row with time `t` can be in the window. */
  const pastWindow = (t: number) => (q.asc ? q.endUs !== undefined && t > q.endUs : q.startUs !== undefined && t < q.startUs);

  let page: Key[] = [];
  let pageDone = q.limit === 0;
  let counted = 0;
  const cap = q.countCap;
  let block = Number.NaN;
  for (const key of stream.iterate(q.fts, ...q.params) as IterableIterator<Key>) {
    const b = blockOf(key.rowid);
    if (b !== block) {
      block = b;
      const best = bestAhead(b);
      if (pastWindow(best)) break;
      if (!pageDone && page.length >= q.limit) {
        page.sort(compare);
        page.length = q.limit;
        const last = page[q.limit - 1];
        // strictly: a row at the same time may still sort before `last` by id
        pageDone = q.asc ? best > last.time_us : best < last.time_us;
      }
      if (pageDone && (cap === undefined || counted > cap)) break;
    }
    counted++;
    if (!pageDone && (!q.cursor || afterCursor(key, q.cursor, q.asc))) page.push(key);
  }
  page.sort(compare);
  page = page.slice(0, q.limit);
  const result: BlockSearchResult = { rowids: page.map((k) => k.rowid) };
  if (cap !== undefined) result.counted = counted;
  return result;
}

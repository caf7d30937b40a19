import type Database from 'better-sqlite3';

/**
 * A block-range index over the logs table: rows are grouped by rowid into
 * blocks of 2^LOG_BLOCK_SHIFT, and `log_blocks` keeps the earliest and latest
 * time of each block. Rowids follow arrival, and logs mostly arrive in time
 * order, so a time-ordered search can scan the text index one rowid range at
 * a time, newest block first, and stop as soon as no block left can hold a
 * row that sorts before what it has (see block-search.ts). Out-of-order
 * arrivals only make blocks wider, never the answer wrong.
 */
export const LOG_BLOCK_SHIFT = 12;
export const LOG_BLOCK_ROWS = 1 << LOG_BLOCK_SHIFT;

interface BlockRow {
  block: number;
  min_time_us: number;
  max_time_us: number;
}

/** Keeps log_blocks up to date inside the log write transaction. */
export class LogBlockWriter {
  private readonly widen: Database.Statement<[number]>;

  constructor(db: Database.Database) {
    this.widen = db.prepare(
      `INSERT INTO log_blocks (block, min_time_us, max_time_us)
         SELECT rowid >> ${LOG_BLOCK_SHIFT}, min(time_us), max(time_us) FROM logs WHERE rowid > ? GROUP BY 1
       ON CONFLICT (block) DO UPDATE SET
         min_time_us = min(min_time_us, excluded.min_time_us),
         max_time_us = max(max_time_us, excluded.max_time_us)`,
    );
  }

  /** Takes in the rows inserted after `rowid` (the rows this transaction added). */
  addRowsAfter(rowid: number): void {
    this.widen.run(rowid);
  }
}

/**
 * For each block, the latest time of it and every block below it, and the
 * earliest time of it and every block above it: what a search streaming the
 * text index in rowid order can still meet once it has entered a block.
 */
export interface BlockBounds {
  /** Latest time of any row with a rowid at or below the block's last one. */
  latestUpTo(block: number): number;
  /** Earliest time of any row with a rowid at or above the block's first one. */
  earliestFrom(block: number): number;
}

export function blockOf(rowid: number): number {
  return Math.floor(rowid / LOG_BLOCK_ROWS);
}

export class LogBlockReader {
  private readonly all: Database.Statement<[], BlockRow>;

  constructor(db: Database.Database) {
    this.all = db.prepare('SELECT block, min_time_us, max_time_us FROM log_blocks ORDER BY block');
  }

  bounds(): BlockBounds {
    const rows = this.all.all();
    const latest = new Map<number, number>();
    const earliest = new Map<number, number>();
    let max = -Infinity;
    for (const r of rows) latest.set(r.block, (max = Math.max(max, r.max_time_us)));
    let min = Infinity;
    for (let i = rows.length - 1; i >= 0; i--) earliest.set(rows[i].block, (min = Math.min(min, rows[i].min_time_us)));
    // a block with no row yet (none can be streamed) never asks; unknown blocks answer "anything"
    return {
      latestUpTo: (block) => latest.get(block) ?? Infinity,
      earliestFrom: (block) => earliest.get(block) ?? -Infinity,
    };
  }
}

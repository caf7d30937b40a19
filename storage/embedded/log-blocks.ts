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

export interface LogBlock {
  /** First and last rowid of the block. */
  firstRowid: number;
  lastRowid: number;
  minTimeUs: number;
  maxTimeUs: number;
}

interface BlockRow {
  block: number;
  min_time_us: number;
  max_time_us: number;
}

/** Keeps log_blocks up to date inside the log write transaction. */
export class LogBlockWriter {
  private readonly upsert: Database.Statement<[number, number, number]>;
  private readonly pending = new Map<number, { min: number; max: number }>();

  constructor(db: Database.Database) {
    this.upsert = db.prepare(
      `INSERT INTO log_blocks (block, min_time_us, max_time_us) VALUES (?, ?, ?)
       ON CONFLICT (block) DO UPDATE SET
         min_time_us = min(min_time_us, excluded.min_time_us),
         max_time_us = max(max_time_us, excluded.max_time_us)`,
    );
  }

  /** Starts a batch: forgets what a rolled-back batch noted. */
  begin(): void {
    this.pending.clear();
  }

  note(rowid: number, timeUs: number): void {
    const block = Math.floor(rowid / LOG_BLOCK_ROWS);
    const seen = this.pending.get(block);
    if (seen === undefined) this.pending.set(block, { min: timeUs, max: timeUs });
    else {
      if (timeUs < seen.min) seen.min = timeUs;
      if (timeUs > seen.max) seen.max = timeUs;
    }
  }

  /** Writes the noted blocks; call before the transaction commits. */
  flush(): void {
    for (const [block, { min, max }] of this.pending) this.upsert.run(block, min, max);
    this.pending.clear();
  }
}

/** Blocks that may hold rows in [startUs, endUs], in the order a search visits them. */
export class LogBlockReader {
  private readonly newestFirst: Database.Statement<[number, number], BlockRow>;
  private readonly oldestFirst: Database.Statement<[number, number], BlockRow>;

  constructor(db: Database.Database) {
    const where = 'WHERE max_time_us >= ? AND min_time_us <= ?';
    this.newestFirst = db.prepare(`SELECT * FROM log_blocks ${where} ORDER BY max_time_us DESC, block DESC`);
    this.oldestFirst = db.prepare(`SELECT * FROM log_blocks ${where} ORDER BY min_time_us ASC, block ASC`);
  }

  /** Newest-first orders by latest time (for time_desc), oldest-first by earliest time (for time_asc). */
  blocks(startUs: number | undefined, endUs: number | undefined, newestFirst: boolean): LogBlock[] {
    const stmt = newestFirst ? this.newestFirst : this.oldestFirst;
    return stmt.all(startUs ?? Number.MIN_SAFE_INTEGER, endUs ?? Number.MAX_SAFE_INTEGER).map((b) => ({
      firstRowid: b.block * LOG_BLOCK_ROWS,
      lastRowid: b.block * LOG_BLOCK_ROWS + LOG_BLOCK_ROWS - 1,
      minTimeUs: b.min_time_us,
      maxTimeUs: b.max_time_us,
    }));
  }
}

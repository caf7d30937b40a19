import type Database from 'better-sqlite3';
import { RowInserter } from './row-inserter';

/**
 * (a, b) rows for an `INSERT OR IGNORE INTO table (colA, colB)`, written
 * CHUNK at a time (see RowInserter): for these tiny rows the per-statement
 * cost dominates, and a multi-row insert is ~3x cheaper per row.
 */
export class PairInserter {
  static readonly CHUNK = 64;
  private readonly rows: RowInserter;

  constructor(db: Database.Database, table: string, colA: string, colB: string) {
    this.rows = new RowInserter(db, table, [colA, colB], PairInserter.CHUNK);
  }

  add(a: number | string, b: number | string): void {
    const at = this.rows.begin();
    this.rows.params[at] = a;
    this.rows.params[at + 1] = b;
    this.rows.end();
  }

  /** Writes what is buffered; call before the transaction commits. */
  flush(): void {
    this.rows.flush();
  }

  /** Forgets buffered rows (after a failed transaction). */
  reset(): void {
    this.rows.reset();
  }
}

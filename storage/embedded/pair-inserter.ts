import type Database from 'better-sqlite3';

/**
 * Buffers (a, b) rows for an `INSERT OR IGNORE INTO table (colA, colB)` and
 * writes them CHUNK at a time with one multi-row statement: for these tiny
 * rows the per-statement cost dominates, and a multi-row insert is ~3x
 * cheaper per row. A short last chunk is padded by repeating its last row,
 * which OR IGNORE turns into a no-op, so one prepared statement serves all.
 */
export class PairInserter {
  static readonly CHUNK = 64;
  private readonly stmt: Database.Statement;
  private readonly params: (number | string)[] = new Array(PairInserter.CHUNK * 2);
  private size = 0;

  constructor(db: Database.Database, table: string, colA: string, colB: string) {
    const values = new Array(PairInserter.CHUNK).fill('(?, ?)').join(', ');
    this.stmt = db.prepare(`INSERT OR IGNORE INTO ${table} (${colA}, ${colB}) VALUES ${values}`);
  }

  add(a: number | string, b: number | string): void {
    this.params[this.size * 2] = a;
    this.params[this.size * 2 + 1] = b;
    if (++this.size === PairInserter.CHUNK) this.write();
  }

  /** Writes what is buffered; call before the transaction commits. */
  flush(): void {
    if (this.size === 0) return;
    const lastA = this.params[this.size * 2 - 2];
    const lastB = this.params[this.size * 2 - 1];
    while (this.size < PairInserter.CHUNK) {
      this.params[this.size * 2] = lastA;
      this.params[this.size * 2 + 1] = lastB;
      this.size++;
    }
    this.write();
  }

  /** Forgets buffered rows (after a failed transaction). */
  reset(): void {
    this.size = 0;
  }

  private write(): void {
    this.stmt.run(this.params);
    this.size = 0;
  }
}

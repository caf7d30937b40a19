import type Database from 'better-sqlite3';

export type SqlValue = number | string | Buffer | null;

/** How a RowInserter writes a row. */
export interface RowInserterOptions {
  /** The SQL value of each column from its parameter (`?` when left out), e.g. `CAST(? AS TEXT)`. */
  values?: readonly string[];
  /**
   * An upsert clause (`ON CONFLICT (…) DO UPDATE SET …`) instead of OR IGNORE. The padding repeats
   * the last row, so the update must leave a row as it is when it meets the same row again.
   */
  onConflict?: string;
  /** A RETURNING clause's columns (`id, trace_id`): each statement hands the rows it really inserted (or upserted) to `returned`. */
  returning?: string;
  returned?: (rows: unknown[]) => void;
}

/**
 * Buffers rows for an `INSERT OR IGNORE INTO table (columns…)` and writes
 * `chunk` of them with one multi-row statement: the per-statement cost of a
 * run() (binding, stepping, resetting, crossing into native code) is paid
 * once per chunk instead of once per row. A short last chunk is padded by
 * repeating its last row, which OR IGNORE turns into a no-op, so one prepared
 * statement serves all. Rows are written in the order they were added, so
 * within one chunk the first of two equal keys wins, as with single inserts
 * (with `onConflict`, a later row meets the earlier one as single upserts would).
 *
 * Usage without allocating a row: `const at = rows.begin()`, write the row's
 * values to `rows.params[at]`, `rows.params[at + 1]`…, then `rows.end()`.
 */
export class RowInserter {
  readonly params: SqlValue[];
  private readonly stmt: Database.Statement;
  private readonly width: number;
  private readonly returned: ((rows: unknown[]) => void) | undefined;
  private size = 0;

  constructor(db: Database.Database, table: string, columns: readonly string[], private readonly chunk: number, options: RowInserterOptions = {}) {
    this.width = columns.length;
    this.params = new Array(chunk * this.width).fill(null);
    const row = `(${columns.map((_, i) => options.values?.[i] ?? '?').join(', ')})`;
    const rows = new Array(chunk).fill(row).join(', ');
    const returning = options.returning === undefined ? '' : ` RETURNING ${options.returning}`;
    this.stmt = db.prepare(
      options.onConflict === undefined
        ? `INSERT OR IGNORE INTO ${table} (${columns.join(', ')}) VALUES ${rows}${returning}`
        : `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${rows} ${options.onConflict}${returning}`,
    );
    this.returned = options.returned;
  }

  /** Offset in `params` of the next row's first value. */
  begin(): number {
    return this.size * this.width;
  }

  /** Adds a row of these values (begin, set, end). */
  add(...values: SqlValue[]): void {
    const at = this.begin();
    for (let i = 0; i < values.length; i++) this.params[at + i] = values[i];
    this.end();
  }

  /** The row at begin() is complete; writes the chunk when it is full. */
  end(): void {
    if (++this.size === this.chunk) this.write();
  }

  /** Writes what is buffered; call before the transaction commits (and before reading the rows back). */
  flush(): void {
    if (this.size === 0) return;
    const width = this.width;
    const last = (this.size - 1) * width;
    for (let at = this.size * width; at < this.chunk * width; at += width) {
      for (let i = 0; i < width; i++) this.params[at + i] = this.params[last + i];
    }
    this.write();
  }

  /** Forgets buffered rows (after a failed transaction). */
  reset(): void {
    this.size = 0;
  }

  private write(): void {
    if (this.returned) this.returned(this.stmt.all(this.params));
    else this.stmt.run(this.params);
    this.size = 0;
  }
}

import type Database from 'better-sqlite3';
import { attributeHash } from './codec';

/**
 * The traces an indexed (key, value) pair names, read once: the refs the
 * attribute index holds for its hash in the given buckets and those of the
 * traces with it as a business key. A search that starts from them joins
 * these refs to their traces, so the index is not read a second time to
 * count them first.
 */
export class PairCandidates {
  private readonly indexed: Database.Statement<[string, number, number], number>;
  private readonly keyed: Database.Statement<[string, string, number], number | null>;

  constructor(db: Database.Database) {
    this.indexed = db
      .prepare('SELECT trace_ref FROM trace_attr_index WHERE bucket IN (SELECT value FROM json_each(?)) AND hash = ? LIMIT ?')
      .pluck() as Database.Statement<[string, number, number], number>;
    // a key seen only in logs has no trace (NULL): it counts towards the bound as a row, as it did when counted
    this.keyed = db
      .prepare('SELECT (SELECT id FROM traces WHERE trace_id = b.trace_id) FROM business_keys b WHERE key = ? AND value = ? LIMIT ?')
      .pluck() as Database.Statement<[string, string, number], number | null>;
  }

  /**
   * The distinct trace refs carrying key = value (index rows in `buckets`, a JSON array, and business
   * keys), in no order; undefined when `below` rows or more name it (reading stops there).
   */
  read(buckets: string, key: string, value: string, below: number): number[] | undefined {
    const fromIndex = this.indexed.all(buckets, attributeHash(key, value), below);
    if (fromIndex.length >= below) return undefined;
    const fromKeys = this.keyed.all(key, value, below - fromIndex.length);
    if (fromIndex.length + fromKeys.length >= below) return undefined;
    const refs = new Set(fromIndex);
    for (const ref of fromKeys) if (ref !== null) refs.add(ref);
    return [...refs];
  }
}

import type Database from 'better-sqlite3';
import { attributeText } from '../../core/contracts/span-store';
import { attributeHash } from './codec';
import type { Attributes } from '../../core/model';

/**
 * The attribute index (trace_attr_index: hash of key and value -> trace ref)
 * and the rule for what it holds, shared by the writer and the reader so a
 * search only trusts the index for pairs the writer puts in it.
 *
 * Only the attribute names the writer is configured with are indexed (the
 * business keys and INDEXED_ATTRIBUTES; '*' = every name): indexing every
 * attribute of the bench's spans took 2.5x the write CPU per span. Not indexed either:
 * values longer than MAX_INDEXED_VALUE_LENGTH, and arrays, objects and null
 * (no text form, as in trace_attr_sets). A search for a pair the index does
 * not hold walks the window as before, and traces written before a name was
 * indexed (attr_index_keys.since_ref) are walked too, so answers never depend
 * on the index. Rows per trace are bounded by the attributes a span may carry.
 */
export const MAX_INDEXED_VALUE_LENGTH = 256;

/** Trace refs per index bucket: rows are keyed (bucket, hash, trace ref), so writes stay in the newest bucket. */
export const INDEX_BUCKET_TRACES = 8192;

export function indexBucket(traceRef: number): number {
  return Math.floor(traceRef / INDEX_BUCKET_TRACES);
}

/** The buckets holding trace refs from `fromRef` to `toRef`, as the JSON array a read probes. */
export function bucketList(fromRef: number, toRef: number): string {
  const out: number[] = [];
  for (let b = indexBucket(fromRef); b <= indexBucket(toRef); b++) out.push(b);
  return JSON.stringify(out);
}

/** The attribute names whose pairs a writer puts in the index. */
export class IndexedNames {
  private readonly all: boolean;
  private readonly names: ReadonlySet<string>;

  constructor(readonly list: readonly string[]) {
    this.all = list.includes('*');
    this.names = new Set(list);
  }

  holds(key: string, text: string): boolean {
    return text.length <= MAX_INDEXED_VALUE_LENGTH && (this.all || this.names.has(key));
  }
}

/** An attribute name's last pair in a batch (PairMemo): its value, hash, whether indexed, and the set that last took it. */
interface LastPair {
  value: unknown;
  hash: number;
  indexed: boolean;
  set: number;
}

/**
 * What the hash sets of one batch share: per attribute name, the last value
 * seen and its hash. Spans repeat most of their pairs (method, route, host,
 * the order id of the whole trace), so most pairs are neither put into text
 * nor hashed again, and a pair a set already holds is not added twice.
 * Bounded by the batch's distinct attribute names (kept for one batch).
 */
export class PairMemo {
  readonly last = new Map<string, LastPair>();
  private sets = 0;

  /** A number naming one set (PairHashes) among those sharing this memo. */
  nextSet(): number {
    return ++this.sets;
  }
}

/**
 * Collects the hashes of one trace's attribute pairs: all of them (for
 * trace_attr_sets) and the indexed ones. A pair may come more than once
 * (encodeHashSet keeps one); one equal to the last pair of its name this set
 * took is skipped.
 */
export class PairHashes {
  readonly all: number[] = [];
  readonly indexed: number[] = [];
  /** This set's number in `memo`. */
  readonly id: number;

  constructor(
    private readonly names: IndexedNames,
    private readonly memo = new PairMemo(),
  ) {
    this.id = memo.nextSet();
  }

  addAttributes(attributes: Attributes): void {
    const memo = this.memo.last;
    for (const key in attributes) {
      const value = attributes[key];
      let last = memo.get(key);
      // === on a string, number or boolean means the same text (0 and -0 both print "0"; NaN never matches)
      if (last !== undefined && last.value === value) {
        if (last.set === this.id) continue;
        last.set = this.id;
        this.all.push(last.hash);
        if (last.indexed) this.indexed.push(last.hash);
        continue;
      }
      const text = attributeText(value);
      if (text === undefined) continue;
      const hash = attributeHash(key, text);
      const indexed = this.names.holds(key, text);
      this.all.push(hash);
      if (indexed) this.indexed.push(hash);
      if (last === undefined) memo.set(key, (last = { value, hash, indexed, set: this.id }));
      else {
        last.value = value;
        last.hash = hash;
        last.indexed = indexed;
        last.set = this.id;
      }
    }
  }

  addAll(other: PairHashes): void {
    for (const h of other.all) this.all.push(h);
    for (const h of other.indexed) this.indexed.push(h);
  }
}

/**
 * Makes attr_index_keys say what this writer indexes: names it no longer
 * indexes are dropped, new ones are covered from the next trace ref on.
 * Called in the writer's first transaction (one writer configuration per file).
 */
export function syncIndexCoverage(db: Database.Database, names: IndexedNames): void {
  const listed = new Set(names.list);
  for (const { key } of db.prepare('SELECT key FROM attr_index_keys').all() as { key: string }[]) {
    if (!listed.has(key)) db.prepare('DELETE FROM attr_index_keys WHERE key = ?').run(key);
  }
  const add = db.prepare(
    'INSERT OR IGNORE INTO attr_index_keys (key, since_ref) SELECT ?, coalesce(max(id), 0) + 1 FROM traces',
  );
  for (const key of listed) add.run(key);
}

/** From which trace ref on the index holds a pair. */
export class AttributeIndexCoverage {
  private readonly sinceStmt: Database.Statement<[string], { since_ref: number }>;

  constructor(db: Database.Database) {
    this.sinceStmt = db.prepare(
      `SELECT min(since_ref) AS since_ref FROM attr_index_keys WHERE key IN (?, '*') HAVING count(*) > 0`,
    );
  }

  /** The first trace ref whose pairs key = value are all in the index; undefined when the index does not hold them. */
  coveredFrom(key: string, value: string): number | undefined {
    if (value.length > MAX_INDEXED_VALUE_LENGTH) return undefined;
    return this.sinceStmt.get(key)?.since_ref;
  }
}

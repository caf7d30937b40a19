import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import type { Attributes } from '../../core/model';
import { BackendUnavailableError, ChainscopeError } from '../../core/errors';
import { hashSetHas } from './codec';
import { syncCommits } from './commit-sync';
import { registerLogIdHash } from './log-ids';
import { MIGRATIONS, SCHEMA_VERSION } from './schema';
import { spanMatchFunction } from './span-match-function';
import { WalCheckpoints } from './wal-checkpoint';
import type { WriteTurn } from './write-turn';

export interface EmbeddedDatabaseOptions {
  /** Directory holding the database file; created when missing. */
  dataDir: string;
  /** File name inside dataDir (default 'chainscope.db'). */
  fileName?: string;
  /** Page size for a new database file (default 16384, suits the wide span rows); ignored for an existing one. */
  pageSize?: number;
  /** SQLite page cache in MiB (default 64). */
  cacheSizeMiB?: number;
  /** Memory-mapped I/O in MiB (default 256; 0 disables). */
  mmapSizeMiB?: number;
  /** How long a writer waits for a lock held by another connection (default 5000 ms). */
  busyTimeoutMs?: number;
  /**
   * Bytes the write-ahead log may hold before the writer checkpoints it (after
   * its write turn), and the size it is cut back to when it starts again
   * (default 16 MiB, DEFAULT_WAL_LIMIT_BYTES); past WAL_BOUND_FACTOR times this
   * the writer checkpoints in its turn (RESTART).
   */
  walLimitBytes?: number;
  /** Shared with the other threads that write this file through connections of their own (write-turn.ts). */
  writeTurn?: WriteTurn;
  /**
   * Whether a span or log write returns only once its commit is on disk
   * (commit-sync.ts), so it survives a power loss, not only kill -9. Default
   * true; off for throwaway files (benches of the store alone).
   */
  syncCommits?: boolean;
}

export const DEFAULT_WAL_LIMIT_BYTES = 16 * 1024 * 1024;

export interface Operation {
  service: string;
  name: string;
}

/** Caps on the JS-side interning caches; past them we fall back to SQL lookups. */
const MAX_CACHED_RESOURCES = 10_000;
const MAX_CACHED_OPERATIONS = 100_000;

/**
 * One SQLite file shared by the embedded span and log stores. Owns the
 * connection, the schema migrations and the interning of resources and
 * (service, span name) pairs. Reference-counted: the file is closed when the
 * last store using it shuts down.
 */
export class EmbeddedDatabase {
  readonly db: Database.Database;
  readonly file: string;
  private refs = 0;
  private closed = false;
  private readonly closeListeners: (() => void)[] = [];
  private readonly writeTurn: WriteTurn | undefined;
  private readonly syncCommits: boolean;
  private readonly checkpoints: WalCheckpoints;

  private resourceIdsByObject = new WeakMap<object, number>();
  private readonly resourceIdsByJson = new Map<string, number>();
  private readonly resourceJsonById = new Map<number, string>();
  /** Operation ids by service, then span name (no key string made per lookup). */
  private readonly opIdsByService = new Map<string, Map<string, number>>();
  private readonly opsById = new Map<number, Operation>();

  private readonly stmts: {
    findResource: Database.Statement<[string], { id: number }>;
    insertResource: Database.Statement<[string]>;
    resourceById: Database.Statement<[number], { json: string }>;
    findOp: Database.Statement<[string, string], { id: number }>;
    insertOp: Database.Statement<[string, string]>;
    opById: Database.Statement<[number], { service: string; name: string }>;
  };

  constructor(options: EmbeddedDatabaseOptions) {
    fs.mkdirSync(options.dataDir, { recursive: true });
    this.file = path.join(options.dataDir, options.fileName ?? 'chainscope.db');
    try {
      this.db = new Database(this.file);
    } catch (err) {
      throw new BackendUnavailableError(`cannot open embedded database ${this.file}: ${(err as Error).message}`, err);
    }
    this.writeTurn = options.writeTurn;
    this.syncCommits = options.syncCommits ?? true;
    const db = this.db;
    // Page size and auto-vacuum only take effect before the first table is created. INCREMENTAL
    // keeps a map of pages so retention can hand freed pages back to the file system in small
    // steps (incremental_vacuum); a file created without it is converted by retention (retention.ts).
    db.pragma(`page_size = ${options.pageSize ?? 16384}`);
    db.pragma('auto_vacuum = INCREMENTAL');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    db.pragma(`cache_size = ${-1024 * (options.cacheSizeMiB ?? 64)}`);
    db.pragma(`mmap_size = ${1024 * 1024 * (options.mmapSizeMiB ?? 256)}`);
    db.pragma('temp_store = MEMORY');
    // A bounded WAL: the writer checkpoints it once it holds walLimitBytes, after its write turn
    // (wal-checkpoint.ts; SQLite's own auto-checkpoint would run inside the committing transaction,
    // i.e. in the turn), and SQLite cuts the file back to that size when it starts it again
    // (without the limit the file keeps its largest size ever).
    const walLimitBytes = options.walLimitBytes ?? DEFAULT_WAL_LIMIT_BYTES;
    db.pragma('wal_autocheckpoint = 0');
    db.pragma(`journal_size_limit = ${walLimitBytes}`);
    this.checkpoints = new WalCheckpoints(db, this.file, walLimitBytes);
    registerLogIdHash(db);
    this.migrate();
    db.function('cs_has_hash', { deterministic: true, directOnly: true }, (set: unknown, hash: unknown) =>
      set instanceof Uint8Array && typeof hash === 'number' && hashSetHas(set, hash) ? 1 : 0,
    );
    db.function('cs_span_match', { deterministic: true, directOnly: true }, spanMatchFunction());

    this.stmts = {
      findResource: db.prepare('SELECT id FROM resources WHERE json = ?'),
      insertResource: db.prepare('INSERT INTO resources (json) VALUES (?)'),
      resourceById: db.prepare('SELECT json FROM resources WHERE id = ?'),
      findOp: db.prepare('SELECT id FROM operations WHERE service = ? AND name = ?'),
      insertOp: db.prepare('INSERT INTO operations (service, name) VALUES (?, ?)'),
      opById: db.prepare('SELECT service, name FROM operations WHERE id = ?'),
    };
    for (const row of db
      .prepare('SELECT id, service, name FROM operations LIMIT ?')
      .iterate(MAX_CACHED_OPERATIONS) as IterableIterator<{ id: number; service: string; name: string }>) {
      this.rememberOp(row.id, row.service, row.name);
    }
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /**
   * Runs a write transaction, in this thread's turn when other threads write
   * the file too; then, outside the turn, (syncCommits) waits until the commit
   * is on disk and checkpoints the WAL when it passed its limit (wal-checkpoint.ts).
   */
  inWriteTurn<T>(fn: () => T): T {
    const result = this.inTurn(fn);
    if (this.syncCommits) syncCommits(this.file);
    this.checkpoints.afterWrite((restart) => this.inTurn(restart));
    return result;
  }

  private inTurn<T>(fn: () => T): T {
    return this.writeTurn ? this.writeTurn.run(fn) : fn();
  }

  get schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  private migrate(): void {
    const current = this.db.pragma('user_version', { simple: true }) as number;
    if (current > SCHEMA_VERSION) {
      throw new ChainscopeError(
        `embedded database ${this.file} has schema version ${current}, newer than this build (${SCHEMA_VERSION})`,
      );
    }
    for (let v = current; v < SCHEMA_VERSION; v++) {
      this.db.transaction(() => {
        const migration = MIGRATIONS[v];
        if (typeof migration === 'string') this.db.exec(migration);
        else migration(this.db);
        this.db.pragma(`user_version = ${v + 1}`);
      })();
    }
  }

  acquire(): void {
    if (this.closed) throw closedError('embedded database');
    this.refs++;
  }

  /** Closes the file when the last holder lets go. */
  release(): void {
    if (this.closed) return;
    this.refs--;
    if (this.refs <= 0) this.close();
  }

  /** Runs `listener` when the file closes (components that live as long as the connection stop there). */
  onClose(listener: () => void): void {
    this.closeListeners.push(listener);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const listener of this.closeListeners.splice(0)) listener();
    // No PRAGMA optimize/ANALYZE: the queries are written for the planner's
    // defaults, and statistics could steer it to plans that were not measured.
    this.db.close();
  }

  /** Id of a resource attribute set, inserting it the first time. Call inside the write transaction. */
  resourceId(resource: Attributes): number {
    const byObject = this.resourceIdsByObject.get(resource);
    if (byObject !== undefined) return byObject;
    const json = JSON.stringify(resource);
    let id = this.resourceIdsByJson.get(json);
    if (id === undefined) {
      const row = this.stmts.findResource.get(json);
      id = row ? row.id : Number(this.stmts.insertResource.run(json).lastInsertRowid);
      if (this.resourceIdsByJson.size >= MAX_CACHED_RESOURCES) this.resourceIdsByJson.clear();
      this.resourceIdsByJson.set(json, id);
    }
    this.resourceIdsByObject.set(resource, id);
    return id;
  }

  /**
   * The id of a resource if this connection knows it already, without touching the database (a
   * write plans with it before its transaction); undefined when only resourceId() can tell.
   */
  knownResourceId(resource: Attributes): number | undefined {
    const byObject = this.resourceIdsByObject.get(resource);
    if (byObject !== undefined) return byObject;
    const id = this.resourceIdsByJson.get(JSON.stringify(resource));
    if (id !== undefined) this.resourceIdsByObject.set(resource, id);
    return id;
  }

  /** The id of an operation if this connection knows it already, without touching the database (see knownResourceId). */
  knownOperationId(service: string, name: string): number | undefined {
    return this.opIdsByService.get(service)?.get(name);
  }

  /** The JSON text of the resource attributes behind an id. */
  resourceJson(id: number): string {
    let r = this.resourceJsonById.get(id);
    if (r === undefined) {
      const row = this.stmts.resourceById.get(id);
      r = row ? row.json : '{}';
      if (this.resourceJsonById.size >= MAX_CACHED_RESOURCES) this.resourceJsonById.clear();
      this.resourceJsonById.set(id, r);
    }
    return r;
  }

  /** Id of a (service, span name) pair, inserting it the first time; `isNew` when inserted now. */
  operationId(service: string, name: string): number {
    let id = this.opIdsByService.get(service)?.get(name);
    if (id !== undefined) return id;
    const row = this.stmts.findOp.get(service, name);
    id = row ? row.id : Number(this.stmts.insertOp.run(service, name).lastInsertRowid);
    this.rememberOp(id, service, name);
    return id;
  }

  operation(id: number): Operation {
    let op = this.opsById.get(id);
    if (op === undefined) {
      const row = this.stmts.opById.get(id);
      op = row ? { service: row.service, name: row.name } : { service: '', name: '' };
      this.rememberOp(id, op.service, op.name);
    }
    return op;
  }

  /**
   * Forgets interned ids learned inside a transaction that rolled back, so a
   * retried batch does not reuse an id that was never committed.
   */
  dropCaches(): void {
    this.resourceIdsByJson.clear();
    this.resourceJsonById.clear();
    this.opIdsByService.clear();
    this.opsById.clear();
    // WeakMap has no clear(); objects seen in the failed batch may still map to stale ids.
    this.resourceIdsByObject = new WeakMap();
  }

  private rememberOp(id: number, service: string, name: string): void {
    // opsById holds one entry per cached (service, name): its size bounds both
    if (this.opsById.size >= MAX_CACHED_OPERATIONS) {
      this.opIdsByService.clear();
      this.opsById.clear();
    }
    let byName = this.opIdsByService.get(service);
    if (byName === undefined) this.opIdsByService.set(service, (byName = new Map()));
    byName.set(name, id);
    this.opsById.set(id, { service, name });
  }
}

export function closedError(what: string): BackendUnavailableError {
  return new BackendUnavailableError(`${what} is shut down`);
}

/** Maps a SQLite failure to a domain error: lock/IO trouble is retriable, the rest is not. */
export function storageError(what: string, err: unknown): Error {
  if (err instanceof ChainscopeError) return err;
  const code = (err as { code?: string }).code ?? '';
  const message = `${what}: ${(err as Error).message ?? String(err)}`;
  if (/^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|PROTOCOL)/.test(code)) {
    return new BackendUnavailableError(message, err);
  }
  return new ChainscopeError(message, false);
}

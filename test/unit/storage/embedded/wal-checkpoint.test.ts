import fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { openEmbeddedStores, type EmbeddedStores } from '../../../../storage/embedded';
import { WAL_BOUND_FACTOR, checkpointMode } from '../../../../storage/embedded/wal-checkpoint';
import { WriteTurn } from '../../../../storage/embedded/write-turn';
import { makeTrace, spanBatch } from '../../../contract/fixtures';

const LIMIT = 1024 * 1024;

/** The checkpoint pragmas a connection ran, each with whether a thread held the write turn at that moment. */
function watchCheckpoints(stores: EmbeddedStores, turn: SharedArrayBuffer): { mode: string; turnHeld: boolean }[] {
  const seen: { mode: string; turnHeld: boolean }[] = [];
  const db = stores.database.db;
  const pragma = db.pragma.bind(db);
  jest.spyOn(db, 'pragma').mockImplementation(((source: string, options?: Database.PragmaOptions) => {
    const m = /^wal_checkpoint\((\w+)\)$/.exec(source);
    if (m) seen.push({ mode: m[1], turnHeld: Atomics.load(new Int32Array(turn), 0) !== 0 });
    return pragma(source, options);
  }) as typeof db.pragma);
  return seen;
}

const walBytes = (stores: EmbeddedStores) => fs.statSync(`${stores.database.file}-wal`, { throwIfNoEntry: false })?.size ?? 0;

/** Writes traces of `spans` spans until the WAL file has passed `bytes`; returns how many writes it took. */
async function writeUntilWal(stores: EmbeddedStores, bytes: number): Promise<number> {
  let writes = 0;
  while (walBytes(stores) <= bytes) {
    await stores.spans.writeSpans(spanBatch(makeTrace({ spans: 400 })));
    if (++writes > 500) throw new Error(`the WAL stayed at ${walBytes(stores)} bytes`);
  }
  return writes;
}

/** Two small writes: the first checkpoints what creating the file left in the WAL, the second starts the WAL again. */
async function settle(stores: EmbeddedStores): Promise<void> {
  for (let i = 0; i < 2; i++) await stores.spans.writeSpans(spanBatch(makeTrace({ spans: 5 })));
  expect(walBytes(stores)).toBeLessThanOrEqual(LIMIT);
}

describe('WAL checkpoints', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-wal-checkpoint-'));
  });
  afterEach(() => {
    jest.restoreAllMocks();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('none up to the limit, PASSIVE past it, RESTART past the bound', () => {
    expect(checkpointMode(0, LIMIT)).toBe('none');
    expect(checkpointMode(LIMIT, LIMIT)).toBe('none');
    expect(checkpointMode(LIMIT + 1, LIMIT)).toBe('passive');
    expect(checkpointMode(WAL_BOUND_FACTOR * LIMIT, LIMIT)).toBe('passive');
    expect(checkpointMode(WAL_BOUND_FACTOR * LIMIT + 1, LIMIT)).toBe('restart');
  });

  it('a write that takes the WAL past its limit checkpoints it after the write turn, not inside its commit', async () => {
    const turn = WriteTurn.shared();
    const stores = openEmbeddedStores({ dataDir, walLimitBytes: LIMIT, writeTurn: new WriteTurn(turn) });
    expect(stores.database.db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    await settle(stores);
    const seen = watchCheckpoints(stores, turn);
    const dbBefore = fs.statSync(stores.database.file).size;
    await writeUntilWal(stores, LIMIT);
    // the write that passed the limit copied the WAL into the database file, with the turn free
    expect(seen).toEqual([{ mode: 'PASSIVE', turnHeld: false }]);
    expect(fs.statSync(stores.database.file).size).toBeGreaterThan(dbBefore);
    const [{ log, checkpointed }] = stores.database.db.prepare('PRAGMA wal_checkpoint(PASSIVE)').all() as { log: number; checkpointed: number }[];
    expect(checkpointed).toBe(log);
    // the next write starts the file again and cuts it back to the limit
    await stores.spans.writeSpans(spanBatch(makeTrace({ spans: 5 })));
    expect(walBytes(stores)).toBeLessThanOrEqual(LIMIT);
    await stores.spans.shutdown();
    await stores.logs.shutdown();
  });

  it('a WAL a reader kept from starting again grows to the bound at most: then the writer checkpoints it in its turn (RESTART)', async () => {
    const turn = WriteTurn.shared();
    const stores = openEmbeddedStores({ dataDir, walLimitBytes: LIMIT, writeTurn: new WriteTurn(turn) });
    await settle(stores);
    // a reader in a transaction pins the WAL: a checkpoint cannot empty it while the reader reads it
    const reader = new Database(stores.database.file, { readonly: true });
    reader.exec('BEGIN');
    reader.prepare('SELECT count(*) FROM traces').get();
    const seen = watchCheckpoints(stores, turn);
    await writeUntilWal(stores, WAL_BOUND_FACTOR * LIMIT);
    expect(seen.filter((c) => c.mode === 'PASSIVE').every((c) => !c.turnHeld)).toBe(true);
    expect(seen.at(-1)).toEqual({ mode: 'RESTART', turnHeld: true });
    reader.exec('COMMIT');
    reader.close();
    // the reader gone, the next write past the bound restarts it, and the one after starts the file again, cut back to the limit
    await stores.spans.writeSpans(spanBatch(makeTrace({ spans: 5 })));
    expect(seen.at(-1)).toEqual({ mode: 'RESTART', turnHeld: true });
    await stores.spans.writeSpans(spanBatch(makeTrace({ spans: 5 })));
    expect(walBytes(stores)).toBeLessThanOrEqual(LIMIT);
    await stores.spans.shutdown();
    await stores.logs.shutdown();
  });
});

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import type { LogQuery } from '../../../../core/contracts/log-store';
import { parseLogQuery } from '../../../../core/logql';
import type { LogRecord } from '../../../../core/model';
import { logRecordId } from '../../../../core/log-id';
import { openEmbeddedStores } from '../../../../storage/embedded';
import type { EmbeddedLogStore } from '../../../../storage/embedded';
import { LOG_BLOCK_ROWS } from '../../../../storage/embedded/log-blocks';
import { LogDeleter } from '../../../../storage/embedded/log-deleter';
import { LOG_ROWS_OF_TRACE_SQL, logIdHash } from '../../../../storage/embedded/log-ids';
import { SCHEMA_VERSION } from '../../../../storage/embedded/schema';
import { makeLog, newTraceId } from '../../../contract/fixtures';
import { rollBackTo } from '../../../helpers/embedded-rollback';

/**
 * The logs table is unique by (time, id), and a record is found by its id
 * alone through log_ids (a hash per block of rowids). These check what that
 * changes underneath the contract suite: the lookup across blocks, replays,
 * retention keeping log_ids exact, and migration 12 carrying a file over.
 */
const BASE_US = 1_700_000_000_000_000;
const SERVICES = ['checkout', 'stock'];

/** Records whose ids are content hashes, as every decoder makes them; in time order with a few out of order. */
function corpus(n: number, traceId: string): LogRecord[] {
  const logs: LogRecord[] = [];
  for (let i = 0; i < n; i++) {
    const service = SERVICES[i % SERVICES.length];
    const late = i % 97 === 0 ? -5_000_000 : 0;
    const record = makeLog({
      service,
      timeUs: BASE_US + i * 1_000 + late,
      body: `order ORD-${i % 50} step ${i} ${i % 3 === 0 ? 'failed' : 'done'}`,
      severityText: i % 3 === 0 ? 'ERROR' : 'INFO',
      severityNumber: i % 3 === 0 ? 17 : 9,
      traceId: i % 10 === 0 ? traceId : '',
      attributes: { step: i },
      resource: { 'service.name': service, 'host.name': `h${i % 2}` },
    });
    logs.push({ ...record, id: logRecordId(record) });
  }
  return logs;
}

const QUERIES: LogQuery[] = [
  { limit: 30 },
  { limit: 30, sort: 'time_asc' },
  { text: { terms: ['failed'], phrases: [] }, limit: 40 },
  { filter: parseLogQuery('order AND service:stock'), limit: 25, sort: 'time_asc' },
  { filter: parseLogQuery('"ORD-7" OR level:error'), limit: 25, startUs: BASE_US + 1_000_000, endUs: BASE_US + 4_000_000 },
  { service: 'checkout', limit: 50 },
];

describe('embedded logs by (time, id), found by id through log_ids', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-log-ids-'));
  });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  const open = () => openEmbeddedStores({ dataDir, syncCommits: false });

  async function answers(logs: EmbeddedLogStore, ids: string[], traceId: string) {
    return {
      searches: await Promise.all(QUERIES.map((q) => logs.search(q))),
      contexts: await Promise.all(ids.map((id) => logs.context(id, 3, 3))),
      byTrace: await logs.byTrace(traceId, 500),
      histogram: await logs.histogram({}, 60_000_000),
    };
  }

  it('finds records by id in every block, and none for an unknown id', async () => {
    const stores = open();
    const all = corpus(2 * LOG_BLOCK_ROWS + 100, newTraceId());
    for (let i = 0; i < all.length; i += 1_000) await stores.logs.writeLogs({ logs: all.slice(i, i + 1_000), businessKeys: [] });
    for (const i of [0, 1, LOG_BLOCK_ROWS - 1, LOG_BLOCK_ROWS, 2 * LOG_BLOCK_ROWS + 99]) {
      const around = await stores.logs.context(all[i].id, 1, 1);
      expect(around?.map((l) => l.id)).toContain(all[i].id);
      expect(around?.every((l) => l.service === all[i].service)).toBe(true);
    }
    expect(await stores.logs.context('0'.repeat(32), 1, 1)).toBeNull();
    const db = stores.database.db;
    expect(db.prepare('SELECT count(*) AS n FROM log_ids').get()).toEqual({ n: all.length });
    expect(db.prepare('SELECT count(DISTINCT block) AS n FROM log_ids').get()).toEqual({ n: 3 });
    await stores.logs.shutdown();
    await stores.spans.shutdown();
  });

  it('ignores a replayed record (same time and id) and adds no id row for it', async () => {
    const stores = open();
    const all = corpus(503, newTraceId());
    const logs = all.slice(0, 500);
    await stores.logs.writeLogs({ logs, businessKeys: [] });
    await stores.logs.writeLogs({ logs: [...logs.slice(100, 300), ...all.slice(500)], businessKeys: [] });
    const db = stores.database.db;
    expect(db.prepare('SELECT count(*) AS n FROM logs').get()).toEqual({ n: 503 });
    expect(db.prepare('SELECT count(*) AS n FROM log_ids').get()).toEqual({ n: 503 });
    expect((await stores.logs.search({ text: { terms: ['step'], phrases: [] }, limit: 0 })).total).toBe(503);
    await stores.logs.shutdown();
    await stores.spans.shutdown();
  });

  it('finds a trace\'s records through log_traces (migration 15): same answers as the old index, kept exact by writes, replays and retention', async () => {
    const traceA = newTraceId();
    const traceB = newTraceId();
    const logs = [...corpus(LOG_BLOCK_ROWS + 300, traceA), ...corpus(200, traceB).map((l, i) => ({ ...l, timeUs: l.timeUs + 7, id: `b-${i}` }))];
    let stores = open();
    for (let i = 0; i < logs.length; i += 1_000) await stores.logs.writeLogs({ logs: logs.slice(i, i + 1_000), businessKeys: [] });
    const spanOf = logs.find((l) => l.traceId === traceA)!.spanId;
    const read = async (s: EmbeddedLogStore) => ({
      a: await s.byTrace(traceA, 500),
      aSpan: await s.byTrace(traceA, 500, spanOf),
      b: await s.byTrace(traceB, 7),
      search: await s.search({ traceId: traceA, limit: 40, sort: 'time_asc' }),
      text: await s.search({ traceId: traceB, text: { terms: ['failed'], phrases: [] }, limit: 40 }),
      none: await s.byTrace(newTraceId(), 10),
    });
    const withTrace = logs.filter((l) => l.traceId !== '').length;
    const rows = (db: Database.Database) => db.prepare('SELECT count(*) AS n FROM log_traces').pluck().get();
    const after = await read(stores.logs);
    expect(after.a.length).toBe(logs.filter((l) => l.traceId === traceA).length);
    expect(after.b).toHaveLength(7);
    expect(after.search.logs.length).toBeGreaterThan(0);
    expect(after.text.logs.length).toBeGreaterThan(0);
    expect(rows(stores.database.db)).toBe(withTrace);
    // a trace's rows come from log_traces, not a scan of the logs
    const plan = (stores.database.db.prepare(`EXPLAIN QUERY PLAN SELECT rowid FROM logs l WHERE ${LOG_ROWS_OF_TRACE_SQL}`).all(1, traceA) as { detail: string }[])
      .map((r) => r.detail).join('\n');
    expect(plan).toMatch(/SEARCH l USING INTEGER PRIMARY KEY/);
    expect(plan).not.toMatch(/SCAN l\b/);
    await stores.logs.shutdown();
    await stores.spans.shutdown();

    // the same file at schema 14 (the (trace_id, time_us) index), migrated again: the same answers
    const raw = new Database(path.join(dataDir, 'chainscope.db'));
    rollBackTo(raw, 14);
    expect(raw.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'logs_trace'").get()).toEqual({ n: 1 });
    raw.close();
    stores = open();
    const db = stores.database.db;
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'logs_trace'").get()).toEqual({ n: 0 });
    expect(rows(db)).toBe(withTrace);
    expect(await read(stores.logs)).toEqual(after);

    // a replay adds no row; retention takes the rows of what it deletes
    await stores.logs.writeLogs({ logs: logs.slice(0, 500), businessKeys: [] });
    expect(rows(db)).toBe(withTrace);
    const cut = BASE_US + 2_000_000;
    expect(new LogDeleter(db).deleteBefore(cut, 100_000)).toBe(logs.filter((l) => l.timeUs < cut).length);
    const kept = db.prepare("SELECT rowid, trace_id FROM logs WHERE trace_id <> '' ORDER BY rowid").all() as { rowid: number; trace_id: string }[];
    expect(db.prepare('SELECT block, hash, log_rowid FROM log_traces ORDER BY log_rowid').all()).toEqual(
      kept.map((r) => ({ block: Math.floor(r.rowid / LOG_BLOCK_ROWS), hash: logIdHash(r.trace_id), log_rowid: r.rowid })),
    );
    expect((await stores.logs.byTrace(traceA, 500)).map((l) => l.id)).toEqual(after.a.filter((l) => l.timeUs >= cut).map((l) => l.id));
    await stores.logs.shutdown();
    await stores.spans.shutdown();
  });

  it('retention deletes the id rows of the records it deletes', async () => {
    const stores = open();
    const logs = corpus(1_000, newTraceId());
    await stores.logs.writeLogs({ logs, businessKeys: [] });
    const db = stores.database.db;
    const deleted = new LogDeleter(db).deleteBefore(BASE_US + 400_000, 10_000);
    expect(deleted).toBe(logs.filter((l) => l.timeUs < BASE_US + 400_000).length);
    const kept = db.prepare('SELECT rowid, id FROM logs ORDER BY rowid').all() as { rowid: number; id: string }[];
    const idRows = db.prepare('SELECT block, hash, log_rowid FROM log_ids ORDER BY log_rowid').all();
    expect(idRows).toEqual(kept.map((r) => ({ block: Math.floor(r.rowid / LOG_BLOCK_ROWS), hash: logIdHash(r.id), log_rowid: r.rowid })));
    const gone = logs.find((l) => l.timeUs < BASE_US + 400_000)!;
    expect(await stores.logs.context(gone.id, 1, 1)).toBeNull();
    await stores.logs.shutdown();
    await stores.spans.shutdown();
  });

  it('migration 12 carries a file over: the same answers, ids found, replays still ignored', async () => {
    const traceId = newTraceId();
    const logs = corpus(LOG_BLOCK_ROWS + 500, traceId);
    const probe = [logs[0].id, logs[97].id, logs[LOG_BLOCK_ROWS + 10].id, '0'.repeat(32)];
    let stores = open();
    for (let i = 0; i < logs.length; i += 1_500) await stores.logs.writeLogs({ logs: logs.slice(i, i + 1_500), businessKeys: [] });
    const before = await answers(stores.logs, probe, traceId);
    expect(before.contexts.filter((c) => c !== null)).toHaveLength(3);
    await stores.logs.shutdown();
    await stores.spans.shutdown();

    const file = path.join(dataDir, 'chainscope.db');
    const raw = new Database(file);
    rollBackTo(raw, 11);
    const indexes = (db: Database.Database) =>
      (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'logs' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
    expect(indexes(raw)).toEqual(['logs_service_time', 'logs_time', 'logs_trace', 'sqlite_autoindex_logs_1']);
    expect(raw.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'log_ids'").get()).toEqual({ n: 0 });
    raw.close();

    stores = open();
    const db = stores.database.db;
    expect(stores.database.schemaVersion).toBe(SCHEMA_VERSION);
    expect(indexes(db)).toEqual(['logs_service_time', 'logs_time_id']);
    expect(db.prepare('SELECT count(*) AS n FROM log_ids').get()).toEqual({ n: logs.length });
    expect(await answers(stores.logs, probe, traceId)).toEqual(before);
    await stores.logs.writeLogs({ logs: logs.slice(0, 700), businessKeys: [] });
    expect(db.prepare('SELECT count(*) AS n FROM logs').get()).toEqual({ n: logs.length });
    const fresh = corpus(LOG_BLOCK_ROWS + 503, traceId).slice(-3);
    await stores.logs.writeLogs({ logs: fresh, businessKeys: [] });
    expect((await stores.logs.context(fresh[1].id, 0, 0))?.map((l) => l.id)).toEqual([fresh[1].id]);
    expect(db.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' });
    // throws when the text index and the rebuilt table disagree
    db.prepare("INSERT INTO logs_fts (logs_fts, rank) VALUES ('integrity-check', 1)").run();
    await stores.logs.shutdown();
    await stores.spans.shutdown();
  });
});

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
import { LogDeleter } from '../../../../storage/embedded/log-deleter';
import { SCHEMA_VERSION } from '../../../../storage/embedded/schema';
import { makeLog } from '../../../contract/fixtures';
import { rollBackTo } from '../../../helpers/embedded-rollback';

/**
 * Migration 14 makes the log text index again without its per-record size
 * table (columnsize=0) and with automerge 8. These check that a file of the
 * previous schema comes over with every kind of text query the log query
 * language has answering the same (words, phrases, prefixes, fields, NOT),
 * and that writes and deletes keep the rebuilt index exact.
 */
const BASE_US = 1_700_000_000_000_000;

function corpus(n: number, from = 0): LogRecord[] {
  const logs: LogRecord[] = [];
  for (let i = from; i < from + n; i++) {
    const service = i % 2 ? 'checkout' : 'stock';
    const record = makeLog({
      service,
      timeUs: BASE_US + i * 1_000,
      body: `${i % 5 === 0 ? 'Paiement refusé' : 'payment accepted'} for order ORD-${i % 40} step ${i} ${i % 3 === 0 ? 'failed' : 'done'}`,
      severityText: i % 3 === 0 ? 'ERROR' : 'INFO',
      severityNumber: i % 3 === 0 ? 17 : 9,
      attributes: { step: i },
      resource: { 'service.name': service },
    });
    logs.push({ ...record, id: logRecordId(record) });
  }
  return logs;
}

const TEXT_QUERIES: LogQuery[] = [
  { text: { terms: ['failed'], phrases: [] }, limit: 50 },
  { text: { terms: [], phrases: ['payment accepted'] }, limit: 50, sort: 'time_asc' },
  { filter: parseLogQuery('"paiement refuse"'), limit: 50 },
  { filter: parseLogQuery('ORD-1*'), limit: 50 },
  { filter: parseLogQuery('pay* AND service:stock AND NOT failed'), limit: 50 },
  { filter: parseLogQuery('body:"order ORD-7" OR level:error'), limit: 50, startUs: BASE_US + 100_000, endUs: BASE_US + 900_000 },
  { filter: parseLogQuery('refus*'), limit: 0 },
];

describe('embedded log text index (migration 14: columnsize=0, automerge 8)', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-log-fts-'));
  });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  const open = () => openEmbeddedStores({ dataDir, syncCommits: false });
  const tables = (db: Database.Database) =>
    (db.prepare("SELECT name FROM sqlite_master WHERE name LIKE 'logs_fts%' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
  const automerge = (db: Database.Database) => db.prepare("SELECT v FROM logs_fts_config WHERE k = 'automerge'").pluck().get();
  const answers = (logs: EmbeddedLogStore) =>
    Promise.all(TEXT_QUERIES.map(async (q) => {
      const r = await logs.search(q);
      return { total: r.total, ids: r.logs.map((l) => l.id) };
    }));

  it('carries a file of schema 13 over: the same answers to every kind of text query, no size table, automerge 8', async () => {
    const logs = corpus(3_000);
    let stores = open();
    for (let i = 0; i < logs.length; i += 700) await stores.logs.writeLogs({ logs: logs.slice(i, i + 700), businessKeys: [] });
    const before = await answers(stores.logs);
    // every query finds something, so equal answers mean something
    for (const a of before) expect(a.total).toBeGreaterThan(0);
    await stores.logs.shutdown();
    await stores.spans.shutdown();

    const file = path.join(dataDir, 'chainscope.db');
    const raw = new Database(file);
    rollBackTo(raw, 13);
    expect(tables(raw)).toContain('logs_fts_docsize');
    expect(automerge(raw)).toBeUndefined();
    raw.close();

    stores = open();
    const db = stores.database.db;
    expect(stores.database.schemaVersion).toBe(SCHEMA_VERSION);
    expect(tables(db)).not.toContain('logs_fts_docsize');
    expect(automerge(db)).toBe(8);
    expect(await answers(stores.logs)).toEqual(before);
    // throws when the text index and the logs disagree
    db.prepare("INSERT INTO logs_fts (logs_fts, rank) VALUES ('integrity-check', 1)").run();
    await stores.logs.shutdown();
    await stores.spans.shutdown();
  });

  it('keeps the index exact through writes, replays and retention deletes', async () => {
    const stores = open();
    const logs = corpus(2_000);
    for (let i = 0; i < logs.length; i += 300) await stores.logs.writeLogs({ logs: logs.slice(i, i + 300), businessKeys: [] });
    await stores.logs.writeLogs({ logs: [...logs.slice(500, 900), ...corpus(100, 2_000)], businessKeys: [] });
    const db = stores.database.db;
    const count = (q: string) => db.prepare('SELECT count(*) FROM logs_fts WHERE logs_fts MATCH ?').pluck().get(q);
    expect(count('step')).toBe(2_100);
    expect(count('"payment accepted"')).toBe(2_100 - 2_100 / 5);
    const deleted = new LogDeleter(db).deleteBefore(BASE_US + 1_000_000, 10_000);
    expect(deleted).toBe(1_000);
    expect(count('step')).toBe(1_100);
    expect(count('"paiement refuse"')).toBe(1_100 / 5);
    expect(count('ord* AND failed')).toBe(corpus(1_100, 1_000).filter((l) => l.body.includes('failed')).length);
    db.prepare("INSERT INTO logs_fts (logs_fts, rank) VALUES ('integrity-check', 1)").run();
    await stores.logs.shutdown();
    await stores.spans.shutdown();
  });
});

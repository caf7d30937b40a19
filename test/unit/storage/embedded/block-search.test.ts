import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { parseLogQuery } from '../../../../core/logql';
import type { LogQuery } from '../../../../core/contracts/log-store';
import type { LogRecord } from '../../../../core/model';
import { openEmbeddedStores } from '../../../../storage/embedded';
import type { EmbeddedLogStore } from '../../../../storage/embedded';
import { LOG_BLOCK_ROWS } from '../../../../storage/embedded/log-blocks';
import { LOG_READ_LIMITS } from '../../../../core/contracts/read-limits';
import { makeLog } from '../../../contract/fixtures';
import { rollBackTo } from '../../../helpers/embedded-rollback';

/**
 * Searches with more than LOG_READ_LIMITS.countCap text matches walk rowid
 * blocks (storage/embedded/block-search.ts). Their pages and totals must be
 * what a brute-force sort of every match gives, also when logs arrive out
 * of time order (blocks overlap in time), with cursors, both sort orders and
 * time windows.
 */
const LINES = 3 * LOG_BLOCK_ROWS + 1_500; // four blocks, the last one partly filled
const BASE_US = 1_700_000_000_000_000;

function corpus(): LogRecord[] {
  const logs: LogRecord[] = [];
  for (let i = 0; i < LINES; i++) {
    // mostly in order, but every 7th line is late by up to ~2 blocks, and every 50th shares its time with the line before
    const late = i % 7 === 0 ? ((i * 7919) % (2 * LOG_BLOCK_ROWS)) * 10 : 0;
    const step = i % 50 === 0 && i > 0 ? i - 1 : i;
    logs.push(
      makeLog({
        service: i % 3 === 0 ? 'payment' : 'inventory',
        timeUs: BASE_US + step * 10 - late,
        body: i % 2 === 0 ? `card declined for order ORD-${i}` : `reserved stock for order ORD-${i}`,
        severityText: i % 5 === 0 ? 'ERROR' : 'INFO',
        severityNumber: i % 5 === 0 ? 17 : 9,
      }),
    );
  }
  return logs;
}

describe('embedded log search over rowid blocks', () => {
  let dataDir: string;
  let store: EmbeddedLogStore;
  let all: LogRecord[];
  const open = async () => {
    const stores = openEmbeddedStores({ dataDir });
    await stores.spans.shutdown();
    store = stores.logs;
  };

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-blocks-'));
    await open();
    all = corpus();
    for (let i = 0; i < all.length; i += 1000) await store.writeLogs({ logs: all.slice(i, i + 1000), businessKeys: [] });
  });
  afterAll(async () => {
    await store.shutdown();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  function expected(match: (l: LogRecord) => boolean, q: Omit<LogQuery, 'filter'>): { ids: string[]; total: number } {
    const asc = q.sort === 'time_asc';
    const hits = all
      .filter(match)
      .filter((l) => (q.startUs === undefined || l.timeUs >= q.startUs) && (q.endUs === undefined || l.timeUs <= q.endUs))
      .sort((a, b) => (asc ? 1 : -1) * (a.timeUs - b.timeUs || (a.id < b.id ? -1 : 1)));
    const after = q.cursor
      ? hits.filter((l) =>
          asc
            ? l.timeUs > q.cursor!.timeUs || (l.timeUs === q.cursor!.timeUs && l.id > q.cursor!.id)
            : l.timeUs < q.cursor!.timeUs || (l.timeUs === q.cursor!.timeUs && l.id < q.cursor!.id),
        )
      : hits;
    return { ids: after.slice(0, q.limit).map((l) => l.id), total: Math.min(hits.length, LOG_READ_LIMITS.countCap) };
  }

  const declined = (l: LogRecord) => l.body.includes('card declined');
  const cases: [string, string, (l: LogRecord) => boolean][] = [
    ['text only', '"card declined"', declined],
    ['text and field', 'service:payment AND "card declined"', (l) => declined(l) && l.service === 'payment'],
    ['text and rare field', 'level:error AND order', (l) => l.severityText === 'ERROR'],
    ['text and a field nothing matches', 'service:nowhere AND order', () => false],
  ];

  it.each(cases)('%s: pages and totals equal a full sort, newest and oldest first', async (_name, q, match) => {
    const filter = parseLogQuery(q);
    for (const sort of ['time_desc', 'time_asc'] as const) {
      for (const limit of [1, 100, 1000]) {
        const got = await store.search({ filter, sort, limit });
        const want = expected(match, { sort, limit });
        expect(got.logs.map((l) => l.id)).toEqual(want.ids);
        expect(got.total).toBe(want.total);
      }
    }
  });

  it('pages through every match with cursors, without gaps or repeats, in both orders', async () => {
    const filter = parseLogQuery('service:payment AND "card declined"');
    for (const sort of ['time_desc', 'time_asc'] as const) {
      const seen: string[] = [];
      let cursor: LogQuery['cursor'];
      for (let page = 0; page < 100; page++) {
        const got = await store.search({ filter, sort, limit: 250, cursor });
        expect(got.logs.map((l) => l.id)).toEqual(expected((l) => declined(l) && l.service === 'payment', { sort, limit: 250, cursor }).ids);
        seen.push(...got.logs.map((l) => l.id));
        if (!got.nextCursor) break;
        cursor = got.nextCursor;
      }
      const want = all.filter((l) => declined(l) && l.service === 'payment');
      expect(seen).toHaveLength(want.length);
      expect(new Set(seen).size).toBe(want.length);
    }
  });

  it('honours a time window that cuts through blocks', async () => {
    const filter = parseLogQuery('order');
    const window = { startUs: BASE_US + LOG_BLOCK_ROWS * 10 + 5, endUs: BASE_US + 2 * LOG_BLOCK_ROWS * 10 + 5 };
    for (const sort of ['time_desc', 'time_asc'] as const) {
      const got = await store.search({ filter, sort, limit: 50, ...window });
      expect(got.logs.map((l) => l.id)).toEqual(expected(() => true, { sort, limit: 50, ...window }).ids);
    }
  });

  it('keeps each block\'s earliest and latest time as written, and migration 4 rebuilds the same from the logs', async () => {
    const file = path.join(dataDir, 'chainscope.db');
    const read = (db: Database.Database) => db.prepare('SELECT block, min_time_us, max_time_us FROM log_blocks ORDER BY block').all();
    await store.shutdown();
    let db = new Database(file);
    const written = read(db);
    const byRow = db
      .prepare(`SELECT rowid / ${LOG_BLOCK_ROWS} AS block, min(time_us) AS min_time_us, max(time_us) AS max_time_us FROM logs GROUP BY 1 ORDER BY 1`)
      .all();
    expect(written).toHaveLength(Math.floor(LINES / LOG_BLOCK_ROWS) + 1); // rowids 1..LINES
    expect(written).toEqual(byRow);
    rollBackTo(db, 3);
    db.close();
    await open();
    await store.shutdown();
    db = new Database(file);
    expect(read(db)).toEqual(written);
    db.close();
    await open();
  });
});

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { foldHistogram } from '../../../../core/contracts/log-store';
import type { FacetField, FacetValue, HistogramBucket, LogFilterQuery } from '../../../../core/contracts/log-store';
import { matchesLogQuery, parseLogQuery } from '../../../../core/logql';
import type { LogRecord } from '../../../../core/model';
import { openEmbeddedStores } from '../../../../storage/embedded';
import type { EmbeddedLogStore } from '../../../../storage/embedded';
import { MINUTE_US, answerableByMinutes, splitWindow } from '../../../../storage/embedded/log-minutes';
import { makeLog } from '../../../contract/fixtures';
import { rollBackTo } from '../../../helpers/embedded-rollback';

/**
 * Histograms and facets of service/severity/host queries read whole minutes
 * from log_minutes and the window's partial minutes from the logs. Their
 * answers must equal counting the matching records one by one (the
 * reference evaluator of the query language), for every kind of window.
 */
const BASE_US = 1_700_000_040_000_000; // a whole minute
const SERVICES = ['payment', 'inventory', 'order-api'];
const LEVELS: [string, number][] = [
  ['DEBUG', 5],
  ['INFO', 9],
  ['WARN', 13],
  ['ERROR', 17],
];

function corpus(): LogRecord[] {
  const logs: LogRecord[] = [];
  for (let i = 0; i < 3_000; i++) {
    const [severityText, severityNumber] = LEVELS[(i * 7) % LEVELS.length];
    const service = SERVICES[i % SERVICES.length];
    logs.push(
      makeLog({
        service,
        severityText,
        severityNumber,
        // spread over ~6 minutes, not in order
        timeUs: BASE_US + ((i * 104_729) % (6 * MINUTE_US)),
        body: `line ${i}`,
        resource: { 'service.name': service, 'host.name': `host-${i % 4}` },
      }),
    );
  }
  // two services with equal counts whose UTF-16 and UTF-8 orders differ (U+FF21 vs an astral character)
  for (const service of ['\uFF21pp', '\u{1F600}pp']) {
    for (let i = 0; i < 3; i++) {
      logs.push(makeLog({ service, severityText: 'INFO', severityNumber: 9, timeUs: BASE_US + 2 * MINUTE_US + i * 1_000_000, body: `odd ${i}`, resource: { 'service.name': service, 'host.name': 'host-0' } }));
    }
  }
  return logs;
}

describe('log histograms and facets from per-minute counts', () => {
  let dataDir: string;
  let store: EmbeddedLogStore;
  let all: LogRecord[];

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-minutes-'));
    const stores = openEmbeddedStores({ dataDir });
    await stores.spans.shutdown();
    store = stores.logs;
    all = corpus();
    for (let i = 0; i < all.length; i += 500) await store.writeLogs({ logs: all.slice(i, i + 500), businessKeys: [] });
    await store.writeLogs({ logs: all.slice(0, 700), businessKeys: [] }); // replayed: must not count twice
  });
  afterAll(async () => {
    await store.shutdown();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  function matching(q: LogFilterQuery): LogRecord[] {
    return all.filter(
      (l) => matchesLogQuery(q.filter, l) && (q.startUs === undefined || l.timeUs >= q.startUs) && (q.endUs === undefined || l.timeUs <= q.endUs),
    );
  }
  function histogramOf(q: LogFilterQuery, interval: number): HistogramBucket[] {
    const rows = new Map<string, { t: number; sn: number; n: number }>();
    for (const l of matching(q)) {
      const t = l.timeUs - (l.timeUs % interval);
      const key = `${t}/${l.severityNumber}`;
      const row = rows.get(key) ?? { t, sn: l.severityNumber, n: 0 };
      row.n++;
      rows.set(key, row);
    }
    return foldHistogram([...rows.values()]);
  }
  function facetsOf(q: LogFilterQuery, field: FacetField): FacetValue[] {
    const counts = new Map<string, number>();
    for (const l of matching(q)) {
      const v = field.kind === 'service' ? l.service : field.kind === 'severity' ? l.severityText : String(l.resource['host.name']);
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    // ties in UTF-8 byte order (SQLite BINARY, the search engines' term order)
    return [...counts].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count || Buffer.compare(Buffer.from(a.value), Buffer.from(b.value)));
  }

  const queries = ['', 'level:error', 'level:>=warn AND -service:payment', 'service:payment OR service:inventory', 'host:host-1', 'service:pay*'];
  const windows: [string, Pick<LogFilterQuery, 'startUs' | 'endUs'>][] = [
    ['no window', {}],
    ['whole minutes', { startUs: BASE_US + MINUTE_US, endUs: BASE_US + 4 * MINUTE_US - 1 }],
    ['cut minutes at both ends', { startUs: BASE_US + 17_000_123, endUs: BASE_US + 4 * MINUTE_US + 3_000_007 }],
    ['open start', { endUs: BASE_US + 2 * MINUTE_US + 59_999_999 - 5 }],
    ['open end', { startUs: BASE_US + 3 * MINUTE_US + 1 }],
    ['inside one minute', { startUs: BASE_US + 2 * MINUTE_US + 10, endUs: BASE_US + 2 * MINUTE_US + 30_000_000 }],
  ];

  it.each(windows)('%s: histograms, facets and search totals equal counting record by record', async (_name, window) => {
    for (const q of queries) {
      const query: LogFilterQuery = { ...(q ? { filter: parseLogQuery(q) } : {}), ...window };
      expect(answerableByMinutes(query)).toBe(true);
      for (const interval of [MINUTE_US, 2 * MINUTE_US, 15_000_000]) {
        expect(await store.histogram(query, interval)).toEqual(histogramOf(query, interval));
      }
      for (const field of [{ kind: 'service' }, { kind: 'severity' }, { kind: 'host' }] as FacetField[]) {
        expect(await store.facets(query, field, 100)).toEqual(facetsOf(query, field));
        expect(await store.facets(query, field, 2)).toEqual(facetsOf(query, field).slice(0, 2));
      }
      expect((await store.search({ ...query, limit: 3 })).total).toBe(matching(query).length);
    }
  });

  it('leaves text, attribute, trace and time-range queries to the logs', () => {
    for (const q of ['payment', 'card.type:visa', 'level:error AND "card declined"', 'service:payment OR timeout', 'trace_id:abc']) {
      expect(answerableByMinutes({ filter: parseLogQuery(q) })).toBe(false);
    }
    expect(answerableByMinutes({ traceId: 'abc' })).toBe(false);
    expect(answerableByMinutes({ text: { terms: ['x'], phrases: [] } })).toBe(false);
  });

  it('splits a window into whole minutes and inclusive edges', () => {
    expect(splitWindow(undefined, undefined)).toEqual({ fromUs: Number.MIN_SAFE_INTEGER, toUs: Number.MAX_SAFE_INTEGER, edges: [] });
    expect(splitWindow(BASE_US, BASE_US + MINUTE_US - 1)).toEqual({ fromUs: BASE_US, toUs: BASE_US + MINUTE_US, edges: [] });
    expect(splitWindow(BASE_US + 1, BASE_US + 2 * MINUTE_US)).toEqual({
      fromUs: BASE_US + MINUTE_US,
      toUs: BASE_US + 2 * MINUTE_US,
      edges: [
        { startUs: BASE_US + 1, endUs: BASE_US + MINUTE_US - 1 },
        { startUs: BASE_US + 2 * MINUTE_US, endUs: BASE_US + 2 * MINUTE_US },
      ],
    });
    expect(splitWindow(BASE_US + 1, BASE_US + MINUTE_US + 5)).toBeNull();
  });

  it('migration 5 rebuilds the same counts from the logs', async () => {
    const file = path.join(dataDir, 'chainscope.db');
    const read = (db: Database.Database) => db.prepare('SELECT * FROM log_minutes ORDER BY 1, 2, 3, 4, 5').all();
    await store.shutdown();
    let db = new Database(file);
    const written = read(db);
    expect(written.length).toBeGreaterThan(6);
    rollBackTo(db, 4);
    db.close();
    const stores = openEmbeddedStores({ dataDir });
    await stores.spans.shutdown();
    await stores.logs.shutdown();
    db = new Database(file);
    expect(read(db)).toEqual(written);
    db.close();
    const reopened = openEmbeddedStores({ dataDir });
    await reopened.spans.shutdown();
    store = reopened.logs;
  });
});

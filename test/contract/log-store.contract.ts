import type { LogQuery, LogStore } from '../../core/contracts/log-store';
import type { LogRecord } from '../../core/model';
import { parseLogQuery, matchesLogQuery } from '../../core/logql';
import { LOG_READ_LIMITS } from '../../core/contracts/read-limits';
import { ValidationError } from '../../core/errors';
import { logRatePerMinute } from '../../alerting/conditions';
import { BASE_US, logBatch, makeLog, newSpanId, newTraceId, uniq } from './fixtures';
import { VALID_QUERIES, corpusLogs } from './logql-corpus';
import { openStoreForSuite, type OpenedStore } from './opened-store';

export type OpenedLogStore = OpenedStore<LogStore>;

/** Strings that mean something in FTS5, Lucene query syntax or SQL; a store must treat them as text. */
export const SYNTAX_INJECTION_INPUTS = [
  'AND',
  'OR',
  'NOT',
  '(',
  ')',
  '*',
  '"',
  ':',
  '^',
  'NEAR(',
  'body:alpha',
  'alpha OR gamma',
  'NOT alpha',
  '"alpha',
  'alpha*',
  '-alpha',
  '+alpha',
  '(alpha',
  "' OR 1=1 --",
  '\\',
  '{!lucene}*:*',
  '*:*',
  '',
];

/**
 * The behaviour every LogStore backend must show. Each test writes records of
 * its own unique service (and trace ids), so old data on a shared engine never
 * shows up in results.
 */
export function describeLogStoreContract(name: string, open: () => Promise<OpenedLogStore>): void {
  describe(`LogStore contract: ${name}`, () => {
    let opened: OpenedLogStore;
    let store: LogStore;

    openStoreForSuite(open, (o) => {
      opened = o;
      store = o.store;
    });

    async function write(logs: LogRecord[]): Promise<void> {
      await store.writeLogs(logBatch(logs));
      await opened.flush?.();
    }
    const search = (q: Partial<LogQuery>) => store.search({ limit: 100, ...q });
    const ids = (logs: LogRecord[]) => logs.map((l) => l.id);

    it('round-trips a record exactly', async () => {
      const traceId = newTraceId();
      const log = makeLog({
        service: uniq('rt'),
        traceId,
        spanId: newSpanId(),
        severityText: 'Warn',
        severityNumber: 13,
        body: 'payment declined for order ORD-1 "quoted" \\ back',
        attributes: { 'order.id': 'ORD-1', attempt: 2, ok: false, tags: ['a', 'b'], nested: { x: null } },
        resource: { 'service.name': 'rt', 'host.name': 'h' },
        scope: { name: 'logger', version: '' },
      });
      await write([log]);
      expect(await store.byTrace(traceId, 10)).toEqual([log]);
      const found = await search({ service: log.service });
      expect(found.logs).toEqual([log]);
      expect(found.total).toBe(1);
    });

    describe('full text', () => {
      it('requires every term, matches case-insensitively, and matches phrases as adjacent words', async () => {
        const service = uniq('fts');
        const token = uniq('tok').replace('-', '');
        const logs = [
          makeLog({ service, timeUs: BASE_US + 1, body: `Payment declined for ${token}` }),
          makeLog({ service, timeUs: BASE_US + 2, body: `payment accepted for ${token}` }),
          makeLog({ service, timeUs: BASE_US + 3, body: 'declined payment, no token here' }),
        ];
        await write(logs);
        const q = async (terms: string[], phrases: string[] = []) =>
          ids((await search({ service, text: { terms, phrases } })).logs);
        expect(await q([token])).toEqual([logs[1].id, logs[0].id]);
        expect(await q(['PAYMENT', 'declined'])).toEqual([logs[2].id, logs[0].id]);
        expect(await q([token, 'declined'])).toEqual([logs[0].id]);
        expect(await q([], ['payment declined'])).toEqual([logs[0].id]);
        expect(await q([], ['declined payment'])).toEqual([logs[2].id]);
        expect(await q(['accepted'], ['declined payment'])).toEqual([]);
        expect(await q(['nomatchword'])).toEqual([]);
        // an empty text query is no text filter
        expect((await search({ service, text: { terms: [], phrases: [] } })).total).toBe(3);
      });

      it('treats query syntax typed by users as plain text: no error, no match-all', async () => {
        const service = uniq('inject');
        const alpha = makeLog({ service, timeUs: BASE_US + 1, body: 'alpha beta' });
        const gamma = makeLog({ service, timeUs: BASE_US + 2, body: 'gamma delta' });
        await write([alpha, gamma]);
        for (const input of SYNTAX_INJECTION_INPUTS) {
          for (const text of [{ terms: [input], phrases: [] }, { terms: [], phrases: [input] }, { terms: ['alpha', input], phrases: [] }]) {
            const result = await search({ service, text });
            const got = ids(result.logs);
            // never the whole service: gamma's words never appear in these inputs
            expect({ input, text, got }).toEqual({ input, text, got: got.filter((id) => id !== gamma.id) });
            expect(result.total).toBe(got.length);
          }
        }
        expect(ids((await search({ service, text: { terms: ['"alpha'], phrases: [] } })).logs)).toEqual([alpha.id]);
      });

      it('folds case and diacritics and round-trips unicode', async () => {
        const service = uniq('unicode');
        const logs = [
          makeLog({ service, timeUs: BASE_US + 1, body: 'Überweisung für Café Müller fehlgeschlagen ✅' }),
          makeLog({ service, timeUs: BASE_US + 2, body: 'заказ оплачен 🚀 emoji' }),
        ];
        await write(logs);
        const q = async (terms: string[]) => ids((await search({ service, text: { terms, phrases: [] } })).logs);
        expect(await q(['cafe'])).toEqual([logs[0].id]);
        expect(await q(['MÜLLER'])).toEqual([logs[0].id]);
        expect(await q(['uberweisung', 'fur'])).toEqual([logs[0].id]);
        expect(await q(['ЗАКАЗ'])).toEqual([logs[1].id]);
        const [got] = await store.byTrace(newTraceId(), 10);
        expect(got).toBeUndefined();
        expect((await search({ service, text: { terms: ['emoji'], phrases: [] } })).logs[0].body).toBe(logs[1].body);
      });
    });

    describe('filters, order and total', () => {
      it('filters by service, severity (case-insensitive), trace, span and time; newest first', async () => {
        const service = uniq('filters');
        const other = uniq('filters-other');
        const traceId = newTraceId();
        const spanId = newSpanId();
        const logs = [
          makeLog({ service, timeUs: BASE_US + 10, severityText: 'ERROR', severityNumber: 17, traceId, spanId }),
          makeLog({ service, timeUs: BASE_US + 20, severityText: 'info', traceId, spanId: newSpanId() }),
          makeLog({ service, timeUs: BASE_US + 30, severityText: 'Error', severityNumber: 17 }),
          makeLog({ service: other, timeUs: BASE_US + 40, severityText: 'ERROR', traceId, spanId }),
        ];
        await write(logs);
        expect(ids((await search({ service })).logs)).toEqual([logs[2].id, logs[1].id, logs[0].id]);
        expect(ids((await search({ service, severity: 'error' })).logs)).toEqual([logs[2].id, logs[0].id]);
        expect(ids((await search({ service, severity: 'INFO' })).logs)).toEqual([logs[1].id]);
        expect(ids((await search({ traceId })).logs)).toEqual([logs[3].id, logs[1].id, logs[0].id]);
        expect(ids((await search({ traceId, spanId })).logs)).toEqual([logs[3].id, logs[0].id]);
        expect(ids((await search({ service, traceId, spanId })).logs)).toEqual([logs[0].id]);
        expect(ids((await search({ service, startUs: BASE_US + 15, endUs: BASE_US + 30 })).logs)).toEqual([
          logs[2].id,
          logs[1].id,
        ]);
        expect((await search({ service: uniq('nobody') })).logs).toEqual([]);
      });

      it('counts all matches in total while returning at most limit', async () => {
        const service = uniq('total');
        const logs = Array.from({ length: 25 }, (_, i) =>
          makeLog({ service, timeUs: BASE_US + i, body: `request ${i} done` }),
        );
        await write(logs);
        const result = await search({ service, text: { terms: ['done'], phrases: [] }, limit: 5 });
        expect(result.total).toBe(25);
        expect(result.totalIsLowerBound ?? false).toBe(false);
        expect(ids(result.logs)).toEqual(ids(logs.slice(20).reverse()));
        const none = await search({ service, limit: 0 });
        expect(none.logs).toEqual([]);
        expect(none.total).toBe(25);
      });
    });

    describe('byTrace', () => {
      it('returns a trace’s logs oldest first, optionally of one span, within limit', async () => {
        const service = uniq('bytrace');
        const traceId = newTraceId();
        const spanA = newSpanId();
        const spanB = newSpanId();
        const logs = [
          makeLog({ service, traceId, spanId: spanB, timeUs: BASE_US + 30 }),
          makeLog({ service, traceId, spanId: spanA, timeUs: BASE_US + 10 }),
          makeLog({ service, traceId, spanId: spanA, timeUs: BASE_US + 20 }),
          makeLog({ service, traceId: newTraceId(), spanId: spanA, timeUs: BASE_US + 15 }),
        ];
        await write(logs);
        expect(ids(await store.byTrace(traceId, 10))).toEqual([logs[1].id, logs[2].id, logs[0].id]);
        expect(ids(await store.byTrace(traceId, 2))).toEqual([logs[1].id, logs[2].id]);
        expect(ids(await store.byTrace(traceId, 10, spanA))).toEqual([logs[1].id, logs[2].id]);
        expect(ids(await store.byTrace(traceId, 10, spanB))).toEqual([logs[0].id]);
        expect(await store.byTrace(newTraceId(), 10)).toEqual([]);
      });
    });

    describe('context', () => {
      it('returns records of the same service around one record, oldest first, including it', async () => {
        const service = uniq('ctx');
        const other = uniq('ctx-other');
        const mine = Array.from({ length: 7 }, (_, i) => makeLog({ service, timeUs: BASE_US + i * 10, body: `line ${i}` }));
        const noise = Array.from({ length: 7 }, (_, i) => makeLog({ service: other, timeUs: BASE_US + i * 10 + 5 }));
        await write([...noise, ...mine].reverse());
        const ctx = await store.context(mine[3].id, 2, 2);
        expect(ids(ctx!)).toEqual(ids(mine.slice(1, 6)));
        expect(ids((await store.context(mine[0].id, 5, 1))!)).toEqual(ids(mine.slice(0, 2)));
        expect(ids((await store.context(mine[6].id, 1, 5))!)).toEqual(ids(mine.slice(5, 7)));
        expect(ids((await store.context(mine[3].id, 0, 0))!)).toEqual([mine[3].id]);
        expect(await store.context(uniq('no-such-log'), 5, 5)).toBeNull();
      });
    });

    describe('query language (shared corpus: same hits on every backend)', () => {
      // far from the other tests' records: the window isolates the corpus
      const base = BASE_US + 7_000_000_000;
      const window = { startUs: base, endUs: base + 1_000_000 };
      const fixtures = corpusLogs(base);
      const byId = new Map(Object.entries(fixtures).map(([k, l]) => [l.id, k]));
      const keysOf = (logs: LogRecord[]) => logs.map((l) => byId.get(l.id) ?? l.id);

      beforeAll(async () => {
        await write(Object.values(fixtures));
      });

      it.each(VALID_QUERIES.map((c) => [c.q, c] as const))('%s', async (_q, c) => {
        const filter = parseLogQuery(c.q);
        const reference = Object.values(fixtures)
          .filter((l) => matchesLogQuery(filter, l))
          .sort((a, b) => b.timeUs - a.timeUs);
        if (c.expect) expect(keysOf(reference).sort()).toEqual([...c.expect].sort());
        const result = await search({ ...window, filter });
        expect(keysOf(result.logs)).toEqual(keysOf(reference));
        expect(result.total).toBe(reference.length);
      });

      it('combines the query with the old filters and sorts both ways', async () => {
        const filter = parseLogQuery('declined OR order.id:ORD-1234');
        const desc = await search({ ...window, filter, service: 'payment' });
        expect(keysOf(desc.logs)).toEqual(['question', 'twice', 'declined']);
        const asc = await search({ ...window, filter, service: 'payment', sort: 'time_asc' });
        expect(keysOf(asc.logs)).toEqual(['declined', 'twice', 'question']);
        expect(keysOf((await search({ ...window, filter, severity: 'error' })).logs)).toEqual(['declined']);
      });

      it('pages with a stable cursor in both directions, ties broken by id', async () => {
        const service = uniq('cursor');
        const t = BASE_US + 8_000_000_000;
        // three records share a time: the id decides their order
        const logs = [0, 1, 1, 1, 2, 3, 4].map((d, i) => makeLog({ id: `cur-${service}-${i}`, service, timeUs: t + d, body: `page line ${i}` }));
        await write(logs);
        for (const sort of ['time_desc', 'time_asc'] as const) {
          const seen: string[] = [];
          let cursor: LogQuery['cursor'];
          for (let page = 0; page < 10; page++) {
            const r = await search({ service, filter: parseLogQuery('page'), limit: 2, sort, cursor });
            expect(r.total).toBe(7);
            seen.push(...ids(r.logs));
            cursor = r.nextCursor;
            if (!cursor) break;
          }
          const expected = [...logs].sort((a, b) => a.timeUs - b.timeUs || (a.id < b.id ? -1 : 1)).map((l) => l.id);
          expect(seen).toEqual(sort === 'time_asc' ? expected : expected.reverse());
        }
      });

      it('counts by interval and severity group (histogram)', async () => {
        const buckets = await store.histogram({ ...window, filter: parseLogQuery('NOT level:debug') }, 4_000);
        const reference = new Map<number, number>();
        for (const l of Object.values(fixtures)) {
          if (l.severityNumber >= 5 && l.severityNumber <= 8) continue;
          const t = l.timeUs - (l.timeUs % 4_000);
          reference.set(t, (reference.get(t) ?? 0) + 1);
        }
        expect(buckets.map((b) => [b.tUs, b.total])).toEqual([...reference.entries()].sort((a, b) => a[0] - b[0]));
        const all = buckets.reduce((acc, b) => {
          for (const [g, n] of Object.entries(b.counts)) acc[g] = (acc[g] ?? 0) + (n ?? 0);
          return acc;
        }, {} as Record<string, number>);
        expect(all).toEqual({ ERROR: 2, INFO: 4, WARN: 2, FATAL: 1, UNSPECIFIED: 1, TRACE: 1 });
        expect(await store.histogram({ ...window, filter: parseLogQuery('"*:*"') }, 4_000)).toEqual([]);
      });

      it('lists top values of a field (facets)', async () => {
        expect(await store.facets(window, { kind: 'service' }, 3)).toEqual([
          { value: 'payment', count: 4 },
          { value: 'billing', count: 2 },
          { value: 'notification', count: 2 },
        ]);
        expect(await store.facets({ ...window, filter: parseLogQuery('declined') }, { kind: 'severity' }, 10)).toEqual([
          { value: 'ERROR', count: 1 },
          { value: 'INFO', count: 1 },
          { value: 'warning', count: 1 },
        ]);
        expect(await store.facets(window, { kind: 'host' }, 2)).toEqual([
          { value: 'pay-2', count: 3 },
          { value: 'b-1', count: 2 },
        ]);
        expect(await store.facets(window, { kind: 'attribute', name: 'order.id' }, 3)).toEqual([
          { value: 'ORD-1234', count: 3 },
          { value: 'ORD-12', count: 1 },
          { value: 'ORD-1235', count: 1 },
        ]);
        expect(await store.facets(window, { kind: 'attribute', name: 'http.status_code' }, 10)).toEqual([
          { value: '200', count: 4 },
          { value: '402', count: 1 },
        ]);
        expect(await store.facets(window, { kind: 'attribute', name: 'no.such' }, 10)).toEqual([]);
      });
    });

    it('ignores a replayed batch', async () => {
      const service = uniq('replay');
      const traceId = newTraceId();
      const logs = Array.from({ length: 4 }, (_, i) =>
        makeLog({ service, traceId, timeUs: BASE_US + i, body: `replayed record ${i}` }),
      );
      await write(logs);
      await write(logs);
      await write([logs[1], logs[2]]);
      const result = await search({ service, text: { terms: ['replayed'], phrases: [] } });
      expect(result.total).toBe(4);
      expect(result.logs).toHaveLength(4);
      expect(await store.byTrace(traceId, 100)).toHaveLength(4);
    });

    describe('bursts (per service: buckets and top messages in one read)', () => {
      const minute = 60_000_000;
      const tag = uniq('burst');
      const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((s) => `${tag}-${s}`);
      const startUs = Math.floor(BASE_US / minute) * minute + 40 * minute;
      const window = { startUs, endUs: startUs + 4 * minute - 1 };
      const errors = parseLogQuery(`service:${tag}-* AND level:>=error`);
      const error = (service: string, timeUs: number, body: string, fatal = false) =>
        makeLog({ service, timeUs, body, severityText: fatal ? 'FATAL' : 'ERROR', severityNumber: fatal ? 21 : 17, traceId: newTraceId() });

      beforeAll(async () => {
        await write([
          // a: 60 old "pool exhausted" (minutes 0 and 1), then 25 + 25 alternating messages and a FATAL (minute 2): 111 records,
          // more than the burst sample, so the sample's oldest 11 "pool exhausted" are left out of its message counts
          ...Array.from({ length: 60 }, (_, i) => error(a, startUs + i * 1_500_000, 'pool exhausted')),
          ...Array.from({ length: 50 }, (_, j) => error(a, startUs + 2 * minute + j * 1_000_000, j % 2 ? 'card declined' : 'timeout calling bank')),
          error(a, startUs + 2 * minute + 55_000_000, 'disk full', true),
          ...Array.from({ length: 3 }, (_, i) => error(b, startUs + minute + i, 'b broke')),
          ...Array.from({ length: 5 }, (_, i) => makeLog({ service: b, timeUs: startUs + minute + 10 + i, severityText: 'WARN', severityNumber: 13, body: 'b slow' })),
          ...Array.from({ length: 3 }, (_, i) => error(c, startUs + 3 * minute + i, `c broke ${i % 2}`)),
          error(d, startUs + 3 * minute, 'd broke'),
          // just outside the window
          error(a, startUs - 1, 'pool exhausted'),
          error(a, window.endUs + 1, 'pool exhausted'),
        ]);
      });

      it('ranks services as facets do and gives each its buckets and its most frequent messages among its newest records', async () => {
        expect(LOG_READ_LIMITS.burstSample).toBe(100);
        const bursts = await store.bursts({ ...window, filter: errors }, minute, { services: 3, messages: 3 });
        expect(bursts.map((x) => [x.service, x.count])).toEqual([[a, 111], [b, 3], [c, 3]]);
        expect(bursts[0].buckets).toEqual([
          { tUs: startUs, total: 40, counts: { ERROR: 40 } },
          { tUs: startUs + minute, total: 20, counts: { ERROR: 20 } },
          { tUs: startUs + 2 * minute, total: 51, counts: { ERROR: 50, FATAL: 1 } },
        ]);
        // the newest 100: the FATAL, the 50 alternating ones and 49 "pool exhausted"; equal counts: the newest first
        expect(bursts[0].messages.map((m) => [m.body, m.count, m.severity])).toEqual([
          ['pool exhausted', 49, 'ERROR'],
          ['card declined', 25, 'ERROR'],
          ['timeout calling bank', 25, 'ERROR'],
        ]);
        expect(bursts[0].messages[1].lastUs).toBe(startUs + 2 * minute + 49_000_000);
        expect(bursts[0].messages[0].traceId).toMatch(/^[0-9a-f]{32}$/);
        expect(bursts[1].buckets).toEqual([{ tUs: startUs + minute, total: 3, counts: { ERROR: 3 } }]);
        expect(bursts[1].messages.map((m) => [m.body, m.count])).toEqual([['b broke', 3]]);
        expect(bursts[2].messages.map((m) => [m.body, m.count])).toEqual([
          ['c broke 0', 2],
          ['c broke 1', 1],
        ]);
      });

      it('gives what facets, histogram and search give for each service', async () => {
        const query = { ...window, filter: errors };
        const bursts = await store.bursts(query, minute, { services: 10, messages: 10 });
        expect(bursts.map((x) => ({ value: x.service, count: x.count }))).toEqual(await store.facets(query, { kind: 'service' }, 10));
        for (const burst of bursts) {
          expect(burst.buckets).toEqual(await store.histogram({ ...query, service: burst.service }, minute));
          const newest = await store.search({ ...query, service: burst.service, limit: LOG_READ_LIMITS.burstSample });
          expect(burst.messages.reduce((n, m) => n + m.count, 0)).toBe(newest.logs.length);
        }
      });

      it('keeps to its limits and answers an impossible query with nothing', async () => {
        const query = { ...window, filter: errors };
        expect((await store.bursts(query, minute, { services: 1, messages: 0 })).map((x) => [x.service, x.messages])).toEqual([[a, []]]);
        expect(await store.bursts(query, minute, { services: 0, messages: 3 })).toEqual([]);
        expect((await store.bursts(query, minute, { services: 2, messages: 1 }))[0].messages.map((m) => m.body)).toEqual(['pool exhausted']);
        await expect(store.bursts(query, minute, { services: -1, messages: 1 })).rejects.toThrow(ValidationError);
        await expect(store.bursts(query, minute, { services: 1, messages: 1.5 })).rejects.toThrow(ValidationError);
        await expect(store.bursts(query, 0, { services: 1, messages: 1 })).rejects.toThrow(ValidationError);
        expect(await store.bursts({ ...window, filter: parseLogQuery('"*:*"') }, minute, { services: 5, messages: 1 })).toEqual([]);
      });
    });

    it("gives a log query's rate per minute over whole minutes (the log_rate alert condition)", async () => {
      const service = uniq('rate');
      const minute = 60_000_000;
      const startUs = Math.floor(BASE_US / minute) * minute + 20 * minute;
      // 3 minutes: 12, 0 and 6 errors, with warnings and another service's errors around them, and errors just outside
      const logs = [
        ...Array.from({ length: 12 }, (_, i) => makeLog({ service, timeUs: startUs + i * 1_000_000, severityText: 'ERROR', severityNumber: 17, body: `failed ${i}` })),
        ...Array.from({ length: 6 }, (_, i) => makeLog({ service, timeUs: startUs + 2 * minute + i, severityText: 'ERROR', severityNumber: 17, body: `failed late ${i}` })),
        ...Array.from({ length: 5 }, (_, i) => makeLog({ service, timeUs: startUs + minute + i, severityText: 'WARN', severityNumber: 13, body: `slow ${i}` })),
        makeLog({ service: uniq('other'), timeUs: startUs + 1, severityText: 'ERROR', severityNumber: 17, body: 'elsewhere' }),
        makeLog({ service, timeUs: startUs - 1, severityText: 'ERROR', severityNumber: 17, body: 'just before' }),
        makeLog({ service, timeUs: startUs + 3 * minute, severityText: 'ERROR', severityNumber: 17, body: 'just after' }),
      ];
      await write(logs);
      const window = { startUs, endUs: startUs + 3 * minute };
      expect(await logRatePerMinute(store, `level:error AND service:${service}`, window)).toBe(6);
      expect(await logRatePerMinute(store, `service:${service}`, window)).toBeCloseTo(23 / 3, 6);
      expect(await logRatePerMinute(store, `level:error AND service:${service}`, { startUs: startUs + minute, endUs: startUs + 2 * minute })).toBe(0);
    });
  });
}

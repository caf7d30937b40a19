import type { LogQuery, LogStore } from '../../core/contracts/log-store';
import type { LogRecord } from '../../core/model';
import { BASE_US, logBatch, makeLog, newSpanId, newTraceId, uniq } from './fixtures';

export interface OpenedLogStore {
  /** Not started yet: the suite calls start() once before its tests and cleanup() after them. */
  store: LogStore;
  cleanup: () => Promise<void>;
  /** For eventually-indexing backends (search engines): refresh so written records are searchable. */
  flush?: () => Promise<void>;
}

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

    beforeAll(async () => {
      opened = await open();
      store = opened.store;
      await store.start();
    });
    afterAll(async () => {
      await opened?.cleanup();
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
  });
}

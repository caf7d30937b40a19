import { SPAN_READ_LIMITS } from '../../core/contracts/read-limits';
import type { SpanStore } from '../../core/contracts/span-store';
import type { BusinessKeyEntry, MessageIdEntry, Span, TraceLinkEntry } from '../../core/model';
import { BASE_US, makeSpan, makeTrace, newSpanId, newTraceId, spanBatch, uniq } from './fixtures';
import { describeAnomalyContract } from './anomaly.contract';
import { describeOrderRollupContract } from './order-rollup.contract';
import { describeTopologyContract } from './topology.contract';
import { describeTraceSearchContract } from './trace-search.contract';
import { openStoreForSuite, type OpenedStore } from './opened-store';

export type OpenedSpanStore = OpenedStore<SpanStore>;

/**
 * The behaviour every SpanStore backend must show. Each test scopes its data
 * with fresh trace ids and unique service names / attribute values, so the
 * suite also runs against a shared engine that holds older data.
 */
export function describeSpanStoreContract(name: string, open: () => Promise<OpenedSpanStore>): void {
  describe(`SpanStore contract: ${name}`, () => {
    let opened: OpenedSpanStore;
    let store: SpanStore;

    openStoreForSuite(open, (o) => {
      opened = o;
      store = o.store;
    });

    async function write(spans: Span[], extra: Parameters<typeof spanBatch>[1] = {}): Promise<void> {
      await store.writeSpans(spanBatch(spans, extra));
      await opened.flush?.();
    }

    const sortById = (spans: Span[]) => [...spans].sort((a, b) => a.spanId.localeCompare(b.spanId));

    describe('getTrace', () => {
      it('round-trips a span with every attribute kind, events and links', async () => {
        const traceId = newTraceId();
        const span = makeSpan({
          traceId,
          service: uniq('rt'),
          name: 'GET /orders/{id}',
          kind: 'client',
          durationUs: 12_345,
          status: { code: 'error', message: 'boom: "quoted" \\ backslash' },
          attributes: {
            str: 'text',
            empty: '',
            unicode: 'Grüße 日本語 🚀',
            int: 42,
            negative: -7,
            float: 3.25,
            big: 2 ** 52 + 1,
            yes: true,
            no: false,
            nothing: null,
            list: ['a', 1, true, null],
            nested: { inner: { deep: [1, { x: 'y' }] } },
            'key.with.dots': 'v',
          },
          resource: { 'service.name': 'rt', 'host.name': 'h1', 'process.pid': 1234 },
          events: [
            { timeUs: BASE_US + 10, name: 'exception', attributes: { 'exception.message': 'bad', code: 3 } },
            { timeUs: BASE_US + 20, name: 'retry', attributes: {} },
          ],
          links: [{ traceId: newTraceId(), spanId: newSpanId(), attributes: { reason: 'batch', n: 2 } }],
          scope: { name: '@acme/instr', version: '2.3.4' },
        });
        await write([span]);
        expect(await store.getTrace(traceId)).toEqual([span]);
      });

      it('returns [] for an unknown trace', async () => {
        expect(await store.getTrace(newTraceId())).toEqual([]);
      });

      it('returns all spans of a trace ordered by start time', async () => {
        const spans = makeTrace({ spans: 5 });
        const shuffled = [spans[3], spans[0], spans[4], spans[2], spans[1]];
        await write(shuffled.slice(0, 2));
        await write(shuffled.slice(2));
        const got = await store.getTrace(spans[0].traceId);
        expect(got.map((s) => s.spanId)).toEqual(spans.map((s) => s.spanId));
        expect(got).toEqual(spans);
      });

      it('keeps traces apart', async () => {
        const a = makeTrace({ spans: 2 });
        const b = makeTrace({ spans: 3 });
        await write([...a, ...b]);
        expect(sortById(await store.getTrace(a[0].traceId))).toEqual(sortById(a));
        expect(sortById(await store.getTrace(b[0].traceId))).toEqual(sortById(b));
      });

      it('getTraces gives each trace as getTrace does, in one read; unknown ids have no entry, a replay shows nothing twice', async () => {
        const a = makeTrace({ spans: 3 });
        const b = makeTrace({ spans: 2 });
        await write([...a, ...b]);
        await write(a); // replayed
        const unknown = newTraceId();
        const got = await store.getTraces([b[0].traceId, a[0].traceId, unknown, a[0].traceId]);
        expect([...got.keys()].sort()).toEqual([a[0].traceId, b[0].traceId].sort());
        expect(got.get(a[0].traceId)).toEqual(await store.getTrace(a[0].traceId));
        expect(got.get(a[0].traceId)).toEqual(a);
        expect(got.get(b[0].traceId)).toEqual(b);
        expect((await store.getTraces([])).size).toBe(0);
      });

      it('getTraces refuses more than SPAN_READ_LIMITS.traceIdsPerRead ids, naming traceIds', async () => {
        const ids = Array.from({ length: SPAN_READ_LIMITS.traceIdsPerRead + 1 }, () => newTraceId());
        await expect(store.getTraces(ids)).rejects.toMatchObject({ parameter: 'traceIds' });
        expect((await store.getTraces(ids.slice(1))).size).toBe(0);
      });
    });

    describe('idempotent writes', () => {
      it('a replayed batch changes nothing, summaries included', async () => {
        const service = uniq('replay');
        const spans = makeTrace({
          service,
          spans: 4,
          overrides: (i) => (i === 2 ? { status: { code: 'error', message: 'x' } } : {}),
        });
        const batch = spanBatch(spans, {
          businessKeys: [{ key: 'order.id', value: uniq('ORD'), traceId: spans[0].traceId, timeUs: BASE_US }],
        });
        await store.writeSpans(batch);
        await opened.flush?.();
        const before = await store.findTraces({ service, limit: 10 });
        await store.writeSpans(batch);
        await store.writeSpans(batch);
        await opened.flush?.();
        expect(await store.getTrace(spans[0].traceId)).toHaveLength(4);
        const after = await store.findTraces({ service, limit: 10 });
        expect(after).toEqual(before);
        expect(after).toHaveLength(1);
        expect(after[0].spanCount).toBe(4);
        expect(after[0].errorCount).toBe(1);
        expect(await store.tracesByBusinessKey('order.id', batch.businessKeys[0].value, {}, 10)).toEqual([
          spans[0].traceId,
        ]);
      });

      it('a batch overlapping an earlier one counts only the new spans', async () => {
        const service = uniq('overlap');
        const spans = makeTrace({ service, spans: 6 });
        await write(spans.slice(0, 4));
        await write(spans.slice(2));
        const [summary] = await store.findTraces({ service, limit: 10 });
        expect(summary.spanCount).toBe(6);
        expect(await store.getTrace(spans[0].traceId)).toHaveLength(6);
      });
    });

    describeTraceSearchContract(() => store, write);
    describeAnomalyContract(() => store, async () => opened.flush?.());

    describe('findTraces', () => {
      it('finds traces by any service that took part, with a summary', async () => {
        const front = uniq('front');
        const back = uniq('back');
        const spans = makeTrace({
          service: front,
          spans: 4,
          startUs: BASE_US,
          durationUs: 5000,
          rootName: 'GET /checkout',
          overrides: (i) =>
            i >= 2
              ? { service: back, resource: { 'service.name': back }, status: { code: 'error', message: 'e' } }
              : {},
        });
        await write(spans);
        for (const service of [front, back]) {
          const found = await store.findTraces({ service, limit: 10 });
          expect(found).toHaveLength(1);
          expect(found[0]).toEqual({
            traceId: spans[0].traceId,
            rootService: front,
            rootName: 'GET /checkout',
            startUs: BASE_US,
            durationUs: 5000,
            spanCount: 4,
            errorCount: 2,
            services: [back, front].sort(),
            matchingSpans: expect.any(Array), // trace-search.contract.ts
          });
        }
        expect(await store.findTraces({ service: uniq('nobody'), limit: 10 })).toEqual([]);
      });

      it('matches an operation only within the given service', async () => {
        const a = uniq('opsa');
        const b = uniq('opsb');
        const t1 = makeTrace({ service: a, rootName: 'shared-op' });
        const t2 = makeTrace({ service: b, rootName: 'shared-op' });
        const t3 = makeTrace({ service: a, rootName: 'other-op' });
        await write([...t1, ...t2, ...t3]);
        const ids = async (q: { service?: string; operation?: string }) =>
          (await store.findTraces({ ...q, limit: 10 })).map((t) => t.traceId).sort();
        expect(await ids({ service: a, operation: 'shared-op' })).toEqual([t1[0].traceId]);
        expect(await ids({ service: b, operation: 'shared-op' })).toEqual([t2[0].traceId]);
        expect(await ids({ service: a, operation: 'child-1' })).toEqual([t1[0].traceId, t3[0].traceId].sort());
        expect(await ids({ service: b, operation: 'other-op' })).toEqual([]);
      });

      it('filters by attributes on any span, all filters required, numbers and booleans by their text', async () => {
        const service = uniq('attrs');
        const order = uniq('ORD');
        const t1 = makeTrace({
          service,
          spans: 3,
          overrides: (i): Partial<Span> =>
            i === 1
              ? { attributes: { 'order.id': order, 'http.status_code': 503, retried: true, ratio: 0.5 } }
              : i === 2
                ? { attributes: { 'customer.tier': 'gold' } }
                : {},
        });
        const t2 = makeTrace({
          service,
          overrides: (i) => (i === 1 ? { attributes: { 'order.id': order, 'http.status_code': 200 } } : {}),
        });
        await write([...t1, ...t2]);
        const ids = async (attributes: { key: string; value: string }[]) =>
          (await store.findTraces({ service, attributes, limit: 10 })).map((t) => t.traceId).sort();
        expect(await ids([{ key: 'order.id', value: order }])).toEqual([t1[0].traceId, t2[0].traceId].sort());
        expect(await ids([{ key: 'http.status_code', value: '503' }])).toEqual([t1[0].traceId]);
        expect(await ids([{ key: 'retried', value: 'true' }])).toEqual([t1[0].traceId]);
        expect(await ids([{ key: 'ratio', value: '0.5' }])).toEqual([t1[0].traceId]);
        // two filters matched by two different spans of the same trace
        expect(
          await ids([
            { key: 'order.id', value: order },
            { key: 'customer.tier', value: 'gold' },
          ]),
        ).toEqual([t1[0].traceId]);
        expect(await ids([{ key: 'order.id', value: order.toUpperCase() + 'X' }])).toEqual([]);
        expect(await ids([{ key: 'order.idx', value: order }])).toEqual([]);
        // without a service filter too
        expect(
          (await store.findTraces({ attributes: [{ key: 'customer.tier', value: 'gold' }, { key: 'order.id', value: order }], limit: 10 })).map(
            (t) => t.traceId,
          ),
        ).toEqual([t1[0].traceId]);
      });

      describe('tag search (attribute or business-key equality)', () => {
        // Backends may answer these from an index or by walking the window: the answers must be the same.
        const ids = async (q: Omit<Parameters<SpanStore['findTraces']>[0], 'limit'> & { limit?: number }) =>
          (await store.findTraces({ limit: 10, ...q })).map((t) => t.traceId);
        const tag = (key: string, value: string) => ({ key, value });

        it('finds a 1-hit tag on a span, event or resource attribute or a business key only', async () => {
          const service = uniq('tag1');
          const other = uniq('tag1-other');
          const order = uniq('ORD');
          const pod = uniq('pod');
          const logOrder = uniq('ORD-LOG');
          const errorId = uniq('err');
          const hit = makeTrace({
            service,
            spans: 3,
            startUs: BASE_US + 10_000_000,
            durationUs: 40_000,
            rootName: 'POST /orders',
            overrides: (i): Partial<Span> =>
              i === 2
                ? {
                    attributes: { 'order.id': order },
                    resource: { 'service.name': service, 'k8s.pod.name': pod },
                    events: [{ timeUs: BASE_US + 10_000_100, name: 'exception', attributes: { 'exception.id': errorId } }],
                  }
                : {},
          });
          const decoy = makeTrace({ service, startUs: BASE_US + 11_000_000, overrides: (i) => (i === 1 ? { attributes: { 'order.id': `${order}0` } } : {}) });
          const keyedOnly = makeTrace({ service: other, startUs: BASE_US + 12_000_000, durationUs: 5_000, rootName: 'consume' });
          await write([...hit, ...decoy, ...keyedOnly], {
            businessKeys: [{ key: 'order.id', value: logOrder, traceId: keyedOnly[0].traceId, timeUs: BASE_US + 9_000_000 }],
          });
          const h = hit[0].traceId;
          const k = keyedOnly[0].traceId;

          expect(await ids({ attributes: [tag('order.id', order)] })).toEqual([h]);
          expect(await ids({ attributes: [tag('k8s.pod.name', pod)] })).toEqual([h]);
          expect(await ids({ attributes: [tag('exception.id', errorId)] })).toEqual([h]);
          expect(await ids({ attributes: [tag('order.id', logOrder)] })).toEqual([k]);
          // combined with service, operation, duration and window
          expect(await ids({ service, attributes: [tag('order.id', order)] })).toEqual([h]);
          expect(await ids({ service: other, attributes: [tag('order.id', order)] })).toEqual([]);
          expect(await ids({ service: other, operation: 'consume', attributes: [tag('order.id', logOrder)] })).toEqual([k]);
          expect(await ids({ service, operation: 'POST /orders', attributes: [tag('order.id', order)] })).toEqual([h]);
          expect(await ids({ service, operation: 'child-1', attributes: [tag('order.id', order)] })).toEqual([h]);
          expect(await ids({ service, operation: 'GET /root', attributes: [tag('order.id', order)] })).toEqual([]);
          expect(await ids({ minDurationUs: 40_000, attributes: [tag('order.id', order)] })).toEqual([h]);
          expect(await ids({ minDurationUs: 40_001, attributes: [tag('order.id', order)] })).toEqual([]);
          expect(await ids({ maxDurationUs: 5_000, attributes: [tag('order.id', logOrder)] })).toEqual([k]);
          expect(await ids({ startUs: BASE_US + 10_000_000, endUs: BASE_US + 10_000_000, attributes: [tag('order.id', order)] })).toEqual([h]);
          expect(await ids({ startUs: BASE_US + 10_000_001, attributes: [tag('order.id', order)] })).toEqual([]);
          expect(await ids({ endUs: BASE_US + 9_999_999, attributes: [tag('order.id', order)] })).toEqual([]);
          // a business key's own time does not place the trace: the trace's start does
          expect(await ids({ startUs: BASE_US + 11_500_000, attributes: [tag('order.id', logOrder)] })).toEqual([k]);
          // two tags, on different spans (and one from the resource)
          expect(await ids({ attributes: [tag('order.id', order), tag('k8s.pod.name', pod)] })).toEqual([h]);
          expect(await ids({ attributes: [tag('order.id', order), tag('order.id', logOrder)] })).toEqual([]);
          // exact equality: no prefix, case or key confusion
          expect(await ids({ attributes: [tag('order.id', order.slice(0, -1))] })).toEqual([]);
          // (lower case: the id's hex part may be all digits, and the ORD prefix is upper case already)
          expect(await ids({ attributes: [tag('order.id', order.toLowerCase())] })).toEqual([]);
          expect(await ids({ attributes: [tag('customer.id', order)] })).toEqual([]);
          expect(await ids({ attributes: [tag('order.id', uniq('ORD-none'))] })).toEqual([]);
        });

        it('finds a many-hit tag newest first within limit, window and service', async () => {
          const a = uniq('tagmany-a');
          const b = uniq('tagmany-b');
          const method = uniq('GET');
          const traces = Array.from({ length: 30 }, (_, i) =>
            makeTrace({
              service: i % 3 === 0 ? b : a,
              startUs: BASE_US + 20_000_000 + i * 1_000,
              durationUs: 1_000 + i * 100,
              overrides: (j) => (j === 1 ? { attributes: { 'http.request.method': method, seq: i } } : {}),
            }),
          );
          // written out of order, in two batches
          const shuffled = [...traces].reverse();
          await write(shuffled.slice(0, 15).flat());
          await write(shuffled.slice(15).flat());
          const idOf = (i: number) => traces[i][0].traceId;
          const newestFirst = (indexes: number[]) => [...indexes].sort((x, y) => y - x).map(idOf);
          const all = Array.from({ length: 30 }, (_, i) => i);

          expect(await ids({ attributes: [tag('http.request.method', method)], limit: 100 })).toEqual(newestFirst(all));
          expect(await ids({ attributes: [tag('http.request.method', method)], limit: 5 })).toEqual(newestFirst(all).slice(0, 5));
          expect(await ids({ service: b, attributes: [tag('http.request.method', method)], limit: 100 })).toEqual(
            newestFirst(all.filter((i) => i % 3 === 0)),
          );
          expect(
            await ids({
              startUs: BASE_US + 20_000_000 + 10_000,
              endUs: BASE_US + 20_000_000 + 19_000,
              attributes: [tag('http.request.method', method)],
              limit: 100,
            }),
          ).toEqual(newestFirst(all.filter((i) => i >= 10 && i <= 19)));
          expect(
            await ids({ service: a, minDurationUs: 2_500, maxDurationUs: 3_000, attributes: [tag('http.request.method', method)], limit: 100 }),
          ).toEqual(newestFirst(all.filter((i) => i % 3 !== 0 && i >= 15 && i <= 20)));
          // a many-hit tag with a 1-hit one
          expect(await ids({ attributes: [tag('http.request.method', method), tag('seq', '17')] })).toEqual([idOf(17)]);
          expect(await ids({ service: b, attributes: [tag('seq', '17'), tag('http.request.method', method)] })).toEqual([]);
        });

        it('matches values of any length and characters exactly', async () => {
          const service = uniq('tagvalues');
          const long = `${uniq('stmt')} ${'x'.repeat(5_000)}`;
          const odd = `${uniq('v')}:with:colons "quotes" \\ ünï 🚀`;
          const t = makeTrace({ service, overrides: (i) => (i === 1 ? { attributes: { 'db.statement': long, 'odd:key': odd, empty: '' } } : {}) });
          await write(t);
          expect(await ids({ attributes: [tag('db.statement', long)] })).toEqual([t[0].traceId]);
          expect(await ids({ attributes: [tag('db.statement', long.slice(0, -1))] })).toEqual([]);
          expect(await ids({ attributes: [tag('odd:key', odd)] })).toEqual([t[0].traceId]);
          expect(await ids({ service, attributes: [tag('empty', '')] })).toEqual([t[0].traceId]);
        });
      });

      it('filters by duration bounds (inclusive)', async () => {
        const service = uniq('dur');
        const short = makeTrace({ service, durationUs: 1_000 });
        const mid = makeTrace({ service, durationUs: 50_000 });
        const long = makeTrace({ service, durationUs: 2_000_000 });
        await write([...short, ...mid, ...long]);
        const ids = async (q: { minDurationUs?: number; maxDurationUs?: number }) =>
          (await store.findTraces({ service, ...q, limit: 10 })).map((t) => t.traceId).sort();
        expect(await ids({ minDurationUs: 50_000 })).toEqual([mid[0].traceId, long[0].traceId].sort());
        expect(await ids({ maxDurationUs: 50_000 })).toEqual([short[0].traceId, mid[0].traceId].sort());
        expect(await ids({ minDurationUs: 2_000, maxDurationUs: 1_000_000 })).toEqual([mid[0].traceId]);
      });

      it('filters by a time window on trace start and returns newest first within limit', async () => {
        const service = uniq('window');
        const traces = [0, 1, 2, 3, 4].map((i) => makeTrace({ service, startUs: BASE_US + i * 1_000_000 }));
        // written out of order
        await write([...traces[2], ...traces[0], ...traces[4], ...traces[1], ...traces[3]]);
        const all = await store.findTraces({ service, limit: 10 });
        expect(all.map((t) => t.traceId)).toEqual([4, 3, 2, 1, 0].map((i) => traces[i][0].traceId));
        const windowed = await store.findTraces({
          service,
          startUs: BASE_US + 1_000_000,
          endUs: BASE_US + 3_000_000,
          limit: 10,
        });
        expect(windowed.map((t) => t.traceId)).toEqual([3, 2, 1].map((i) => traces[i][0].traceId));
        const limited = await store.findTraces({ service, limit: 2 });
        expect(limited.map((t) => t.traceId)).toEqual([4, 3].map((i) => traces[i][0].traceId));
        expect(await store.findTraces({ service, limit: 0 })).toEqual([]);
      });

      it('detects the root when it arrives last, and uses the earliest span until then', async () => {
        const service = uniq('lateroot');
        const spans = makeTrace({ service, spans: 4, rootName: 'the-root', startUs: BASE_US, durationUs: 9_000 });
        const children = spans.slice(1);
        await write([children[2], children[1]]);
        let [summary] = await store.findTraces({ service, limit: 1 });
        expect(summary.rootName).toBe(children[1].name); // earliest span so far
        expect(summary.spanCount).toBe(2);
        await write([children[0]]);
        [summary] = await store.findTraces({ service, limit: 1 });
        expect(summary.rootName).toBe(children[0].name);
        await write([spans[0]]);
        [summary] = await store.findTraces({ service, limit: 1 });
        expect(summary.rootName).toBe('the-root');
        expect(summary.rootService).toBe(service);
        expect(summary.startUs).toBe(BASE_US);
        expect(summary.durationUs).toBe(9_000);
        expect(summary.spanCount).toBe(4);
        // a later, non-root span does not displace the real root
        await write([makeSpan({ traceId: spans[0].traceId, service, parentSpanId: spans[0].spanId, name: 'late', startUs: BASE_US - 500 })]);
        [summary] = await store.findTraces({ service, limit: 1 });
        expect(summary.rootName).toBe('the-root');
        expect(summary.startUs).toBe(BASE_US - 500);
        expect(summary.durationUs).toBe(9_500);
      });
    });

    describe('services and operations', () => {
      it('lists services and their operations sorted and distinct', async () => {
        const s1 = uniq('zz-list');
        const s2 = uniq('aa-list');
        await write([
          ...makeTrace({ service: s1, rootName: 'b-op', spans: 1 }),
          ...makeTrace({ service: s1, rootName: 'a-op', spans: 1 }),
          ...makeTrace({ service: s1, rootName: 'b-op', spans: 1 }),
          ...makeTrace({ service: s2, rootName: 'only', spans: 1 }),
        ]);
        const services = await store.services();
        expect(services).toEqual(expect.arrayContaining([s1, s2]));
        expect(services).toEqual([...services].sort());
        expect(new Set(services).size).toBe(services.length);
        expect(await store.operations(s1)).toEqual(['a-op', 'b-op']);
        expect(await store.operations(s2)).toEqual(['only']);
        expect(await store.operations(uniq('unknown'))).toEqual([]);
      });
    });

    describe('business keys', () => {
      it('returns traces carrying key=value newest first, within a window and limit', async () => {
        const value = uniq('ORD');
        const traces = [newTraceId(), newTraceId(), newTraceId()];
        const keys: BusinessKeyEntry[] = traces.map((traceId, i) => ({
          key: 'order.id',
          value,
          traceId,
          timeUs: BASE_US + i * 1_000,
        }));
        await write(
          traces.map((traceId, i) => makeSpan({ traceId, startUs: BASE_US + i * 1_000 })),
          { businessKeys: [keys[1], keys[0], keys[2], { ...keys[0], key: 'customer.id' }] },
        );
        expect(await store.tracesByBusinessKey('order.id', value, {}, 10)).toEqual([...traces].reverse());
        expect(await store.tracesByBusinessKey('order.id', value, {}, 2)).toEqual([traces[2], traces[1]]);
        expect(
          await store.tracesByBusinessKey('order.id', value, { startUs: BASE_US + 500, endUs: BASE_US + 1_500 }, 10),
        ).toEqual([traces[1]]);
        expect(await store.tracesByBusinessKey('customer.id', value, {}, 10)).toEqual([traces[0]]);
        expect(await store.tracesByBusinessKey('order.id', uniq('none'), {}, 10)).toEqual([]);
      });

      it('indexes keys written without spans (keys found in log lines) and keeps the earliest time on replay', async () => {
        const value = uniq('ORD-LOG');
        const traceId = newTraceId();
        const entry: BusinessKeyEntry = { key: 'order.id', value, traceId, timeUs: BASE_US + 5_000 };
        await write([], { businessKeys: [entry] });
        await write([], { businessKeys: [{ ...entry, timeUs: BASE_US + 9_000 }] });
        expect(await store.tracesByBusinessKey('order.id', value, {}, 10)).toEqual([traceId]);
        expect(await store.tracesByBusinessKey('order.id', value, { startUs: BASE_US + 4_000, endUs: BASE_US + 6_000 }, 10)).toEqual([traceId]);
      });
    });

    describe('linkedTraces', () => {
      const key = (l: TraceLinkEntry) => `${l.kind}:${l.fromTraceId}/${l.fromSpanId}->${l.toTraceId}/${l.toSpanId}`;

      it('finds span links in both directions', async () => {
        const a = makeSpan({ traceId: newTraceId() });
        const b = makeSpan({ traceId: newTraceId() });
        const link: TraceLinkEntry = {
          fromTraceId: b.traceId,
          fromSpanId: b.spanId,
          toTraceId: a.traceId,
          toSpanId: a.spanId,
          kind: 'link',
          timeUs: BASE_US,
        };
        await write([a, b], { traceLinks: [link] });
        expect(await store.linkedTraces([b.traceId])).toEqual([link]);
        expect(await store.linkedTraces([a.traceId])).toEqual([link]);
        expect((await store.linkedTraces([a.traceId, b.traceId])).map(key)).toEqual([key(link)]);
        expect(await store.linkedTraces([newTraceId()])).toEqual([]);
        expect(await store.linkedTraces([])).toEqual([]);
      });

      it('pairs producer and consumer spans that share a messaging id', async () => {
        const producer = makeSpan({ traceId: newTraceId(), kind: 'producer', startUs: BASE_US });
        const consumer1 = makeSpan({ traceId: newTraceId(), kind: 'consumer', startUs: BASE_US + 100 });
        const consumer2 = makeSpan({ traceId: newTraceId(), kind: 'consumer', startUs: BASE_US + 200 });
        const messageId = uniq('msg');
        const entries: MessageIdEntry[] = [
          { messageId, traceId: consumer1.traceId, spanId: consumer1.spanId, side: 'consumer', timeUs: BASE_US + 100 },
          { messageId, traceId: producer.traceId, spanId: producer.spanId, side: 'producer', timeUs: BASE_US },
        ];
        await write([producer, consumer1], { messageIds: entries });
        // the second consumer (a redelivery elsewhere) arrives in a later batch
        await write([consumer2], {
          messageIds: [{ messageId, traceId: consumer2.traceId, spanId: consumer2.spanId, side: 'consumer', timeUs: BASE_US + 200 }],
        });
        const pair = (c: Span) => ({
          fromTraceId: producer.traceId,
          fromSpanId: producer.spanId,
          toTraceId: c.traceId,
          toSpanId: c.spanId,
          kind: 'message',
        });
        const fromProducer = await store.linkedTraces([producer.traceId]);
        expect(fromProducer.map((l) => ({ ...l, timeUs: undefined }))).toEqual(
          expect.arrayContaining([pair(consumer1), pair(consumer2)].map((p) => ({ ...p, timeUs: undefined }))),
        );
        expect(fromProducer).toHaveLength(2);
        const fromConsumer = await store.linkedTraces([consumer1.traceId]);
        expect(fromConsumer).toHaveLength(1);
        expect(fromConsumer[0]).toMatchObject(pair(consumer1));
        expect(typeof fromConsumer[0].timeUs).toBe('number');
        // an unpaired messaging id joins nothing
        const lonely = makeSpan({ traceId: newTraceId(), kind: 'producer' });
        await write([lonely], {
          messageIds: [{ messageId: uniq('msg'), traceId: lonely.traceId, spanId: lonely.spanId, side: 'producer', timeUs: BASE_US }],
        });
        expect(await store.linkedTraces([lonely.traceId])).toEqual([]);
      });
    });

    describe('traceSummaries', () => {
      it('summarises the given traces and leaves unknown ids out', async () => {
        const service = uniq('sum');
        const a = makeTrace({ service, spans: 3, durationUs: 5_000, overrides: (i) => (i === 1 ? { status: { code: 'error', message: 'x' } } : {}) });
        const b = makeTrace({ service, spans: 2, startUs: BASE_US + 1_000, durationUs: 2_000, rootName: 'consume' });
        await write([...a, ...b]);
        await write(a); // a replay changes nothing
        const got = await store.traceSummaries([b[0].traceId, newTraceId(), a[0].traceId, a[0].traceId]);
        const byId = new Map(got.map((s) => [s.traceId, s]));
        expect(got).toHaveLength(2);
        expect(byId.get(a[0].traceId)).toEqual({
          traceId: a[0].traceId,
          rootService: service,
          rootName: 'GET /root',
          startUs: BASE_US,
          durationUs: 5_000,
          spanCount: 3,
          errorCount: 1,
          services: [service],
        });
        expect(byId.get(b[0].traceId)).toMatchObject({ rootName: 'consume', startUs: BASE_US + 1_000, durationUs: 2_000, spanCount: 2, errorCount: 0 });
        expect(await store.traceSummaries([])).toEqual([]);
        expect(await store.traceSummaries([newTraceId()])).toEqual([]);
      });
    });

    describe('slowestBusinessKeys', () => {
      it('ranks values first seen in the window by the span of their traces, slowest first', async () => {
        const key = uniq('bk'); // a key of its own keeps older data out
        const t0 = BASE_US + 10_000_000;
        const [fast, slow, middle, early] = [uniq('ORD'), uniq('ORD'), uniq('ORD'), uniq('ORD')];
        // fast: one trace of 1 ms; slow: two traces 0..1 ms and 9..10 ms (10 ms end to end); middle: 5 ms
        const fastTrace = makeTrace({ startUs: t0, durationUs: 1_000 });
        const slowA = makeTrace({ startUs: t0 + 100, durationUs: 1_000 });
        const slowB = makeTrace({ startUs: t0 + 9_100, durationUs: 1_000 });
        const middleTrace = makeTrace({ startUs: t0 + 200, durationUs: 5_000 });
        // early: first seen before the window, seen again inside it: not a value of this window
        const earlyA = makeTrace({ startUs: t0 - 5_000_000, durationUs: 1_000 });
        const earlyB = makeTrace({ startUs: t0 + 300, durationUs: 50_000 });
        const entry = (value: string, spans: Span[]): BusinessKeyEntry => ({ key, value, traceId: spans[0].traceId, timeUs: spans[0].startUs });
        const batch = {
          businessKeys: [
            entry(fast, fastTrace),
            entry(slow, slowA),
            entry(slow, slowB),
            entry(middle, middleTrace),
            entry(early, earlyA),
            entry(early, earlyB),
          ],
        };
        await write([...fastTrace, ...slowA, ...slowB, ...middleTrace, ...earlyA, ...earlyB], batch);
        await write([...slowA, ...slowB], batch); // replayed: nothing shows twice

        const window = { startUs: t0 - 1_000_000, endUs: t0 + 1_000_000 };
        const got = await store.slowestBusinessKeys(key, window, 10);
        expect(got.map((k) => k.value)).toEqual([slow, middle, fast]);
        expect(got[0]).toEqual({
          value: slow,
          traceIds: expect.arrayContaining([slowA[0].traceId, slowB[0].traceId]),
          startUs: t0 + 100,
          endUs: t0 + 10_100,
        });
        expect(got[0].traceIds).toHaveLength(2);
        expect(got[1]).toMatchObject({ value: middle, traceIds: [middleTrace[0].traceId], startUs: t0 + 200, endUs: t0 + 5_200 });
        expect((await store.slowestBusinessKeys(key, window, 2)).map((k) => k.value)).toEqual([slow, middle]);
        // the whole history: early counts too, and is the slowest
        expect((await store.slowestBusinessKeys(key, {}, 1))[0]).toMatchObject({ value: early, startUs: t0 - 5_000_000 });
        // a window holding only the second trace of slow (first seen earlier) lists nothing for it
        const later = await store.slowestBusinessKeys(key, { startUs: t0 + 9_000, endUs: t0 + 9_500 }, 10);
        expect(later).toEqual([]);
        expect(await store.slowestBusinessKeys(uniq('nokey'), window, 10)).toEqual([]);
      });
    });

    describeTopologyContract(() => store, async () => {
      await opened.flush?.();
    });
    describeOrderRollupContract(() => store, async () => {
      await opened.flush?.();
    });
  });
}

import type { SpanStore, TraceQuery } from '../../core/contracts/span-store';
import { MAX_MATCHING_SPANS, TRACE_SORTS, sortKey, type TraceSort } from '../../core/contracts/trace-search';
import type { Span, StatusCode } from '../../core/model';
import { BASE_US, makeSpan, makeTrace, uniq } from './fixtures';

/**
 * Trace search beyond "which traces": status filters, span-level duration, sort orders with paging,
 * and the matching spans of each hit (rules in core/contracts/trace-search.ts). Run inside
 * describeSpanStoreContract on its started store.
 */
export function describeTraceSearchContract(getStore: () => SpanStore, write: (spans: Span[]) => Promise<void>): void {
  describe('trace search: status, span duration, sort, matching spans', () => {
    const front = uniq('front');
    const pay = uniq('pay');
    const run = uniq('RUN'); // carried by every root as order.id: scopes the queries without a service
    const t0 = BASE_US + 50_000_000;

    /** A front root with pay children, each child given as [name, durationUs, status]. */
    function trace(startUs: number, durationUs: number, children: Array<[string, number, StatusCode]>): Span[] {
      const root = makeSpan({ service: front, name: 'GET /checkout', startUs, durationUs, attributes: { 'order.id': run } });
      return [
        root,
        ...children.map(([name, d, code], i) =>
          makeSpan({
            traceId: root.traceId,
            parentSpanId: root.spanId,
            service: pay,
            name,
            startUs: startUs + 10 + i,
            durationUs: d,
            status: { code, message: code === 'error' ? 'declined' : '' },
          }),
        ),
      ];
    }
    // A: slow fraud check (ok), failed charge; B: the longest trace, quick fraud check; C and D: the same
    // trace duration (a tie for duration sorts), C's fraud check failed
    const a = trace(t0 + 1000, 10_000, [['fraud check', 8_000, 'ok'], ['charge', 700, 'error']]);
    const b = trace(t0 + 2000, 20_000, [['fraud check', 500, 'unset'], ['charge', 15_000, 'unset']]);
    const c = trace(t0 + 3000, 3_000, [['fraud check', 2_000, 'error']]);
    const d = trace(t0 + 4000, 3_000, [['fraud check', 100, 'ok']]);
    const id = { a: a[0].traceId, b: b[0].traceId, c: c[0].traceId, d: d[0].traceId };

    beforeAll(async () => {
      await write([...a, ...b, ...c, ...d]);
    });

    const find = (q: Omit<TraceQuery, 'limit'> & { limit?: number }) => getStore().findTraces({ limit: 10, ...q });
    const ids = async (q: Omit<TraceQuery, 'limit'> & { limit?: number }) => (await find(q)).map((t) => t.traceId);
    const mine = { attributes: [{ key: 'order.id', value: run }] };

    it('status error with no service: traces with any span in error', async () => {
      expect(await ids({ ...mine, status: 'error' })).toEqual([id.c, id.a]);
      expect(await ids({ ...mine, status: 'error', startUs: t0 + 2500 })).toEqual([id.c]);
    });

    it('status with a service or operation: one span of it has that status', async () => {
      expect(await ids({ service: pay, status: 'error' })).toEqual([id.c, id.a]);
      expect(await ids({ service: pay, operation: 'fraud check', status: 'error' })).toEqual([id.c]);
      expect(await ids({ service: front, status: 'error' })).toEqual([]); // the roots never failed
      expect(await ids({ service: pay, operation: 'fraud check', status: 'ok' })).toEqual([id.d, id.a]);
      expect(await ids({ service: pay, status: 'unset' })).toEqual([id.b]);
      expect(await ids({ ...mine, status: 'ok' })).toEqual([id.d, id.a]);
      expect(await ids({ service: pay, operation: 'charge', status: 'error', ...mine })).toEqual([id.a]);
    });

    it('duration with an operation: that span took it (Jaeger); without: the trace took it', async () => {
      expect(await ids({ service: pay, operation: 'fraud check', minDurationUs: 1_000 })).toEqual([id.c, id.a]);
      expect(await ids({ service: pay, operation: 'fraud check', maxDurationUs: 600 })).toEqual([id.d, id.b]);
      expect(await ids({ operation: 'fraud check', minDurationUs: 1_000, maxDurationUs: 2_000, ...mine })).toEqual([id.c]);
      // the charge of B took 15 ms, but no fraud check did: one span must meet every condition together
      expect(await ids({ service: pay, operation: 'fraud check', minDurationUs: 10_000 })).toEqual([]);
      expect(await ids({ service: pay, minDurationUs: 10_000 })).toEqual([id.b, id.a]);
      expect(await ids({ service: pay, maxDurationUs: 3_000 })).toEqual([id.d, id.c]);
      // status and span duration on the same span
      expect(await ids({ service: pay, operation: 'fraud check', status: 'ok', minDurationUs: 1_000 })).toEqual([id.a]);
    });

    it('sorts newest, oldest, longest and shortest (ties by trace id in the same direction)', async () => {
      const [lowTie, highTie] = [id.c, id.d].sort();
      expect(await ids({ service: pay })).toEqual([id.d, id.c, id.b, id.a]);
      expect(await ids({ service: pay, sort: 'newest' })).toEqual([id.d, id.c, id.b, id.a]);
      expect(await ids({ service: pay, sort: 'oldest' })).toEqual([id.a, id.b, id.c, id.d]);
      expect(await ids({ service: pay, sort: 'longest' })).toEqual([id.b, id.a, highTie, lowTie]);
      expect(await ids({ service: pay, sort: 'shortest' })).toEqual([lowTie, highTie, id.a, id.b]);
      expect(await ids({ ...mine, sort: 'longest', limit: 2 })).toEqual([id.b, id.a]);
      expect(await ids({ service: pay, status: 'error', sort: 'oldest' })).toEqual([id.a, id.c]);
    });

    it('pages after a cursor in every sort: one hit per page gives the whole list, no repeat, no gap', async () => {
      for (const sort of TRACE_SORTS) {
        for (const scope of [{ service: pay }, mine]) {
          const whole = await ids({ ...scope, sort });
          const paged: string[] = [];
          let after: TraceQuery['after'];
          for (let page = 0; page < 6; page++) {
            const [hit] = await find({ ...scope, sort, after, limit: 1 });
            if (hit === undefined) break;
            paged.push(hit.traceId);
            after = { key: sortKey(sort as TraceSort, hit), traceId: hit.traceId };
          }
          expect({ sort, paged }).toEqual({ sort, paged: whole });
        }
      }
    });

    it('each hit lists its matching spans: errors first, then longest, at most MAX_MATCHING_SPANS', async () => {
      const [hitA] = await find({ service: pay, operation: 'charge', status: 'error' });
      expect(hitA.traceId).toBe(id.a);
      expect(hitA.matchingSpans).toEqual([
        { spanId: a[2].spanId, service: pay, name: 'charge', startUs: a[2].startUs, durationUs: 700, status: 'error' },
      ]);
      const byPay = await find({ service: pay, sort: 'oldest' });
      expect(byPay.map((h) => h.matchingSpans.map((s) => s.spanId))).toEqual([
        [a[2].spanId, a[1].spanId], // the error first, then the longer
        [b[2].spanId, b[1].spanId],
        [c[1].spanId],
        [d[1].spanId],
      ]);
      // only an attribute filter: the spans carrying the pair (here the roots)
      expect((await find(mine)).map((h) => h.matchingSpans.map((s) => s.spanId))).toEqual([[d[0].spanId], [c[0].spanId], [b[0].spanId], [a[0].spanId]]);
      expect((await find({ startUs: t0 + 1000, endUs: t0 + 1000 })).map((h) => h.matchingSpans)).toEqual([[]]); // no filter: none
    });

    it('with only attribute filters, lists the spans whose span or resource attributes carry a pair', async () => {
      const svc = uniq('carry');
      const pod = uniq('pod');
      const key = 'odd "key" \\ ü';
      const value = uniq('v "q" ');
      const order = uniq('ORD');
      const spans = makeTrace({
        service: svc,
        spans: 6,
        startUs: t0 + 9_000,
        overrides: (i): Partial<Span> => {
          if (i === 1) return { attributes: { 'http.status_code': 503, [key]: value }, durationUs: 50 };
          if (i === 2) return { attributes: { 'http.status_code': '503' }, durationUs: 70, status: { code: 'error', message: 'x' } };
          if (i === 3) return { attributes: { 'http.status_code': 5031 }, durationUs: 900 }; // a longer prefix: no match
          if (i === 4) return { events: [{ timeUs: t0 + 9_010, name: 'e', attributes: { 'order.id': order } }], durationUs: 999 };
          if (i === 5) return { resource: { 'service.name': svc, 'k8s.pod.name': pod }, durationUs: 60 };
          return {};
        },
      });
      await write(spans);
      const matching = async (attributes: Array<{ key: string; value: string }>) => {
        const hits = await find({ attributes });
        expect(hits.map((h) => h.traceId)).toEqual([spans[0].traceId]);
        return hits[0].matchingSpans.map((s) => s.spanId);
      };
      // a number and a string attribute with the same text both carry it; the error first, then the longer
      expect(await matching([{ key: 'http.status_code', value: '503' }, { key: 'k8s.pod.name', value: pod }])).toEqual([
        spans[2].spanId,
        spans[5].spanId,
        spans[1].spanId,
      ]);
      expect(await matching([{ key, value }])).toEqual([spans[1].spanId]);
      expect(await matching([{ key: 'k8s.pod.name', value: pod }])).toEqual([spans[5].spanId]);
      // a pair only an event carries finds the trace but names no span
      expect(await matching([{ key: 'order.id', value: order }])).toEqual([]);
      const [hit] = await find({ service: svc, attributes: [{ key: 'http.status_code', value: '503' }] });
      expect(hit.matchingSpans.length).toBe(MAX_MATCHING_SPANS); // a span-level condition decides: every span of svc
    });

    it('bounds the matching spans of a hit', async () => {
      const busy = uniq('busy');
      const spans = makeTrace({ service: busy, spans: MAX_MATCHING_SPANS + 4, startUs: t0, overrides: (i) => ({ durationUs: 100 + i }) });
      await write(spans);
      const [hit] = await find({ service: busy });
      expect(hit.matchingSpans.map((s) => s.durationUs)).toEqual(
        spans
          .map((s) => s.durationUs)
          .sort((x, y) => y - x)
          .slice(0, MAX_MATCHING_SPANS),
      );
    });
  });
}

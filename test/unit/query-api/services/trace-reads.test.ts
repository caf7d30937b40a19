import { SPAN_READ_LIMITS } from '../../../../core/contracts/read-limits';
import { readTraces } from '../../../../query-api/services/trace-reads';
import { makeTrace, spanBatch } from '../../../contract/fixtures';
import { startEmbeddedQueryApp, type EmbeddedQueryApp } from '../../../helpers/embedded-query-app';
import { recordedStore } from '../../../helpers/recorded-store';

describe('readTraces: the spans of many traces in few getTraces reads', () => {
  let app: EmbeddedQueryApp;
  const traces = Array.from({ length: SPAN_READ_LIMITS.traceIdsPerRead + 30 }, () => makeTrace({ spans: 2 }));

  beforeAll(async () => {
    app = await startEmbeddedQueryApp('trace-reads');
    await app.stores.spans.writeSpans(spanBatch(traces.flat()));
  });
  afterAll(() => app?.dispose());

  it('reads each trace once, at most traceIdsPerRead ids and about 20,000 spans (by the summaries) a read', async () => {
    const summaries = await app.stores.spans.traceSummaries(traces.map((t) => t[0].traceId));
    expect(summaries).toHaveLength(traces.length);
    const { store, calls } = recordedStore(app.stores.spans);
    // listed twice, and one trace claiming more spans than a read takes
    const big = { ...summaries[0], spanCount: 25_000 };
    const loaded = await readTraces(store, [big, ...summaries, ...summaries.slice(0, 10)]);
    expect(loaded.size).toBe(traces.length);
    for (const t of traces) expect(loaded.get(t[0].traceId)).toEqual(t);
    const reads = calls.filter((c) => c.method === 'getTraces').map((c) => (c.args[0] as string[]).length);
    // the big one alone, then the other 129 in reads of at most 100
    expect(reads).toEqual([1, SPAN_READ_LIMITS.traceIdsPerRead, traces.length - 1 - SPAN_READ_LIMITS.traceIdsPerRead]);
    expect(calls.some((c) => c.method === 'getTrace')).toBe(false);
    expect((await readTraces(store, [])).size).toBe(0);
  });
});

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openEmbeddedStores } from '../../../../storage/embedded';
import { makeSpan, makeTrace, spanBatch, uniq } from '../../../contract/fixtures';

/**
 * Spans of a trace the write creates go in many rows per statement (only a
 * span id repeated in the batch can be a duplicate there); spans of a stored
 * trace one by one, each checked against what is stored. Both must count a
 * span once, whichever way it came.
 */
describe('SpanWriter: new traces in multi-row chunks, stored traces row by row', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-span-writer-'));
  });
  afterEach(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('a new trace over several chunks, with a span id repeated in the batch: the first copy is stored, counted once', async () => {
    const { spans, logs } = openEmbeddedStores({ dataDir });
    const trace = makeTrace({ spans: 75 }); // 32 + 32 + 11 rows: two full chunks and a padded one
    const repeat = { ...trace[10], name: 'second copy', durationUs: 1 };
    await spans.writeSpans(spanBatch([...trace, repeat]));

    const stored = await spans.getTrace(trace[0].traceId);
    expect(stored).toHaveLength(75);
    expect(stored.find((s) => s.spanId === repeat.spanId)?.name).toBe(trace[10].name);
    const [summary] = await spans.findTraces({ service: trace[0].service, limit: 5 });
    expect(summary.spanCount).toBe(75);
    await spans.shutdown();
    await logs.shutdown();
  });

  it('a stored trace getting old and new spans: only the new ones are added and counted', async () => {
    const { spans, logs } = openEmbeddedStores({ dataDir });
    const trace = makeTrace({ spans: 40 });
    await spans.writeSpans(spanBatch(trace.slice(0, 25)));
    await spans.writeSpans(spanBatch(trace.slice(15))); // 10 already stored, 15 new
    await spans.writeSpans(spanBatch(trace)); // a replay: nothing new

    expect(await spans.getTrace(trace[0].traceId)).toHaveLength(40);
    const [summary] = await spans.findTraces({ service: trace[0].service, limit: 5 });
    expect(summary.spanCount).toBe(40);
    await spans.shutdown();
    await logs.shutdown();
  });

  it('a stored trace is found by the pairs of the spans a write added, not by those of copies it ignored', async () => {
    const { spans, logs } = openEmbeddedStores({ dataDir, indexedAttributes: ['order.id'] });
    const trace = makeTrace({ spans: 40 });
    await spans.writeSpans(spanBatch(trace.slice(0, 25)));
    // spans 15-24 come again with a pair they did not have: stored already, so ignored, pair and all
    const again = trace.slice(15, 25).map((s) => ({ ...s, attributes: { ...s.attributes, 'order.id': 'ORD-IGNORED', 'replay.only': 'yes' } }));
    const added = trace.slice(25).map((s) => ({ ...s, attributes: { ...s.attributes, 'order.id': 'ORD-ADDED' } }));
    await spans.writeSpans(spanBatch([...again, ...added]));

    const ids = async (key: string, value: string) =>
      (await spans.findTraces({ attributes: [{ key, value }], limit: 5 })).map((t) => t.traceId);
    expect(await ids('order.id', 'ORD-ADDED')).toEqual([trace[0].traceId]);
    expect(await ids('order.id', 'ORD-IGNORED')).toEqual([]);
    expect(await ids('replay.only', 'yes')).toEqual([]);
    await spans.shutdown();
    await logs.shutdown();
  });

  it('many new traces in one batch end up whole, each with its own count', async () => {
    const { spans, logs } = openEmbeddedStores({ dataDir });
    const traces = Array.from({ length: 30 }, (_, i) => makeTrace({ spans: 1 + (i % 7) }));
    await spans.writeSpans(spanBatch(traces.flat()));
    for (const t of traces) expect(await spans.getTrace(t[0].traceId)).toHaveLength(t.length);
    await spans.shutdown();
    await logs.shutdown();
  });

  it('the summary of a new trace is written once from its spans; later batches update it (root, counts, times)', async () => {
    const { spans, logs } = openEmbeddedStores({ dataDir });
    const trace = makeTrace({ spans: 6, startUs: 1_000_000, durationUs: 10_000, overrides: (i) => (i === 3 ? { status: { code: 'error', message: 'boom' } } : {}) });
    // children first, root later: the earliest child stands in for the root until it comes
    await spans.writeSpans(spanBatch(trace.slice(1, 4)));
    let [summary] = await spans.findTraces({ service: trace[0].service, limit: 5 });
    expect(summary).toMatchObject({ traceId: trace[0].traceId, rootName: 'child-1', spanCount: 3, errorCount: 1, startUs: 1_000_001 });
    await spans.writeSpans(spanBatch([...trace.slice(4), trace[0]]));
    [summary] = await spans.findTraces({ service: trace[0].service, limit: 5 });
    expect(summary).toMatchObject({ rootName: 'GET /root', spanCount: 6, errorCount: 1, startUs: 1_000_000, durationUs: 10_000 });
    await spans.shutdown();
    await logs.shutdown();
  });

  it('new traces created many rows a statement, one whose id has a lone surrogate (JSON input) among them: each counted once', async () => {
    const { spans, logs } = openEmbeddedStores({ dataDir });
    const odd = makeTrace({ traceId: `${'a'.repeat(30)}\ud800x`, spans: 3 });
    const many = Array.from({ length: 40 }, () => makeTrace({ spans: 2 }));
    await spans.writeSpans(spanBatch([...many.flat(), ...odd]));
    for (const t of [...many, odd]) {
      const [summary] = await spans.findTraces({ service: t[0].service, limit: 5 });
      expect(summary.spanCount).toBe(t.length);
    }
    expect(await spans.getTrace(odd[0].traceId)).toHaveLength(3);
    await spans.shutdown();
    await logs.shutdown();
  });

  it('topology planned before the transaction: a batch of new and stored traces counts each call once', async () => {
    const { spans, logs } = openEmbeddedStores({ dataDir });
    const [front, back] = [uniq('front'), uniq('back')];
    const startUs = 1_000_000_000;
    // front calls back: the server span's edge comes from its parent in another service
    const request = (i: number, late = false) => {
      const root = makeSpan({ service: front, name: 'GET /', kind: 'server', startUs: startUs + i, durationUs: 5_000 });
      const call = makeSpan({ traceId: root.traceId, service: front, name: 'GET', kind: 'client', parentSpanId: root.spanId, startUs: startUs + i, durationUs: 4_000 });
      const server = makeSpan({ traceId: root.traceId, service: back, name: 'GET /x', kind: 'server', parentSpanId: call.spanId, startUs: startUs + i, durationUs: 3_000, status: { code: late ? 'error' : 'unset', message: '' } });
      return [root, call, server];
    };
    const [a, b, c] = [request(0), request(1), request(2, true)];
    await spans.writeSpans(spanBatch(a));
    await spans.writeSpans(spanBatch(c.slice(0, 2)));
    // a again (stored: nothing new), b new, c's server span new in a stored trace (its parent stored)
    await spans.writeSpans(spanBatch([...a, ...b, c[2]]));

    const window = { startUs, endUs: startUs + 60_000_000 };
    const edge = (await spans.topology(window)).edges.find((e) => e.source === front && e.target === back);
    expect(edge).toMatchObject({ calls: 3, errors: 1 });
    const stats = await spans.serviceStats(back, window, 60_000_000);
    expect(stats.series.reduce((n, p) => n + p.calls, 0)).toBe(3);
    await spans.shutdown();
    await logs.shutdown();
  });
});

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TraceQuery } from '../../../../core/contracts/span-store';
import type { Span } from '../../../../core/model';
import { openEmbeddedStores, type EmbeddedStores } from '../../../../storage/embedded';
import { SCHEMA_VERSION } from '../../../../storage/embedded/schema';
import { SPAN_CHUNK_MAX } from '../../../../storage/embedded/span-chunk';
import { countStoredSpans } from '../../../../storage/embedded/trace-chunks';
import { BASE_US, makeTrace, spanBatch, uniq } from '../../../contract/fixtures';
import { rollBackTo } from '../../../helpers/embedded-rollback';

/**
 * Migration 11 turns a store of one row per span (schema 10) into span chunks. The old store is
 * made by writing through the current store and rolling the file back (test/helpers/embedded-rollback.ts
 * rebuilds the `spans` rows from the chunks in SQL), then opened again: what was readable must read
 * the same, and writes after the upgrade must continue the migrated traces.
 */
describe('embedded store: span rows of schema 10 carried over into span chunks', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  function open(dataDir: string): EmbeddedStores {
    return openEmbeddedStores({ dataDir, indexedAttributes: ['order.id'] });
  }
  async function close(s: EmbeddedStores): Promise<void> {
    await s.spans.shutdown();
    await s.logs.shutdown();
  }

  /** Spans with everything a span can carry, hostile texts included. */
  function richTrace(n: number, startUs: number): Span[] {
    const trace = makeTrace({ spans: n, startUs, service: uniq('svc "quoted" \\ back') });
    return trace.map((s, i) => ({
      ...s,
      kind: i === 0 ? 'server' : 'client',
      status: i % 7 === 3 ? { code: 'error', message: `boom ${i} "x"\n\u2028` } : s.status,
      durationUs: 1_000 + i * 10,
      attributes: { ...s.attributes, 'order.id': `ORD-${startUs}`, 'n.int': i, 'n.float': i + 0.5, flag: i % 2 === 0, list: ['a', i], 'emoji.😀': 'ü\u0000z' },
      events: i % 5 === 0 ? [{ name: 'exception', timeUs: s.startUs + 1, attributes: { 'exception.message': `e${i}` } }] : [],
      links: i === 1 ? [{ traceId: 'f'.repeat(32), spanId: 'e'.repeat(16), attributes: { why: 'follows' } }] : [],
      scope: { name: 'scope"x', version: '1.2.3' },
    }));
  }

  it('reads the same traces, searches and matching spans after the upgrade, and later writes continue them', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-chunk-migration-'));
    dirs.push(dataDir);
    const big = richTrace(SPAN_CHUNK_MAX * 2 + 7, BASE_US);
    const small = richTrace(3, BASE_US + 1_000_000);
    const split = richTrace(12, BASE_US + 2_000_000);
    const old = open(dataDir);
    await old.spans.writeSpans(spanBatch([...big, ...small, ...split.slice(0, 8)]));
    await old.spans.writeSpans(spanBatch(split.slice(5)));

    const queries: TraceQuery[] = [
      { limit: 10 },
      { service: big[0].service, status: 'error', limit: 10 },
      { service: split[0].service, operation: split[3].name, minDurationUs: 1_030, limit: 10 },
      { attributes: [{ key: 'order.id', value: `ORD-${BASE_US}` }], limit: 10 },
      { attributes: [{ key: 'n.int', value: '4' }], limit: 10 },
    ];
    const traces = [big, small, split].map((t) => t[0].traceId);
    const before = { traces: await Promise.all(traces.map((id) => old.spans.getTrace(id))), found: await Promise.all(queries.map((q) => old.spans.findTraces(q))) };
    expect(before.traces.map((t) => t.length)).toEqual([big.length, 3, 12]);
    expect(before.found[1].map((h) => h.matchingSpans.map((s) => s.status))).toEqual([['error', 'error', 'error']]);

    rollBackTo(old.database.db, 10);
    expect(old.database.db.prepare('SELECT count(*) AS n FROM spans').get()).toEqual({ n: big.length + 3 + 12 });
    await close(old);

    const migrated = open(dataDir);
    expect(migrated.database.schemaVersion).toBe(SCHEMA_VERSION);
    expect(migrated.database.db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'spans'").get()).toEqual({ n: 0 });
    expect(countStoredSpans(migrated.database.db)).toBe(big.length + 3 + 12);
    expect(await Promise.all(traces.map((id) => migrated.spans.getTrace(id)))).toEqual(before.traces);
    expect(await Promise.all(queries.map((q) => migrated.spans.findTraces(q)))).toEqual(before.found);

    // a replay adds nothing; a new span of a migrated trace goes after its migrated chunks
    await migrated.spans.writeSpans(spanBatch([...big, ...split]));
    const extra = { ...richTrace(1, BASE_US + 5)[0], traceId: big[0].traceId, parentSpanId: big[0].spanId };
    await migrated.spans.writeSpans(spanBatch([extra, ...small]));
    expect(countStoredSpans(migrated.database.db)).toBe(big.length + 3 + 12 + 1);
    const grown = await migrated.spans.getTrace(big[0].traceId);
    expect(grown).toHaveLength(big.length + 1);
    expect(grown.find((s) => s.spanId === extra.spanId)).toEqual(extra);
    const [summary] = await migrated.spans.traceSummaries([big[0].traceId]);
    expect(summary.spanCount).toBe(big.length + 1);
    await close(migrated);
  });
});

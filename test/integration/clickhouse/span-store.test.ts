import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import type { ClickHouseClient } from '@clickhouse/client';
import { BackendUnavailableError, ChainscopeError, ValidationError } from '../../../core/errors';
import type { Span } from '../../../core/model';
import { ClickHouseSpanStore, DATA_TABLES, TABLES } from '../../../storage/clickhouse';
import { SUMMARIES_FROM_SPANS_MAX_IDS } from '../../../storage/clickhouse/chain-queries';
import { BASE_US, makeSpan, makeTrace, newSpanId, newTraceId, spanBatch, uniq } from '../../contract/fixtures';
import { describeWithEngines, ENGINE_ADDRESSES, uniqueName } from '../../helpers/engines';

/** Integration checks beyond the generic contract: merges, hostile values, errors, retention, restarts. */
describeWithEngines(['clickhouse'], 'ClickHouseSpanStore on a real server', () => {
  const url = ENGINE_ADDRESSES.clickhouse();
  const database = uniqueName('chainscope_store');
  let admin: ClickHouseClient;
  let store: ClickHouseSpanStore;

  const count = async (table: string): Promise<number> => {
    const rs = await admin.query({ query: `SELECT count() AS n FROM \`${database}\`.\`${table}\``, format: 'JSONEachRow' });
    return Number((await rs.json<{ n: string }>())[0].n);
  };
  const optimizeAll = async () => {
    for (const table of DATA_TABLES) await admin.command({ query: `OPTIMIZE TABLE \`${database}\`.\`${table}\` FINAL` });
  };

  beforeAll(async () => {
    admin = createClient({ url, log: { level: ClickHouseLogLevel.OFF } });
    store = new ClickHouseSpanStore({ url, database });
    await store.start();
  });
  afterAll(async () => {
    await store?.shutdown();
    await admin.command({ query: `DROP DATABASE IF EXISTS \`${database}\`` });
    await admin.close();
  });

  it('summarizes traces the same from their spans (up to SUMMARIES_FROM_SPANS_MAX_IDS ids) as from trace_summaries (more)', async () => {
    const services = [uniq('sa'), uniq('sb'), uniq('sc')];
    const traces = Array.from({ length: SUMMARIES_FROM_SPANS_MAX_IDS + 5 }, (_, i) =>
      makeTrace({
        service: services[i % 3],
        spans: 1 + (i % 4),
        startUs: BASE_US + i * 1_000 + (i % 2 ? 86_400_000_000 : 0),
        durationUs: 500 + i,
        overrides: (k) => ({ ...(k === 1 ? { service: services[(i + 1) % 3] } : {}), ...(k === 2 && i % 5 === 0 ? { status: { code: 'error', message: 'x' } } : {}) }),
      }),
    );
    await store.writeSpans(spanBatch(traces.flat()));
    await store.writeSpans(spanBatch(traces.slice(0, 20).flat())); // replayed
    const ids = traces.map((t) => t[0].traceId);
    const byId = (list: { traceId: string }[]) => new Map(list.map((s) => [s.traceId, s]));
    const fromSummaries = byId(await store.traceSummaries(ids));
    const fromSpans = byId([...(await store.traceSummaries(ids.slice(0, SUMMARIES_FROM_SPANS_MAX_IDS))), ...(await store.traceSummaries(ids.slice(SUMMARIES_FROM_SPANS_MAX_IDS)))]);
    expect(fromSummaries.size).toBe(ids.length);
    expect(fromSpans).toEqual(fromSummaries);
    expect(fromSpans.get(ids[10])).toMatchObject({ spanCount: 3, errorCount: 1, services: [services[1], services[2]].sort() });
  });

  it('detects the server version and reports its capabilities', () => {
    expect(store.serverVersion?.major).toBeGreaterThanOrEqual(18);
    expect(store.capabilities).toEqual({ backend: 'clickhouse', attributeSearch: true });
  });

  it('keeps every count unchanged when the same batch is written twice and the tables are merged', async () => {
    const service = uniq('merge');
    const spans = makeTrace({
      service,
      spans: 5,
      overrides: (i) => (i === 3 ? { status: { code: 'error', message: 'x' }, attributes: { 'order.id': 'O-1' } } : {}),
    });
    const other = makeSpan({ traceId: newTraceId(), kind: 'consumer' });
    const batch = spanBatch([...spans, other], {
      businessKeys: [{ key: 'order.id', value: uniq('ORD'), traceId: spans[0].traceId, timeUs: BASE_US }],
      traceLinks: [
        { fromTraceId: other.traceId, fromSpanId: other.spanId, toTraceId: spans[0].traceId, toSpanId: spans[0].spanId, kind: 'link', timeUs: BASE_US },
      ],
      messageIds: [
        { messageId: uniq('m'), traceId: spans[1].traceId, spanId: spans[1].spanId, side: 'producer', timeUs: BASE_US },
      ],
    });
    await optimizeAll();
    const before: Record<string, number> = {};
    for (const t of DATA_TABLES) before[t] = await count(t);

    await store.writeSpans(batch);
    await optimizeAll();
    const once: Record<string, number> = {};
    for (const t of DATA_TABLES) once[t] = await count(t);
    const summaryOnce = await store.findTraces({ service, limit: 10 });

    await store.writeSpans(batch);
    // before a merge the duplicates exist physically but no read shows them
    expect(await count(TABLES.spans)).toBe(once[TABLES.spans] + 6);
    expect(await store.findTraces({ service, limit: 10 })).toEqual(summaryOnce);
    await optimizeAll();
    for (const t of DATA_TABLES) expect({ table: t, rows: await count(t) }).toEqual({ table: t, rows: once[t] });

    expect(once[TABLES.spans] - before[TABLES.spans]).toBe(6);
    expect(await store.findTraces({ service, limit: 10 })).toEqual(summaryOnce);
    expect(summaryOnce).toHaveLength(1);
    expect(summaryOnce[0]).toMatchObject({ spanCount: 5, errorCount: 1, rootName: 'GET /root' });
    expect(await store.getTrace(spans[0].traceId)).toEqual(spans);
    expect(await store.tracesByBusinessKey('order.id', batch.businessKeys[0].value, {}, 10)).toEqual([spans[0].traceId]);
    expect(await store.linkedTraces([spans[0].traceId])).toHaveLength(1);
    expect(await store.operations(service)).toEqual(['GET /root', 'child-1', 'child-2', 'child-3', 'child-4']);
  });

  it('stores and finds hostile values through every read', async () => {
    const hostile = [
      "'; DROP TABLE spans; --",
      'back\\slash \\\' quote',
      'nul\u0000and\nnewline\ttab',
      'Grüße 日本語 🚀 `tick`',
    ];
    for (const value of hostile) {
      const service = `${value} ${uniq('svc')}`;
      const span = makeSpan({
        traceId: newTraceId(),
        service,
        name: value,
        attributes: { [value]: value },
        status: { code: 'error', message: value },
      });
      await store.writeSpans(
        spanBatch([span], { businessKeys: [{ key: value, value: service, traceId: span.traceId, timeUs: BASE_US }] }),
      );
      expect(await store.getTrace(span.traceId)).toEqual([span]);
      expect(await store.services()).toContain(service);
      expect(await store.operations(service)).toEqual([value]);
      const found = await store.findTraces({ service, operation: value, attributes: [{ key: value, value }], limit: 5 });
      expect(found.map((t) => [t.traceId, t.rootService, t.rootName])).toEqual([[span.traceId, service, value]]);
      expect(await store.tracesByBusinessKey(value, service, {}, 5)).toEqual([span.traceId]);
    }
    expect(await count(TABLES.spans)).toBeGreaterThan(0); // the tables are still there
  });

  it('finds a trace by its start even when its spans cross a day boundary', async () => {
    const midnight = Math.floor(BASE_US / 86_400_000_000) * 86_400_000_000 - 86_400_000_000; // yesterday 00:00 UTC
    const service = uniq('midnight');
    const spans = makeTrace({ service, spans: 3, startUs: midnight - 1_000, durationUs: 5_000 });
    spans[2] = { ...spans[2], startUs: midnight + 2_000 };
    await store.writeSpans(spanBatch(spans));
    // a window starting after the root but before the late child must not see a partial trace
    expect(await store.findTraces({ startUs: midnight, endUs: midnight + 10_000, limit: 10 })).toEqual([]);
    const [summary] = await store.findTraces({ startUs: midnight - 1_000, endUs: midnight, limit: 10 });
    expect(summary).toMatchObject({ traceId: spans[0].traceId, startUs: midnight - 1_000, spanCount: 3 });
    expect((await store.findTraces({ service, startUs: midnight, limit: 10 })).length).toBe(0);
  });

  it('restarts on an existing schema and sees the data', async () => {
    const span = makeSpan({ traceId: newTraceId(), service: uniq('restart') });
    await store.writeSpans(spanBatch([span]));
    const again = new ClickHouseSpanStore({ url, database });
    await again.start();
    try {
      expect(await again.getTrace(span.traceId)).toEqual([span]);
    } finally {
      await again.shutdown();
    }
  });

  it('refuses bad input before it reaches the server', async () => {
    await expect(store.writeSpans(spanBatch([makeSpan({ startUs: -1 })]))).rejects.toThrow(ValidationError);
    await expect(store.writeSpans(spanBatch([makeSpan({ durationUs: 1.5 })]))).rejects.toThrow(ValidationError);
    await expect(store.findTraces({ limit: -1 })).rejects.toThrow(ValidationError);
    await expect(store.linkedTraces(Array.from({ length: 1001 }, newTraceId))).rejects.toThrow(ValidationError);
    expect(() => new ClickHouseSpanStore({ url, database: 'a-b' })).toThrow(ValidationError);
    expect(() => new ClickHouseSpanStore({ url: 'ftp://x' })).toThrow(ValidationError);
    expect(() => new ClickHouseSpanStore({ url, retentionDays: 0 })).toThrow(ValidationError);
    expect(() => new ClickHouseSpanStore({ url, colour: 'red' } as never)).toThrow(ValidationError);
  });

  it('reports an unreachable server as retriable', async () => {
    const down = new ClickHouseSpanStore({ url: 'http://127.0.0.1:1', database: uniqueName('down') });
    const err = await down.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect((err as ChainscopeError).retriable).toBe(true);
    await down.shutdown();
    await expect(down.getTrace(newTraceId())).rejects.toThrow(BackendUnavailableError);
  });

  it('reports a query the server rejects as not retriable', async () => {
    const name = uniqueName('chainscope_gone');
    const gone = new ClickHouseSpanStore({ url, database: name });
    await gone.start();
    try {
      await admin.command({ query: `DROP DATABASE \`${name}\`` });
      const err = await gone.getTrace(newTraceId()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ChainscopeError);
      expect(err).not.toBeInstanceOf(BackendUnavailableError);
      expect((err as ChainscopeError).retriable).toBe(false);
      expect((err as Error).message).toMatch(/getTrace.*Code: 81/);
    } finally {
      await gone.shutdown();
      await admin.command({ query: `DROP DATABASE IF EXISTS \`${name}\`` });
    }
  });

  it('drops day partitions past retentionDays on a server without TTL', async () => {
    const name = uniqueName('chainscope_retention');
    const keeper = new ClickHouseSpanStore({ url, database: name, retentionDays: 3 });
    await keeper.start();
    try {
      if (keeper.features?.ttl) return; // TTL does this on current servers
      const day = 86_400_000_000;
      const old: Span = makeSpan({ traceId: newTraceId(), service: 'old', startUs: BASE_US - 10 * day });
      const fresh: Span = makeSpan({ traceId: newTraceId(), service: 'fresh', startUs: BASE_US });
      await keeper.writeSpans(
        spanBatch([old, fresh], {
          businessKeys: [{ key: 'k', value: 'v', traceId: old.traceId, timeUs: old.startUs }],
        }),
      );
      expect(await keeper.dropExpiredPartitions()).toBeGreaterThanOrEqual(4);
      expect(await keeper.getTrace(old.traceId)).toEqual([]);
      expect(await keeper.getTrace(fresh.traceId)).toEqual([fresh]);
      expect(await keeper.findTraces({ limit: 10 })).toEqual([expect.objectContaining({ traceId: fresh.traceId })]);
      expect(await keeper.tracesByBusinessKey('k', 'v', {}, 10)).toEqual([]);
      expect(await keeper.dropExpiredPartitions()).toBe(0);
    } finally {
      await keeper.shutdown();
      await admin.command({ query: `DROP DATABASE IF EXISTS \`${name}\`` });
    }
  });

  it('answers linkedTraces for a span link whose ends are in one trace once', async () => {
    const traceId = newTraceId();
    const [a, b] = [newSpanId(), newSpanId()];
    const link = { fromTraceId: traceId, fromSpanId: a, toTraceId: traceId, toSpanId: b, kind: 'link' as const, timeUs: BASE_US };
    await store.writeSpans(spanBatch([makeSpan({ traceId, spanId: a })], { traceLinks: [link] }));
    expect(await store.linkedTraces([traceId])).toEqual([link]);
  });
});

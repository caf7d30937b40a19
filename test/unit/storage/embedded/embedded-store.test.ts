import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { BackendUnavailableError, ChainscopeError, ValidationError } from '../../../../core/errors';
import { EmbeddedDatabase, EmbeddedLogStore, EmbeddedSpanStore, openEmbeddedStores } from '../../../../storage/embedded';
import { SCHEMA_VERSION } from '../../../../storage/embedded/schema';
import { makeLog, makeSpan, makeTrace, newTraceId, spanBatch, uniq } from '../../../contract/fixtures';

describe('embedded store specifics', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-embedded-unit-'));
  });
  afterEach(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('opens in WAL mode at the current schema version', async () => {
    const { spans, logs, database } = openEmbeddedStores({ dataDir });
    expect(database.schemaVersion).toBe(SCHEMA_VERSION);
    expect(database.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(database.db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    expect(spans.capabilities).toEqual({ backend: 'embedded', attributeSearch: true });
    expect(logs.capabilities).toEqual({ backend: 'embedded', fullText: true });
    await spans.shutdown();
    await logs.shutdown();
  });

  it('refuses a database written by a newer schema', () => {
    fs.mkdirSync(dataDir, { recursive: true });
    const raw = new Database(path.join(dataDir, 'chainscope.db'));
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    expect(() => openEmbeddedStores({ dataDir })).toThrow(/newer than this build/);
  });

  it('keeps data across a restart', async () => {
    const trace = makeTrace({ spans: 3 });
    const log = makeLog({ service: uniq('persist'), body: 'persisted line' });
    let stores = openEmbeddedStores({ dataDir });
    await stores.spans.writeSpans(spanBatch(trace));
    await stores.logs.writeLogs({ logs: [log], businessKeys: [] });
    await stores.spans.shutdown();
    await stores.logs.shutdown();
    expect(stores.database.isOpen).toBe(false);

    stores = openEmbeddedStores({ dataDir });
    expect(await stores.spans.getTrace(trace[0].traceId)).toHaveLength(3);
    expect(await stores.spans.services()).toContain(trace[0].service);
    const found = await stores.logs.search({ service: log.service, text: { terms: ['persisted'], phrases: [] }, limit: 10 });
    expect(found.logs).toEqual([log]);
    // replay after restart is still a no-op (interning caches start cold)
    await stores.spans.writeSpans(spanBatch(trace));
    const [summary] = await stores.spans.findTraces({ service: trace[0].service, limit: 5 });
    expect(summary.spanCount).toBe(3);
    await stores.spans.shutdown();
    await stores.logs.shutdown();
  });

  it('closes the shared file only when both stores are shut down; a closed store throws a retriable error', async () => {
    const { spans, logs, database } = openEmbeddedStores({ dataDir });
    await spans.shutdown();
    await spans.shutdown(); // idempotent
    expect(database.isOpen).toBe(true);
    await expect(spans.getTrace(newTraceId())).rejects.toThrow(BackendUnavailableError);
    await expect(spans.writeSpans(spanBatch([makeSpan()]))).rejects.toThrow(/span store is shut down/);
    await expect(logs.byTrace(newTraceId(), 5)).resolves.toEqual([]);
    await logs.shutdown();
    expect(database.isOpen).toBe(false);
    await expect(logs.search({ limit: 5 })).rejects.toThrow(/log store is shut down/);
    await logs.shutdown();
    expect(() => new EmbeddedSpanStore(database)).toThrow(BackendUnavailableError);
  });

  it('stores business keys from logs in the shared key table', async () => {
    const { spans, logs } = openEmbeddedStores({ dataDir });
    const value = uniq('ORD');
    const traceId = newTraceId();
    await logs.writeLogs({
      logs: [makeLog({ traceId })],
      businessKeys: [{ key: 'order.id', value, traceId, timeUs: 5 }],
    });
    expect(await spans.tracesByBusinessKey('order.id', value, {}, 10)).toEqual([traceId]);
    await spans.shutdown();
    await logs.shutdown();
  });

  it('rolls a failing batch back as a whole, and a retry then succeeds', async () => {
    const { spans, logs } = openEmbeddedStores({ dataDir });
    const service = uniq('atomic');
    const good = makeTrace({ service, spans: 2 });
    // JSON.stringify throws on a BigInt: the failure comes after the good spans were inserted
    const bad = makeSpan({ service: uniq('new-service'), attributes: { big: 10n as unknown as number } });
    await expect(spans.writeSpans(spanBatch([...good, bad]))).rejects.toThrow(ChainscopeError);
    expect(await spans.getTrace(good[0].traceId)).toEqual([]);
    expect(await spans.findTraces({ service, limit: 5 })).toEqual([]);
    expect(await spans.services()).not.toContain(bad.service);
    await spans.writeSpans(spanBatch([...good, { ...bad, attributes: { big: 10 } }]));
    expect(await spans.getTrace(good[0].traceId)).toHaveLength(2);
    expect(await spans.operations(bad.service)).toEqual([bad.name]);
    await spans.shutdown();
    await logs.shutdown();
  });

  it('rejects bad limits and oversized id lists with ValidationError', async () => {
    const { spans, logs } = openEmbeddedStores({ dataDir });
    await expect(spans.findTraces({ limit: -1 })).rejects.toThrow(ValidationError);
    await expect(logs.search({ limit: 1.5 })).rejects.toThrow(ValidationError);
    await expect(spans.linkedTraces(Array.from({ length: 1001 }, () => newTraceId()))).rejects.toThrow(ValidationError);
    await spans.shutdown();
    await logs.shutdown();
  });

  it('can be built from a shared EmbeddedDatabase with separate constructors', async () => {
    const database = new EmbeddedDatabase({ dataDir, fileName: 'other.db' });
    const spans = new EmbeddedSpanStore(database);
    const logs = new EmbeddedLogStore(database);
    await spans.start();
    await logs.start();
    expect(fs.existsSync(path.join(dataDir, 'other.db'))).toBe(true);
    await spans.shutdown();
    await logs.shutdown();
    expect(database.isOpen).toBe(false);
  });

  it('orders many text matches newest first by time, not by insertion (time-index plan)', async () => {
    const { spans, logs } = openEmbeddedStores({ dataDir });
    const service = uniq('many');
    const n = 2_600; // above the FTS-driven threshold
    // times are a permutation of 0..n-1, written in a scrambled order
    const records = Array.from({ length: n }, (_, i) =>
      makeLog({ service: i % 2 ? service : uniq('other'), timeUs: 1_000_000 + ((i * 7919) % n), body: `common word ${i}` }),
    );
    await logs.writeLogs({ logs: records, businessKeys: [] });
    const byTimeDesc = [...records].sort((a, b) => b.timeUs - a.timeUs);
    const all = await logs.search({ text: { terms: ['common'], phrases: [] }, limit: 7 });
    expect(all.logs.map((l) => l.id)).toEqual(byTimeDesc.slice(0, 7).map((l) => l.id));
    expect(all.total).toBe(n);
    const mine = await logs.search({ service, text: { terms: ['common', 'word'], phrases: [] }, limit: 5 });
    expect(mine.logs.map((l) => l.id)).toEqual(byTimeDesc.filter((l) => l.service === service).slice(0, 5).map((l) => l.id));
    expect(mine.total).toBe(n / 2);
    const windowed = await logs.search({ text: { terms: ['common'], phrases: [] }, startUs: 1_000_010, endUs: 1_000_019, limit: 50 });
    expect(windowed.logs.map((l) => l.timeUs)).toEqual([19, 18, 17, 16, 15, 14, 13, 12, 11, 10].map((t) => 1_000_000 + t));
    expect(windowed.total).toBe(10);
    await spans.shutdown();
    await logs.shutdown();
  });

  it('searches resource and event attributes like span attributes (Jaeger-style tag search)', async () => {
    const { spans, logs } = openEmbeddedStores({ dataDir });
    const host = uniq('host');
    const cacheKey = uniq('key');
    const trace = makeTrace({
      spans: 2,
      overrides: (i) =>
        i === 1
          ? { resource: { 'service.name': 'x', 'host.name': host }, events: [{ timeUs: 1, name: 'miss', attributes: { 'cache.key': cacheKey } }] }
          : {},
    });
    await spans.writeSpans(spanBatch(trace));
    const ids = async (key: string, value: string) =>
      (await spans.findTraces({ attributes: [{ key, value }], limit: 5 })).map((t) => t.traceId);
    expect(await ids('host.name', host)).toEqual([trace[0].traceId]);
    expect(await ids('cache.key', cacheKey)).toEqual([trace[0].traceId]);
    expect(await ids('cache.key', host)).toEqual([]);
    await spans.shutdown();
    await logs.shutdown();
  });
});

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Span } from '../../../../core/model';
import type { SpanBatch } from '../../../../core/contracts/span-store';
import { openEmbeddedStores, type EmbeddedStores, type RetentionOptions } from '../../../../storage/embedded';
import { LogDeleter } from '../../../../storage/embedded/log-deleter';
import { fileSizes, pageUsage } from '../../../../storage/embedded/store-files';
import { MAX_CHUNKS_PER_TRACE, SPAN_CHUNK_MAX } from '../../../../storage/embedded/span-chunk';
import { countStoredSpans } from '../../../../storage/embedded/trace-chunks';
import { TraceDeleter } from '../../../../storage/embedded/trace-deleter';
import { WriteTurn } from '../../../../storage/embedded/write-turn';
import { hexId, makeLog, makeSpan, newTraceId, uniq } from '../../../contract/fixtures';
import { waitFor } from '../../../helpers/wait';

const MIN_US = 60_000_000;
const DAY_US = 86_400_000_000;
const NOW_US = Math.floor(Date.now() / 60_000) * MIN_US + 30_000_000;
const OLD_US = NOW_US - 10 * DAY_US;

/** A request crossing two services (an edge caller → callee), with a business key, a span link and a messaging id. */
function crossServiceTrace(caller: string, callee: string, startUs: number, keyValue: string, linkTo?: string): SpanBatch {
  const traceId = newTraceId();
  const root = makeSpan({ traceId, service: caller, name: 'GET /order', kind: 'server', startUs, durationUs: 5_000 });
  const client = makeSpan({
    traceId,
    service: caller,
    name: 'POST /stock',
    kind: 'client',
    parentSpanId: root.spanId,
    startUs: startUs + 100,
    durationUs: 3_000,
    links: linkTo ? [{ traceId: linkTo, spanId: hexId(8), attributes: {} }] : [],
  });
  const server = makeSpan({
    traceId,
    service: callee,
    name: 'POST /stock',
    kind: 'server',
    parentSpanId: client.spanId,
    startUs: startUs + 200,
    durationUs: 2_000,
  });
  const spans: Span[] = [root, client, server];
  return {
    spans,
    businessKeys: [{ key: 'order.id', value: keyValue, traceId, timeUs: startUs }],
    traceLinks: linkTo ? [{ fromTraceId: traceId, fromSpanId: client.spanId, toTraceId: linkTo, toSpanId: hexId(8), kind: 'link', timeUs: startUs }] : [],
    messageIds: [{ messageId: `msg-${keyValue}`, traceId, spanId: client.spanId, side: 'producer', timeUs: startUs }],
  };
}

function count(stores: EmbeddedStores, sql: string, ...params: unknown[]): number {
  return (stores.database.db.prepare(sql).get(...params) as { n: number }).n;
}

/** Derived log rows agree with the logs: minute counts, block ranges, and FTS5's own check. */
function expectLogDerivedRowsConsistent(stores: EmbeddedStores): void {
  expect(count(stores, 'SELECT coalesce(sum(n), 0) AS n FROM log_minutes')).toBe(count(stores, 'SELECT count(*) AS n FROM logs'));
  expect(count(stores, 'SELECT count(*) AS n FROM log_minutes WHERE n <= 0')).toBe(0);
  const outside = count(
    stores,
    `SELECT count(*) AS n FROM logs l LEFT JOIN log_blocks b ON b.block = l.rowid >> 12
     WHERE b.block IS NULL OR l.time_us < b.min_time_us OR l.time_us > b.max_time_us`,
  );
  expect(outside).toBe(0);
  const emptyBlocks = count(
    stores,
    'SELECT count(*) AS n FROM log_blocks b WHERE NOT EXISTS (SELECT 1 FROM logs l WHERE l.rowid BETWEEN b.block << 12 AND (b.block << 12) + 4095)',
  );
  expect(emptyBlocks).toBe(0);
  stores.database.db.exec(`INSERT INTO logs_fts (logs_fts, rank) VALUES ('integrity-check', 1)`);
}

describe('embedded store retention', () => {
  let dataDir: string;
  const open = (retention: RetentionOptions) => openEmbeddedStores({ dataDir, retention: { nowUs: () => NOW_US, log: () => {}, ...retention } });
  const close = async (s: EmbeddedStores) => {
    await s.spans.shutdown();
    await s.logs.shutdown();
  };
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-retention-'));
  });
  afterEach(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates new files with incremental auto-vacuum and a bounded WAL', async () => {
    const s = open({ maxBytes: 64 * 1024 * 1024 });
    expect(pageUsage(s.database.db).autoVacuum).toBe(2);
    expect(s.database.db.pragma('journal_size_limit', { simple: true })).toBe(8 * 1024 * 1024); // an eighth of the limit
    expect(s.database.db.pragma('wal_autocheckpoint', { simple: true })).toBe(0); // the writer checkpoints after its turn (wal-checkpoint.ts)
    await close(s);
  });

  it('deletes in the writers\' turn: while another ingest thread holds it, each step waits for it', async () => {
    const turn = WriteTurn.shared();
    const s = openEmbeddedStores({ dataDir, writeTurn: new WriteTurn(turn, 150), retention: { nowUs: () => NOW_US, log: () => {}, maxAgeUs: 7 * DAY_US } });
    const [caller, callee] = [uniq('shop'), uniq('stock')];
    for (let i = 0; i < 3; i++) await s.spans.writeSpans(crossServiceTrace(caller, callee, OLD_US + i * MIN_US, `ORD-TURN-${i}`));
    new Int32Array(turn)[0] = 999; // another thread's turn, never given back: each step waits its longest (150 ms), then goes ahead
    const report = await s.retention.runPass();
    expect(report.error).toBeUndefined();
    expect(report.deletedTraces).toBe(3);
    expect(report.maxStepMs).toBeGreaterThanOrEqual(140);
    new Int32Array(turn)[0] = 0;
    await close(s);
  });

  it('by age: deletes exactly the old traces and logs with every derived row; newer data is untouched', async () => {
    const s = open({ maxAgeUs: 7 * DAY_US, maxRowsPerStep: 7 });
    const [caller, callee] = [uniq('shop'), uniq('stock')];
    const old: SpanBatch[] = [];
    const young: SpanBatch[] = [];
    for (let i = 0; i < 12; i++) old.push(crossServiceTrace(caller, callee, OLD_US + i * MIN_US, `ORD-OLD-${i}`));
    for (let i = 0; i < 5; i++) young.push(crossServiceTrace(caller, callee, NOW_US - i * MIN_US, `ORD-NEW-${i}`, old[i].spans[0].traceId));
    for (const b of [...old, ...young]) await s.spans.writeSpans(b);
    const oldLogs = Array.from({ length: 40 }, (_, i) =>
      makeLog({ service: caller, body: `ancient payment declined ${i}`, timeUs: OLD_US + i * 1_000_000, traceId: old[i % 12].spans[0].traceId }),
    );
    const newLogs = Array.from({ length: 10 }, (_, i) => makeLog({ service: caller, body: `recent payment declined ${i}`, timeUs: NOW_US - i * 1_000_000 }));
    await s.logs.writeLogs({ logs: [...oldLogs, ...newLogs], businessKeys: [{ key: 'order.id', value: 'ORD-LOG-ONLY', traceId: newTraceId(), timeUs: OLD_US }] });

    const oldWindow = { startUs: OLD_US - DAY_US, endUs: OLD_US + DAY_US };
    const newWindow = { startUs: NOW_US - DAY_US, endUs: NOW_US + DAY_US };
    expect((await s.spans.topology(oldWindow)).edges.length).toBeGreaterThan(0);
    expect((await s.spans.orderMinutes('order.id', oldWindow)).length).toBeGreaterThan(0);
    const youngOrdersBefore = await s.spans.orderMinutes('order.id', newWindow);
    expect(youngOrdersBefore.length).toBeGreaterThan(0);
    const youngTopologyBefore = await s.spans.topology(newWindow);

    const report = await s.retention.runPass();
    expect(report.error).toBeUndefined();
    expect(report.deletedTraces).toBe(12);
    expect(report.deletedSpans).toBe(36);
    expect(report.deletedLogs).toBe(40);
    expect(report.maxStepMs).toBeGreaterThan(0);

    // through the store contract: nothing of the old data
    for (const b of old) {
      const id = b.spans[0].traceId;
      expect(await s.spans.getTrace(id)).toEqual([]);
      expect(await s.logs.byTrace(id, 100)).toEqual([]);
      expect(await s.spans.traceSummaries([id])).toEqual([]);
    }
    expect(await s.spans.findTraces({ ...oldWindow, limit: 100 })).toEqual([]);
    expect(await s.spans.tracesByBusinessKey('order.id', 'ORD-OLD-3', { startUs: 0, endUs: NOW_US * 2 }, 10)).toEqual([]);
    expect(await s.spans.tracesByBusinessKey('order.id', 'ORD-LOG-ONLY', { startUs: 0, endUs: NOW_US * 2 }, 10)).toEqual([]);
    expect(await s.spans.topology(oldWindow)).toEqual({ nodes: [], edges: [] });
    const oldStats = await s.spans.serviceStats(caller, oldWindow, 3600 * 1_000_000);
    expect(oldStats.series.every((p) => p.calls === 0)).toBe(true);
    expect(oldStats.operations).toEqual([]);
    const ancient = await s.logs.search({ text: { terms: ['ancient'], phrases: [] }, limit: 100 });
    expect(ancient.logs).toEqual([]);
    expect(ancient.total).toBe(0);
    const oldHistogram = await s.logs.histogram({ ...oldWindow }, 3600 * 1_000_000);
    expect(oldHistogram.reduce((n, b) => n + b.total, 0)).toBe(0);
    // the old traces' own link and messaging rows are gone; the young trace's link to an old one is the young trace's
    const oldIds = old.map((b) => b.spans[0].traceId);
    const links = await s.spans.linkedTraces(oldIds);
    expect(links.every((l) => !oldIds.includes(l.fromTraceId))).toBe(true);
    expect(links).toHaveLength(5);

    // in the tables: no row left of them
    expect(count(s, 'SELECT count(*) AS n FROM traces')).toBe(5);
    expect(count(s, `SELECT count(*) AS n FROM span_chunks WHERE id / ${MAX_CHUNKS_PER_TRACE} NOT IN (SELECT id FROM traces)`)).toBe(0);
    for (const table of ['trace_ops', 'trace_attr_sets', 'topo_pending', 'order_trace_refs']) {
      expect(count(s, `SELECT count(*) AS n FROM ${table} WHERE trace_ref NOT IN (SELECT id FROM traces)`)).toBe(0);
    }
    expect(count(s, 'SELECT count(*) AS n FROM message_ids WHERE trace_id NOT IN (SELECT trace_id FROM traces)')).toBe(0);
    expect(count(s, 'SELECT count(*) AS n FROM business_keys')).toBe(5);
    expect(count(s, 'SELECT count(*) AS n FROM topo_edge_minutes WHERE minute < ?', NOW_US - DAY_US)).toBe(0);
    expect(count(s, 'SELECT count(*) AS n FROM topo_op_minutes WHERE minute < ?', NOW_US - DAY_US)).toBe(0);
    expect(count(s, 'SELECT count(*) AS n FROM logs_fts WHERE logs_fts MATCH ?', 'ancient')).toBe(0);
    // the order roll-up: the old minutes and facts by time, the old traces' order links with them
    expect(await s.spans.orderMinutes('order.id', oldWindow)).toEqual([]);
    expect(count(s, 'SELECT count(*) AS n FROM order_facts WHERE minute < ?', NOW_US - DAY_US)).toBe(0);
    expect(count(s, 'SELECT count(*) AS n FROM order_traces WHERE trace_id NOT IN (SELECT trace_id FROM traces)')).toBe(0);
    expect(count(s, 'SELECT count(*) AS n FROM order_trace_refs')).toBeGreaterThan(0); // the young traces' links
    expect(await s.spans.orderMinutes('order.id', newWindow)).toEqual(youngOrdersBefore);
    expectLogDerivedRowsConsistent(s);

    // the young data is all there
    for (const b of young) expect(await s.spans.getTrace(b.spans[0].traceId)).toHaveLength(3);
    expect(await s.spans.findTraces({ ...newWindow, limit: 100 })).toHaveLength(5);
    expect(await s.spans.tracesByBusinessKey('order.id', 'ORD-NEW-2', { startUs: 0, endUs: NOW_US * 2 }, 10)).toEqual([young[2].spans[0].traceId]);
    expect(await s.spans.topology(newWindow)).toEqual(youngTopologyBefore);
    expect((await s.logs.search({ text: { terms: ['recent'], phrases: [] }, limit: 100 })).total).toBe(10);
    expect((await s.logs.histogram({ ...newWindow }, 3600 * 1_000_000)).reduce((n, b) => n + b.total, 0)).toBe(10);

    // a second pass finds nothing more
    const again = await s.retention.runPass();
    expect(again.deletedTraces + again.deletedLogs + again.deletedTimeRows).toBe(0);

    const status = await s.logs.status();
    expect(status.problems).toEqual([]);
    expect(status.retention).toMatchObject({ maxAgeUs: 7 * DAY_US, maxBytes: null, deletedTraces: 12, deletedLogs: 40 });
    expect(status.retention!.oldestKeptUs).toBe(NOW_US - 4 * MIN_US); // the oldest young trace
    expect(Date.parse(status.retention!.lastRunAt!)).toBe(Math.floor(NOW_US / 1000));
    await close(s);
  });

  it('each step deletes at most maxRowsPerStep spans or logs; a trace bigger than a step goes over several', async () => {
    const s = open({});
    const big = Array.from({ length: 120 }, (_, i) => makeSpan({ traceId: 'a'.repeat(32), parentSpanId: i ? 'b'.repeat(16) : '', startUs: OLD_US + i }));
    // three writes, three chunks of 50, 50 and 20 spans (a step deletes whole chunks)
    for (const part of [big.slice(0, 50), big.slice(50, 100), big.slice(100)]) {
      await s.spans.writeSpans({ spans: part, businessKeys: [], traceLinks: [], messageIds: [] });
    }
    for (let i = 0; i < 10; i++) await s.spans.writeSpans(crossServiceTrace('a', 'b', OLD_US + MIN_US + i, `K${i}`));
    await s.logs.writeLogs({ logs: Array.from({ length: 130 }, (_, i) => makeLog({ timeUs: OLD_US + i })), businessKeys: [] });
    const traces = new TraceDeleter(s.database.db);
    const logs = new LogDeleter(s.database.db);
    const spansLeft = () => countStoredSpans(s.database.db);

    // the 120-span trace: 50, 50, then its last 20 with its summary
    expect(traces.deleteBefore(NOW_US, 50)).toEqual({ traces: 0, spans: 50 });
    expect(spansLeft()).toBe(150 - 50);
    expect(await s.spans.findTraces({ startUs: OLD_US - 1, endUs: OLD_US + 1, limit: 5 })).toHaveLength(1);
    expect(traces.deleteBefore(NOW_US, 50)).toEqual({ traces: 0, spans: 50 });
    expect(traces.deleteBefore(NOW_US, 20)).toEqual({ traces: 1, spans: 20 });
    expect(await s.spans.getTrace('a'.repeat(32))).toEqual([]);
    // 3-span traces: as many whole ones as fit in 10 spans
    expect(traces.deleteBefore(NOW_US, 10)).toEqual({ traces: 3, spans: 9 });
    expect(spansLeft()).toBe(21);

    // a chunk bigger than the step goes whole: one write of SPAN_CHUNK_MAX spans is one chunk
    const oneChunk = Array.from({ length: SPAN_CHUNK_MAX }, (_, i) => makeSpan({ traceId: 'c'.repeat(32), parentSpanId: i ? 'd'.repeat(16) : '', startUs: OLD_US - 1 }));
    await s.spans.writeSpans({ spans: oneChunk, businessKeys: [], traceLinks: [], messageIds: [] });
    expect(traces.deleteBefore(NOW_US, 10)).toEqual({ traces: 1, spans: SPAN_CHUNK_MAX });
    expect(await s.spans.getTrace('c'.repeat(32))).toEqual([]);
    expect(spansLeft()).toBe(21);

    expect(logs.deleteBefore(NOW_US, 50)).toBe(50);
    expect(count(s, 'SELECT count(*) AS n FROM logs')).toBe(80);
    expectLogDerivedRowsConsistent(s);
    expect(logs.deleteBefore(NOW_US, 50)).toBe(50);
    expect(logs.deleteBefore(NOW_US, 50)).toBe(30);
    expect(logs.deleteBefore(NOW_US, 50)).toBe(0);
    expectLogDerivedRowsConsistent(s);
    await close(s);
  });

  it('a replay after deletion stores the data once, and the next pass deletes it again', async () => {
    const s = open({ maxAgeUs: 7 * DAY_US });
    const [caller, callee] = [uniq('shop'), uniq('stock')];
    const oldBatch = crossServiceTrace(caller, callee, OLD_US, 'ORD-R');
    const youngBatch = crossServiceTrace(caller, callee, NOW_US, 'ORD-Y');
    const oldLog = makeLog({ service: caller, body: 'replayed line', timeUs: OLD_US });
    await s.spans.writeSpans(oldBatch);
    await s.spans.writeSpans(youngBatch);
    await s.logs.writeLogs({ logs: [oldLog], businessKeys: [] });
    const oldWindow = { startUs: OLD_US - MIN_US, endUs: OLD_US + MIN_US };
    const topologyOnce = await s.spans.topology(oldWindow);
    await s.retention.runPass();
    expect(await s.spans.getTrace(oldBatch.spans[0].traceId)).toEqual([]);

    // the bus redelivers both batches
    await s.spans.writeSpans(oldBatch);
    await s.spans.writeSpans(youngBatch);
    await s.logs.writeLogs({ logs: [oldLog], businessKeys: [] });
    expect(await s.spans.getTrace(oldBatch.spans[0].traceId)).toHaveLength(3);
    expect(await s.spans.getTrace(youngBatch.spans[0].traceId)).toHaveLength(3);
    expect(await s.spans.topology(oldWindow)).toEqual(topologyOnce); // counted once, not on top of leftovers
    const found = await s.logs.search({ text: { terms: ['replayed'], phrases: [] }, limit: 10 });
    expect(found.logs).toEqual([oldLog]);
    expectLogDerivedRowsConsistent(s);

    const report = await s.retention.runPass();
    expect(report).toMatchObject({ deletedTraces: 1, deletedLogs: 1 });
    expect(await s.spans.getTrace(oldBatch.spans[0].traceId)).toEqual([]);
    expect(await s.spans.getTrace(youngBatch.spans[0].traceId)).toHaveLength(3);
    expectLogDerivedRowsConsistent(s);
    await close(s);
  });

  it('by size: deletes the oldest data until the files fit under maxBytes, and the file really shrinks', async () => {
    const maxBytes = 24 * 1024 * 1024;
    const s = open({ maxBytes, maxRowsPerStep: 500 });
    const padding = 'x'.repeat(600);
    let firstTrace = '';
    let lastTrace = '';
    // about 40 MiB of spans and logs, one minute apart per batch, oldest first
    for (let batch = 0; batch < 40; batch++) {
      const startUs = OLD_US + batch * MIN_US;
      const spans: Span[] = [];
      for (let t = 0; t < 25; t++) {
        const traceId = newTraceId();
        if (!firstTrace) firstTrace = traceId;
        lastTrace = traceId;
        for (let i = 0; i < 20; i++) {
          spans.push(makeSpan({ traceId, parentSpanId: i ? 'c'.repeat(16) : '', startUs: startUs + t * 1000 + i, status: { code: 'unset', message: `${padding}${i}` } }));
        }
      }
      await s.spans.writeSpans({ spans, businessKeys: [], traceLinks: [], messageIds: [] });
      const logs = Array.from({ length: 300 }, (_, i) => makeLog({ timeUs: startUs + i * 100, body: `line ${batch} ${i} ${padding.slice(0, 300)}` }));
      await s.logs.writeLogs({ logs, businessKeys: [] });
    }
    const before = fileSizes(s.database.file);
    expect(before.totalBytes).toBeGreaterThan(maxBytes);
    expect(before.walBytes).toBeLessThanOrEqual(3 * 1024 * 1024 + 2 * 1024 * 1024); // journal limit (3 MiB) plus the last batch

    const report = await s.retention.runPass();
    expect(report.error).toBeUndefined();
    const after = fileSizes(s.database.file);
    expect(after.totalBytes).toBeLessThanOrEqual(maxBytes);
    expect(after.dbBytes).toBeLessThan(before.dbBytes);
    expect(after.walBytes).toBeLessThan(64 * 1024); // truncated after the deletes (then the pass wrote its state)
    expect(report.reclaimedPages).toBeGreaterThan(0);
    expect(pageUsage(s.database.db).freePages).toBe(0);

    // oldest first: the first trace went, the newest stays, logs too
    expect(await s.spans.getTrace(firstTrace)).toEqual([]);
    expect(await s.spans.getTrace(lastTrace)).toHaveLength(20);
    const oldestLog = count(s, 'SELECT min(time_us) AS n FROM logs');
    const oldestSpan = count(s, 'SELECT min(start_us) AS n FROM traces');
    expect(oldestLog).toBeGreaterThan(OLD_US);
    expect(Math.abs(oldestLog - oldestSpan)).toBeLessThan(2 * MIN_US); // both kinds trimmed to about the same time
    expect(count(s, 'SELECT count(*) AS n FROM logs WHERE time_us >= ?', OLD_US + 39 * MIN_US)).toBe(300);
    expectLogDerivedRowsConsistent(s);

    const status = await s.spans.status();
    expect(status.problems).toEqual([]);
    expect(status.disk).toMatchObject({ usedBytes: after.totalBytes, walBytes: after.walBytes, maxBytes });
    expect(status.disk!.freeBytes).toBeGreaterThan(0);
    expect(status.retention!.deletedTraces).toBe(report.deletedTraces);
    expect(status.retention!.oldestKeptUs).toBe(Math.min(oldestLog, oldestSpan));
    await close(s);
  }, 60_000);

  it('reports over MAX_DISK_BYTES, and the query side sees what the writer did', async () => {
    const writer = open({ maxAgeUs: 7 * DAY_US, maxBytes: 16 * 1024 * 1024 });
    const reader = open({ maxAgeUs: 7 * DAY_US, maxBytes: 16 * 1024 * 1024 });
    await writer.spans.writeSpans(crossServiceTrace('a', 'b', OLD_US, 'ORD-1'));
    await writer.retention.runPass();
    const seen = await reader.spans.status();
    expect(seen.retention).toMatchObject({ deletedTraces: 1, deletedLogs: 0 });
    expect(seen.retention!.lastRunAt).not.toBeNull();

    // a file bigger than the limit (written by a connection without it)
    const padding = 'y'.repeat(2000);
    for (let batch = 0; batch < 12; batch++) {
      const logs = Array.from({ length: 1000 }, (_, i) => makeLog({ timeUs: NOW_US - i, body: `${batch} ${i} ${padding}` }));
      await writer.logs.writeLogs({ logs, businessKeys: [] });
    }
    const status = await reader.logs.status();
    expect(status.problems).toEqual([expect.stringMatching(/^over MAX_DISK_BYTES: the store's files take [\d.]+ MiB of 16.0 MiB$/)]);
    await close(writer);
    await close(reader);
  }, 30_000);

  it('records a failing pass as lastError and a problem, and clears it when a pass succeeds', async () => {
    const s = open({ maxAgeUs: 7 * DAY_US });
    await s.spans.writeSpans(crossServiceTrace('a', 'b', OLD_US, 'ORD-1'));
    s.database.db.exec('ALTER TABLE topo_pending RENAME TO topo_pending_moved');
    const failed = await s.retention.runPass();
    expect(failed.error).toMatch(/topo_pending/);
    const status = await s.spans.status();
    expect(status.retention!.lastError).toMatch(/topo_pending/);
    expect(status.problems).toEqual([expect.stringMatching(/^retention failing: .*topo_pending/)]);

    s.database.db.exec('ALTER TABLE topo_pending_moved RENAME TO topo_pending');
    const ok = await s.retention.runPass();
    expect(ok).toMatchObject({ deletedTraces: 1 });
    const healed = await s.spans.status();
    expect(healed.problems).toEqual([]);
    expect(healed.retention!.lastError).toBeUndefined();
    await close(s);
  });

  it('converts a small file made without auto-vacuum once; leaves a big one as it is', async () => {
    let s = open({});
    await s.logs.writeLogs({ logs: [makeLog({ timeUs: OLD_US })], businessKeys: [] });
    s.database.db.exec('PRAGMA auto_vacuum = NONE; VACUUM');
    expect(pageUsage(s.database.db).autoVacuum).toBe(0);
    await close(s);

    s = open({ maxAgeUs: 7 * DAY_US, convertMaxBytes: 1024 });
    const untouched = await s.retention.runPass();
    expect(untouched.converted).toBe(false);
    expect(untouched.deletedLogs).toBe(1);
    expect(pageUsage(s.database.db).autoVacuum).toBe(0);
    await close(s);

    s = open({ maxAgeUs: 7 * DAY_US });
    const converted = await s.retention.runPass();
    expect(converted.converted).toBe(true);
    expect(pageUsage(s.database.db).autoVacuum).toBe(2);
    await close(s);
  });

  it('starts on its own with the first write, only on the connection that writes', async () => {
    const reader = open({ maxAgeUs: 7 * DAY_US, intervalMs: 20 });
    const writer = open({ maxAgeUs: 7 * DAY_US, intervalMs: 20 });
    const batch = crossServiceTrace('a', 'b', OLD_US, 'ORD-1');
    await writer.spans.writeSpans(batch);
    await waitFor(async () => (await reader.spans.status()).retention!.deletedTraces >= 1, 'retention to run after the first write', 10_000, 20);
    expect(await reader.spans.getTrace(batch.spans[0].traceId)).toEqual([]);
    await close(writer);
    await close(reader);
  });
});

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TraceQuery } from '../../../../core/contracts/span-store';
import type { Span } from '../../../../core/model';
import { openEmbeddedStores, type EmbeddedStores } from '../../../../storage/embedded';
import { MAX_INDEXED_VALUE_LENGTH } from '../../../../storage/embedded/attribute-index';
import { INDEX_DRIVEN_MAX_TRACES } from '../../../../storage/embedded/span-reader';
import { TraceDeleter } from '../../../../storage/embedded/trace-deleter';
import { BASE_US, makeTrace, spanBatch, uniq } from '../../../contract/fixtures';
import { rollBackTo } from '../../../helpers/embedded-rollback';
import { recordSqlReads } from '../../../helpers/sql-reads';
import { SCHEMA_VERSION } from '../../../../storage/embedded/schema';

const dirs: string[] = [];
const opened: EmbeddedStores[] = [];

function open(indexedAttributes: string[], dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-attr-index-'))): EmbeddedStores {
  if (!dirs.includes(dataDir)) dirs.push(dataDir);
  const stores = openEmbeddedStores({ dataDir, indexedAttributes });
  opened.push(stores);
  return stores;
}

async function close(stores: EmbeddedStores): Promise<void> {
  await stores.spans.shutdown();
  await stores.logs.shutdown();
}

afterEach(async () => {
  for (const s of opened.splice(0)) if (s.database.isOpen) await close(s);
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const indexRows = (s: EmbeddedStores) => (s.database.db.prepare('SELECT count(*) AS n FROM trace_attr_index').get() as { n: number }).n;
const ids = async (s: EmbeddedStores, q: Omit<TraceQuery, 'limit'> & { limit?: number }) =>
  (await s.spans.findTraces({ limit: 20, ...q })).map((t) => t.traceId);

/** A trace whose child span carries the attributes. */
const tagged = (attributes: Span['attributes'], startUs = BASE_US, service = 'svc') =>
  makeTrace({ service, startUs, overrides: (i) => (i === 1 ? { attributes } : {}) });

describe('embedded attribute index', () => {
  it('answers an indexed name from the index, other names by walking the hash sets', async () => {
    const s = open(['order.id']);
    const order = uniq('ORD');
    const t = tagged({ 'order.id': order, 'other.id': order });
    await s.spans.writeSpans(spanBatch(t));
    // with the trace's hash sets gone, only a search that starts from the index still finds it
    s.database.db.exec('DELETE FROM trace_attr_sets');
    expect(await ids(s, { attributes: [{ key: 'order.id', value: order }] })).toEqual([t[0].traceId]);
    expect(await ids(s, { attributes: [{ key: 'other.id', value: order }] })).toEqual([]);
  });

  it('writes one row per indexed pair and trace: not for other names, long values, or a replayed batch', async () => {
    const s = open(['order.id', 'region']);
    const order = uniq('ORD');
    const t = makeTrace({
      spans: 4,
      overrides: (i) => ({
        attributes: { 'order.id': order, 'http.method': 'GET', region: i === 3 ? 'x'.repeat(MAX_INDEXED_VALUE_LENGTH + 1) : 'eu' },
      }),
    });
    await s.spans.writeSpans(spanBatch(t));
    // order.id=ORD and region=eu: the long region value and http.method are left out
    expect(indexRows(s)).toBe(2);
    await s.spans.writeSpans(spanBatch(t));
    expect(indexRows(s)).toBe(2);
    // the long value is still found, by the walk
    expect(await ids(s, { attributes: [{ key: 'region', value: 'x'.repeat(MAX_INDEXED_VALUE_LENGTH + 1) }] })).toEqual([t[0].traceId]);
  });

  it('gives the same answers as the walk, below and above the many-hit threshold', async () => {
    const indexed = open(['*']);
    const walked = open([]);
    const few = uniq('few');
    const many = uniq('many');
    const traces: Span[][] = [];
    for (let i = 0; i < INDEX_DRIVEN_MAX_TRACES + 200; i++) {
      const attributes: Span['attributes'] = { 'http.method': many, seq: i % 7 };
      if (i % 100 === 0) attributes['batch.id'] = few;
      traces.push(tagged(attributes, BASE_US + i * 1_000, i % 2 ? 'odd' : 'even'));
    }
    for (let i = 0; i < traces.length; i += 100) {
      const batch = spanBatch(traces.slice(i, i + 100).flat());
      await indexed.spans.writeSpans(batch);
      await walked.spans.writeSpans(batch);
    }
    const queries: (Omit<TraceQuery, 'limit'> & { limit?: number })[] = [
      { attributes: [{ key: 'batch.id', value: few }] },
      { attributes: [{ key: 'batch.id', value: few }], service: 'even', limit: 5 },
      { attributes: [{ key: 'http.method', value: many }], limit: 1000 },
      { attributes: [{ key: 'http.method', value: many }, { key: 'seq', value: '3' }], service: 'odd', limit: 1000 },
      { attributes: [{ key: 'seq', value: '3' }, { key: 'batch.id', value: few }] },
      { attributes: [{ key: 'seq', value: '3' }], startUs: BASE_US + 100_000, endUs: BASE_US + 200_000, limit: 1000 },
    ];
    for (const q of queries) {
      const answer = await ids(indexed, q);
      expect(answer.length).toBeGreaterThan(0);
      expect(answer).toEqual(await ids(walked, q));
    }
  });

  it('covers a name added later from the next trace on, walking the traces written before', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-attr-index-'));
    const order = uniq('ORD');
    const before = open([], dataDir);
    const old = tagged({ 'order.id': order }, BASE_US + 1_000);
    const older = tagged({ 'order.id': order }, BASE_US);
    await before.spans.writeSpans(spanBatch([...old, ...older]));
    await close(before);

    const after = open(['order.id'], dataDir);
    const fresh = tagged({ 'order.id': order }, BASE_US + 500);
    await after.spans.writeSpans(spanBatch(fresh));
    const since = after.database.db.prepare("SELECT since_ref FROM attr_index_keys WHERE key = 'order.id'").get() as { since_ref: number };
    expect(since.since_ref).toBe(3);
    expect(await ids(after, { attributes: [{ key: 'order.id', value: order }] })).toEqual([old, fresh, older].map((t) => t[0].traceId));
    expect(await ids(after, { attributes: [{ key: 'order.id', value: order }], limit: 2 })).toEqual([old, fresh].map((t) => t[0].traceId));
    await close(after);

    // a name no longer indexed is no longer trusted: its index rows stop growing
    const dropped = open([], dataDir);
    await dropped.spans.writeSpans(spanBatch(tagged({ 'order.id': order }, BASE_US + 2_000)));
    expect(dropped.database.db.prepare('SELECT count(*) AS n FROM attr_index_keys').get()).toEqual({ n: 0 });
    expect(await ids(dropped, { attributes: [{ key: 'order.id', value: order }] })).toHaveLength(4);
  });

  it('a file from before the index (schema 6) keeps finding its traces, by the walk', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-attr-index-'));
    const order = uniq('ORD');
    const old = open(['order.id'], dataDir);
    const before = tagged({ 'order.id': order }, BASE_US);
    await old.spans.writeSpans(spanBatch(before));
    rollBackTo(old.database.db, 6);
    await close(old);

    const migrated = open(['order.id'], dataDir);
    expect(migrated.database.schemaVersion).toBe(SCHEMA_VERSION);
    const after = tagged({ 'order.id': order }, BASE_US + 1);
    await migrated.spans.writeSpans(spanBatch(after));
    expect(indexRows(migrated)).toBe(1);
    expect(await ids(migrated, { attributes: [{ key: 'order.id', value: order }] })).toEqual([after[0].traceId, before[0].traceId]);
  });

  it('finds a trace by a business key it only carries in its logs, from the key table', async () => {
    const s = open(['order.id']);
    const order = uniq('ORD');
    const t = makeTrace({ service: 'billing' });
    await s.spans.writeSpans(spanBatch(t, { businessKeys: [{ key: 'order.id', value: order, traceId: t[0].traceId, timeUs: BASE_US }] }));
    expect(indexRows(s)).toBe(0);
    expect(await ids(s, { service: 'billing', attributes: [{ key: 'order.id', value: order }] })).toEqual([t[0].traceId]);
  });

  it('reads the pair from the index once per search: the driver\'s read is the candidates, with keyed and log-only traces', async () => {
    const s = open(['order.id']);
    const order = uniq('ORD');
    const both = tagged({ 'order.id': order }, BASE_US + 3_000);
    const spansOnly = tagged({ 'order.id': order }, BASE_US + 2_000, 'stock');
    const logsOnly = makeTrace({ service: 'billing', startUs: BASE_US + 1_000 });
    const other = tagged({ 'order.id': uniq('ORD') }, BASE_US + 4_000);
    const keys = [both, logsOnly].map((t) => ({ key: 'order.id', value: order, traceId: t[0].traceId, timeUs: BASE_US }));
    // a key seen in logs whose trace never arrived: no trace to find, still a row of the key table
    keys.push({ key: 'order.id', value: order, traceId: 'f'.repeat(32), timeUs: BASE_US });
    await s.spans.writeSpans(spanBatch([...both, ...spansOnly, ...logsOnly, ...other], { businessKeys: keys }));

    const { reads, restore } = recordSqlReads(s.database.db);
    try {
      const indexReads = () => reads.splice(0).filter((sql) => sql.includes('trace_attr_index')).length;
      expect(await ids(s, { attributes: [{ key: 'order.id', value: order }] })).toEqual([both, spansOnly, logsOnly].map((t) => t[0].traceId));
      expect(indexReads()).toBe(1);
      expect(await ids(s, { attributes: [{ key: 'order.id', value: order }], service: 'billing' })).toEqual([logsOnly[0].traceId]);
      expect(indexReads()).toBe(1);
      expect(await ids(s, { attributes: [{ key: 'order.id', value: order }], limit: 1, sort: 'oldest' })).toEqual([logsOnly[0].traceId]);
      expect(indexReads()).toBe(1);
    } finally {
      restore();
    }
  });

  it('retention deletes the index rows of the traces it deletes', async () => {
    const s = open(['order.id']);
    const gone = tagged({ 'order.id': uniq('ORD') }, BASE_US - 10_000_000);
    const kept = tagged({ 'order.id': uniq('ORD') }, BASE_US);
    await s.spans.writeSpans(spanBatch([...gone, ...kept]));
    expect(indexRows(s)).toBe(2);
    const done = new TraceDeleter(s.database.db).deleteBefore(BASE_US - 1, 10_000);
    expect(done.traces).toBe(1);
    expect(s.database.db.prepare('SELECT trace_ref FROM trace_attr_index').all()).toEqual([{ trace_ref: 2 }]);
    expect(await ids(s, { attributes: [{ key: 'order.id', value: String(kept[1].attributes['order.id']) }] })).toEqual([kept[0].traceId]);
  });
});

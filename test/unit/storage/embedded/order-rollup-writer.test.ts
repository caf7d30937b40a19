import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ORDER_FACT_TRACES, orderFactsOfTraces, type OrderFact } from '../../../../core/analysis/order-facts';
import { orderRollupRows } from '../../../../core/analysis/order-rollup';
import type { Span, TraceSummary } from '../../../../core/model';
import { businessKeysOfSpans } from '../../../../ingest/business-keys';
import { seededRandom } from '../../../../bench/seeded-random';
import { openEmbeddedStores, type EmbeddedStores } from '../../../../storage/embedded';
import { factOfRow, type FactRow } from '../../../../storage/embedded/order-rollup-writer';
import { BASE_US, makeLog, makeTrace, spanBatch, uniq } from '../../../contract/fixtures';
import { rollBackTo } from '../../../helpers/embedded-rollback';
import { VALUES_PER_READ } from '../../../../storage/embedded/value-batches';

const KEY = 'order.id';
const M = 60_000_000;

/**
 * The embedded order roll-up grows a stored fact from what a write did instead of reading the
 * order's traces again (storage/embedded/order-rollup-writer.ts). Whatever the write, every stored
 * fact must be the fact the order's first traces and their summaries give now, and the minute sums
 * must be the sums of the stored facts' rows.
 */
describe('embedded order roll-up: stored facts are always the facts of the stored traces', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  function open(dataDir?: string): EmbeddedStores {
    const dir = dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-order-rollup-'));
    if (!dataDir) dirs.push(dir);
    return openEmbeddedStores({ dataDir: dir, orderRollup: { keys: [KEY], stages: [] } });
  }
  async function close(s: EmbeddedStores): Promise<void> {
    await s.spans.shutdown();
    await s.logs.shutdown();
  }
  const write = (s: EmbeddedStores, spans: Span[]) => s.spans.writeSpans(spanBatch(spans, { businessKeys: businessKeysOfSpans(spans, { attributeNames: [KEY] }) }));

  /** Facts as a recount from every stored business key and summary gives them, by value. */
  function factsFromScratch(s: EmbeddedStores): Map<string, OrderFact> {
    const db = s.database.db;
    const ids = new Map<string, string[]>();
    for (const r of db.prepare('SELECT value, trace_id FROM business_keys WHERE key = ?').all(KEY) as { value: string; trace_id: string }[]) {
      ids.set(r.value, [...(ids.get(r.value) ?? []), r.trace_id]);
    }
    const rows = db
      .prepare('SELECT t.trace_id, t.start_us, t.end_us, t.error_count, o.service, o.name FROM traces t JOIN operations o ON o.id = t.root_op_id WHERE t.span_count > 0')
      .all() as { trace_id: string; start_us: number; end_us: number; error_count: number; service: string; name: string }[];
    const summaries = new Map<string, TraceSummary>(
      rows.map((r) => [
        r.trace_id,
        { traceId: r.trace_id, rootService: r.service, rootName: r.name, startUs: r.start_us, durationUs: r.end_us - r.start_us, spanCount: 1, errorCount: r.error_count, services: [] },
      ]),
    );
    return new Map(orderFactsOfTraces(ids, summaries, []).map((f) => [f.value, f]));
  }

  function storedFacts(s: EmbeddedStores): Map<string, OrderFact> {
    const rows = s.database.db.prepare('SELECT value, start_us, end_us, failed, stages, trace_ids, recount FROM order_facts WHERE key = ?').all(KEY) as FactRow[];
    return new Map(rows.map((r) => [r.value, factOfRow(r)]));
  }

  /** The minute sums, without rows that came back to zero, as "minute stage bucket" → [orders, failed, offset]. */
  function storedMinutes(s: EmbeddedStores): Map<string, number[]> {
    const rows = s.database.db.prepare('SELECT minute, stage, bucket, orders, failed, offset_us FROM order_minutes WHERE key = ?').all(KEY) as {
      minute: number;
      stage: string;
      bucket: number;
      orders: number;
      failed: number;
      offset_us: number;
    }[];
    return new Map(rows.filter((r) => r.orders !== 0 || r.failed !== 0 || r.offset_us !== 0).map((r) => [`${r.minute} ${r.stage} ${r.bucket}`, [r.orders, r.failed, r.offset_us]]));
  }

  function minutesOf(facts: Iterable<OrderFact>): Map<string, number[]> {
    const sums = new Map<string, number[]>();
    for (const f of facts) {
      for (const r of orderRollupRows(f, 1)) {
        const id = `${r.minute} ${r.stage} ${r.bucket}`;
        const [o, fl, off] = sums.get(id) ?? [0, 0, 0];
        sums.set(id, [o + r.orders, fl + r.failed, off + r.offsetUs]);
      }
    }
    return sums;
  }

  function expectExact(s: EmbeddedStores, what: string): void {
    const want = factsFromScratch(s);
    expect({ what, facts: storedFacts(s) }).toEqual({ what, facts: want });
    expect({ what, minutes: storedMinutes(s) }).toEqual({ what, minutes: minutesOf(want.values()) });
  }

  it('traces cut into batches in any order, late roots, late failures, a full first-50 list, replays: every write leaves exact facts and sums', async () => {
    const random = seededRandom(20261207);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
    const s = open();
    const orders = Array.from({ length: 5 }, (_, i) => uniq(`O${i}`));
    const services = [uniq('intake'), uniq('fulfil'), uniq('ship')];
    // the first order gets enough traces to fill and pass its first-50 list
    const traces: Span[][] = [];
    for (let i = 0; i < 140; i++) {
      const order = i < ORDER_FACT_TRACES + 20 ? orders[0] : pick(orders);
      const n = 2 + Math.floor(random() * 5);
      const failing = random() < 0.2 ? Math.floor(random() * n) : -1;
      const trace = makeTrace({
        service: pick(services),
        spans: n,
        startUs: BASE_US + Math.floor(random() * 3 * M),
        durationUs: 1_000 + Math.floor(random() * 2_000_000),
        rootName: pick(['POST /orders', 'process', 'deliver']),
        overrides: (k) => ({
          // the key on some spans only: a trace may be stored before the span that links it to its order
          attributes: k === 0 || random() < 0.4 ? { [KEY]: order } : {},
          ...(k === failing ? { status: { code: 'error' as const, message: 'boom' } } : {}),
        }),
      });
      traces.push(trace);
    }
    // every trace in one to three parts; a part holding the root goes last half the time (the root, and with it the stage, changes)
    const parts: Span[][] = [];
    for (const t of traces) {
      const rest = random() < 0.5 ? [...t.slice(1), t[0]] : t;
      const cuts = 1 + Math.floor(random() * 3);
      const size = Math.ceil(rest.length / cuts);
      for (let k = 0; k < rest.length; k += size) parts.push(rest.slice(k, k + size));
    }
    const pending = parts.map((p, i) => ({ p, at: i + Math.floor(random() * 40) })).sort((a, b) => a.at - b.at);
    const written: Span[][] = [];
    while (pending.length > 0) {
      const batch = pending.splice(0, 1 + Math.floor(random() * 6)).flatMap((x) => x.p);
      await write(s, batch);
      written.push(batch);
      if (random() < 0.15) await write(s, pick(written));
      expectExact(s, `after ${written.length} batches`);
    }
    expect(storedFacts(s).get(orders[0])?.traceIds).toHaveLength(ORDER_FACT_TRACES);
    const recounts = s.database.db.prepare('SELECT count(*) AS n FROM order_facts WHERE recount <> 0').get() as { n: number };
    expect(recounts.n).toBe(0);
    await close(s);
  });

  it('an order with a trace carried in logs only is counted again from its traces at each span write, as before', async () => {
    const s = open();
    const order = uniq('L');
    const svc = uniq('svc');
    const traceOf = (startUs: number, durationUs: number, key: boolean) => makeTrace({ service: svc, spans: 3, startUs, durationUs, overrides: () => ({ attributes: key ? { [KEY]: order } : {} }) });
    const linked = traceOf(BASE_US + 10 * M + 1_000_000, 40_000, true);
    await write(s, linked);
    // a log of another trace names the order; that trace's spans (without the key) come later, one failing
    const logged = traceOf(BASE_US + 10 * M + 500_000, 30_000, false);
    const log = makeLog({ traceId: logged[0].traceId, spanId: logged[0].spanId, timeUs: logged[0].startUs, attributes: { [KEY]: order } });
    await s.logs.writeLogs({ logs: [log], businessKeys: [{ key: KEY, value: order, traceId: logged[0].traceId, timeUs: log.timeUs }] });
    expect(s.database.db.prepare('SELECT recount FROM order_facts WHERE key = ? AND value = ?').get(KEY, order)).toEqual({ recount: 1 });
    await write(s, logged.slice(0, 2));
    await write(s, traceOf(BASE_US + 10 * M + 2_000_000, 10_000, true));
    expectExact(s, 'the logged trace counted with its summary');
    await write(s, [{ ...logged[2], status: { code: 'error', message: 'late' }, durationUs: 900_000 }]);
    await write(s, traceOf(BASE_US + 10 * M + 3_000_000, 10_000, true));
    expectExact(s, 'its later spans counted at the next span write of the order');
    expect(storedFacts(s).get(order)?.failed).toBe(true);
    await close(s);
  });

  it('links a trace to its orders by its trace ref (appended), by its id while it has no row; migration 16 moves the links of stored traces', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-order-rollup-'));
    dirs.push(dir);
    const order = uniq('R');
    const svc = uniq('svc');
    const traceOf = (startUs: number, durationUs: number, key: boolean) => makeTrace({ service: svc, spans: 3, startUs, durationUs, overrides: () => ({ attributes: key ? { [KEY]: order } : {} }) });
    const links = (s: EmbeddedStores) => ({
      byRef: s.database.db.prepare('SELECT t.trace_id, r.key, r.value FROM order_trace_refs r JOIN traces t ON t.id = r.trace_ref ORDER BY t.id').all(),
      byId: s.database.db.prepare('SELECT trace_id, key, value FROM order_traces ORDER BY trace_id').all(),
    });
    const s = open(dir);
    const first = traceOf(BASE_US + 30 * M, 40_000, true);
    const second = traceOf(BASE_US + 30 * M + 1_000_000, 20_000, true);
    await write(s, first.slice(0, 2));
    await write(s, second);
    // a log names the order for a trace whose spans have not come: no trace row to key the link by (ingest hands
    // the span store a log's keys as a write without spans, ingest/batch-processor.ts)
    const logged = traceOf(BASE_US + 30 * M + 2_000_000, 30_000, false);
    const loggedKey = { key: KEY, value: order, traceId: logged[0].traceId, timeUs: logged[0].startUs };
    await s.logs.writeLogs({ logs: [makeLog({ traceId: logged[0].traceId, spanId: logged[0].spanId, timeUs: logged[0].startUs, attributes: { [KEY]: order } })], businessKeys: [loggedKey] });
    await s.spans.writeSpans(spanBatch([], { businessKeys: [loggedKey] }));
    const link = (traceId: string) => ({ trace_id: traceId, key: KEY, value: order });
    expect(links(s)).toEqual({ byRef: [link(first[0].traceId), link(second[0].traceId)], byId: [link(logged[0].traceId)] });
    expectExact(s, 'linked by ref and by id');

    // the same file at schema 15 (every link by trace id), migrated again: the links of stored traces move to their refs
    rollBackTo(s.database.db, 15);
    expect(s.database.db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'order_trace_refs'").get()).toEqual({ n: 0 });
    expect(s.database.db.prepare('SELECT count(*) AS n FROM order_traces').get()).toEqual({ n: 3 });
    await close(s);
    const migrated = open(dir);
    expect(links(migrated)).toEqual({ byRef: [link(first[0].traceId), link(second[0].traceId)], byId: [link(logged[0].traceId)] });
    // a later, failing span of a trace linked before the upgrade reaches its order through the moved link; the logged trace's through its id
    await write(migrated, [{ ...first[2], status: { code: 'error', message: 'late' }, durationUs: 900_000 }]);
    expectExact(migrated, 'a stored trace grown after the upgrade');
    expect(storedFacts(migrated).get(order)?.failed).toBe(true);
    await write(migrated, logged);
    await write(migrated, traceOf(BASE_US + 30 * M + 3_000_000, 10_000, true));
    expectExact(migrated, 'the logged trace stored');
    await close(migrated);
  });

  it('many orders in one write, values JSON escapes or cannot carry among them: read in few statements, facts and sums exact', async () => {
    const s = open();
    const svc = uniq('svc');
    const special = ['O "q" \\ /', 'O\u0001\n', 'O\u{1F600}', 'O\ud800', "O'; --"];
    // more orders than one batched read takes (VALUES_PER_READ)
    const orders = [...special, ...Array.from({ length: VALUES_PER_READ + 20 }, (_, i) => uniq(`B${i}`))];
    const traceOf = (order: string, i: number, round: number) =>
      makeTrace({ service: svc, spans: 2, startUs: BASE_US + 40 * M + i * 1_000 + round * 2 * M, durationUs: 5_000 + round, overrides: () => ({ attributes: { [KEY]: order } }) });
    await write(s, orders.flatMap((o, i) => traceOf(o, i, 0)));
    expectExact(s, 'first traces');
    // each order grows by a later trace: its stored fact must be found, or its minute sums would count it twice
    await write(s, orders.flatMap((o, i) => traceOf(o, i, 1)));
    expectExact(s, 'second traces');
    expect([...storedFacts(s).values()].filter((f) => f.traceIds.length === 2)).toHaveLength(orders.length);
    await close(s);
  });

  it('facts stored before migration 13 are counted again once, then grown', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-order-rollup-'));
    dirs.push(dir);
    const order = uniq('P');
    const svc = uniq('svc');
    const traceOf = (startUs: number, durationUs: number) => makeTrace({ service: svc, spans: 2, startUs, durationUs, overrides: () => ({ attributes: { [KEY]: order } }) });
    const old = open(dir);
    await write(old, traceOf(BASE_US + 20 * M, 10_000));
    rollBackTo(old.database.db, 12);
    await close(old);
    const migrated = open(dir);
    expect(migrated.database.db.prepare('SELECT recount FROM order_facts WHERE key = ? AND value = ?').get(KEY, order)).toEqual({ recount: 1 });
    await write(migrated, traceOf(BASE_US + 20 * M + 5_000_000, 20_000));
    expect(migrated.database.db.prepare('SELECT recount FROM order_facts WHERE key = ? AND value = ?').get(KEY, order)).toEqual({ recount: 0 });
    await write(migrated, traceOf(BASE_US + 20 * M - 1_000_000, 20_000));
    expectExact(migrated, 'after the upgrade');
    expect(storedFacts(migrated).get(order)?.traceIds).toHaveLength(3);
    await close(migrated);
  });
});

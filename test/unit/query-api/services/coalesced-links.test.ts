import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openEmbeddedStores, type EmbeddedStores } from '../../../../storage/embedded';
import { joinKey } from '../../../../core/analysis/chain-walk';
import type { TraceLinkEntry } from '../../../../core/model';
import { coalescedLinkedTraces } from '../../../../query-api/services/coalesced-links';
import { demoLikeOrder, writeOrderSpans } from '../../../helpers/chain-orders';

/** Coalesced link reads against a real embedded store holding demo-like orders (three traces each, joined by a link and messaging ids). */
describe('coalescedLinkedTraces', () => {
  let dataDir: string;
  let stores: EmbeddedStores;
  const t0 = Date.now() - 20 * 60_000;
  const orders = Array.from({ length: 6 }, (_, i) => demoLikeOrder({ orderId: `ORD-CO-${i}`, t0: t0 + i * 5_000, delayMs: 100 + i * 10 }));
  const traceIdsOf = (spans: { traceId: string }[]) => [...new Set(spans.map((s) => s.traceId))];
  const sorted = (joins: TraceLinkEntry[]) => joins.map(joinKey).sort();

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-coalesced-'));
    stores = openEmbeddedStores({ dataDir });
    await stores.spans.start();
    for (const spans of orders) await writeOrderSpans(stores.spans, spans);
  });
  afterAll(async () => {
    await stores?.spans.shutdown();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers each caller what the store answers for its ids alone, from one store read per turn', async () => {
    const calls: string[][] = [];
    const linked = coalescedLinkedTraces((ids) => {
      calls.push(ids);
      return stores.spans.linkedTraces(ids);
    });
    const asked = orders.map((spans, i) => traceIdsOf(spans).slice(0, 1 + (i % 3)));
    const together = await Promise.all(asked.map((ids) => linked(ids)));
    expect(calls).toHaveLength(1);
    expect(new Set(calls[0])).toEqual(new Set(asked.flat()));
    for (const [i, ids] of asked.entries()) {
      const alone = await stores.spans.linkedTraces(ids);
      expect(alone.length).toBeGreaterThan(0);
      expect(sorted(together[i])).toEqual(sorted(alone));
    }
  });

  it('reads again for calls of a later turn, and passes a store failure to every caller of the read', async () => {
    let reads = 0;
    const linked = coalescedLinkedTraces(async (ids) => {
      reads++;
      if (ids.includes('not-a-trace')) throw new Error('store down');
      return stores.spans.linkedTraces(ids);
    });
    await linked(traceIdsOf(orders[0]));
    await linked(traceIdsOf(orders[1]));
    expect(reads).toBe(2);
    const failing = [linked(['not-a-trace']), linked(traceIdsOf(orders[2]))];
    await expect(failing[0]).rejects.toThrow('store down');
    await expect(failing[1]).rejects.toThrow('store down');
  });
});

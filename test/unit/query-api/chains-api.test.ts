import { startEmbeddedQueryApp, type EmbeddedQueryApp } from '../../helpers/embedded-query-app';
import { demoLikeOrder, writeOrderSpans } from '../../helpers/chain-orders';

/** /api/chains/slow and /api/chains through the real app and embedded store, with CHAIN_EXPECTED_WAITS=order-jobs. */
describe('chains API: working vs waiting, errors, sort, filters, bottleneck', () => {
  let app: EmbeddedQueryApp;
  let base: string;
  let smallBudgetBase: string;
  const t0 = Date.now() - 10 * 60_000;
  const window = `start=${t0 - 1000}&end=${t0 + 120_000}`;

  const orders = {
    delay: demoLikeOrder({ orderId: 'ORD-DELAY', t0, delayMs: 3000 }),
    pay: demoLikeOrder({ orderId: 'ORD-PAY', t0: t0 + 10_000, paymentMs: 900, delayMs: 500 }),
    queue: demoLikeOrder({ orderId: 'ORD-QUEUE', t0: t0 + 20_000, queueMs: 1200, delayMs: 200 }),
    err: demoLikeOrder({ orderId: 'ORD-ERR', t0: t0 + 30_000, delayMs: 700, error: true }),
    big: demoLikeOrder({ orderId: 'ORD-BIG', t0: t0 + 40_000, paymentMs: 20, delayMs: 100, extraSpans: 400 }),
  };

  beforeAll(async () => {
    app = await startEmbeddedQueryApp('chains-api');
    for (const spans of Object.values(orders)) await writeOrderSpans(app.stores.spans, spans);
    const common = { businessKeys: ['order.id'], expectedWaits: ['order-jobs'], maxSpansPerSlowChain: 100 };
    base = await app.listen({ chains: { ...common, maxSpansPerSlowList: 5_000 } });
    // too small a budget to reload the big chain: its bottleneck is named from the summaries
    smallBudgetBase = await app.listen({ chains: { ...common, maxSpansPerSlowList: 300 } });
  });
  afterAll(() => app?.dispose());

  interface Row {
    value: string;
    durationUs: number;
    workingUs: number;
    waitingUs: number;
    queueWaitUs: number;
    intendedWaitUs: number;
    gapUs: number;
    errorCount: number;
    traceCount: number;
    bottleneck: { kind: string; service: string; operation: string; selfUs: number; waitKind?: string; destination?: string; estimated?: boolean } | null;
  }
  async function slow(query: string, at = base): Promise<Row[]> {
    const res = await fetch(`${at}/api/chains/slow?key=order.id&${window}&${query}`, { signal: AbortSignal.timeout(10_000) });
    expect(res.status).toBe(200);
    return ((await res.json()) as { chains: Row[] }).chains;
  }
  const byValue = (rows: Row[]) => new Map(rows.map((r) => [r.value, r]));

  it('lists every chain with working + waiting = end-to-end, errors, traces and a bottleneck, slowest first', async () => {
    const rows = await slow('');
    expect(rows.map((r) => r.value)).toEqual(['ORD-DELAY', 'ORD-QUEUE', 'ORD-PAY', 'ORD-ERR', 'ORD-BIG']);
    for (const r of rows) {
      expect(r.workingUs + r.waitingUs).toBe(r.durationUs);
      expect(r.queueWaitUs + r.intendedWaitUs + r.gapUs).toBe(r.waitingUs);
      expect(r.traceCount).toBe(3);
      expect(r.bottleneck).not.toBeNull();
    }
    const delay = rows[0];
    expect(delay.intendedWaitUs).toBe(3_000_000);
    // the intended delay is the longest stretch of the chain, never its bottleneck
    expect(delay.bottleneck).toMatchObject({ kind: 'span' });
    expect(byValue(rows).get('ORD-ERR')!.errorCount).toBe(1);
    expect(rows.filter((r) => r.value !== 'ORD-ERR').every((r) => r.errorCount === 0)).toBe(true);
  });

  it('names the slow call, the queue wait and, for the big chain, the same bottleneck as its chain page', async () => {
    const rows = byValue(await slow(''));
    expect(rows.get('ORD-PAY')!.bottleneck).toEqual({ kind: 'span', service: 'payment', operation: 'POST /payments/charge', selfUs: 900_000 });
    expect(rows.get('ORD-QUEUE')!.bottleneck).toEqual({
      kind: 'wait',
      waitKind: 'queue',
      destination: 'order-events',
      service: 'fulfilment',
      operation: 'process order-events',
      selfUs: 1_200_000,
    });
    const big = rows.get('ORD-BIG')!;
    // the fulfilment trace (403 spans) is past the per-chain cap of the ranking: reloaded for the listed row
    expect(big.bottleneck).toEqual({ kind: 'span', service: 'inventory', operation: 'POST /inventory/commit', selfUs: 30_000 });
    const page = await fetch(`${base}/api/chains?key=order.id&value=ORD-BIG&${window}`);
    const chain = (await page.json()) as Row & { spans: unknown[]; criticalPath: unknown[]; waits: unknown[] };
    expect(chain.bottleneck).toEqual(big.bottleneck);
    expect(chain.spans).toHaveLength(orders.big.length);
    expect([chain.durationUs, chain.workingUs, chain.waitingUs]).toEqual([big.durationUs, big.workingUs, big.waitingUs]);
    // each wait once although every hop is joined twice (span link + messaging id)
    expect(chain.waits).toHaveLength(2);
    expect(chain.criticalPath.filter((s) => (s as { wait?: boolean }).wait)).toHaveLength(2);
  });

  it('a chain too big for the list’s span budget still gets a bottleneck, named from its trace summaries', async () => {
    // the fulfilment trace (0–45 ms with its publish span) is one step named after its root
    const big = byValue(await slow('', smallBudgetBase)).get('ORD-BIG')!;
    expect(big.bottleneck).toEqual({ kind: 'span', service: 'fulfilment', operation: 'process order-events', selfUs: 45_000, estimated: true });
    expect(big.workingUs + big.waitingUs).toBe(big.durationUs);
  });

  it('excludeIntendedWaits leaves the scheduled delay out of the times and the ranking', async () => {
    const all = byValue(await slow(''));
    const rows = await slow('excludeIntendedWaits=true');
    expect(rows.slice(0, 2).map((r) => r.value)).toEqual(['ORD-QUEUE', 'ORD-PAY']);
    expect(rows.map((r) => r.value).indexOf('ORD-DELAY')).toBeGreaterThan(1);
    for (const r of rows) {
      const full = all.get(r.value)!;
      expect(r.durationUs).toBe(full.durationUs - full.intendedWaitUs);
      expect(r.waitingUs).toBe(full.waitingUs - full.intendedWaitUs);
      expect(r.intendedWaitUs).toBe(full.intendedWaitUs);
      expect(r.workingUs + r.waitingUs).toBe(r.durationUs);
    }
  });

  it('errorsOnly keeps the chains with an error span', async () => {
    expect((await slow('errorsOnly=true')).map((r) => r.value)).toEqual(['ORD-ERR']);
  });

  it.each([
    ['working', 'desc', (r: Row) => r.workingUs],
    ['waiting', 'asc', (r: Row) => r.waitingUs],
    ['errors', 'desc', (r: Row) => r.errorCount],
    ['bottleneck', 'desc', (r: Row) => r.bottleneck?.selfUs ?? 0],
    ['duration', 'asc', (r: Row) => r.durationUs],
  ] as const)('sort=%s&order=%s', async (sort, order, value) => {
    const rows = await slow(`sort=${sort}&order=${order}`);
    expect(rows).toHaveLength(5);
    const values = rows.map(value);
    const sorted = [...values].sort((a, b) => (order === 'asc' ? a - b : b - a));
    expect(values).toEqual(sorted);
  });

  it('limit cuts after sorting', async () => {
    expect((await slow('sort=working&limit=1')).map((r) => r.value)).toEqual(['ORD-PAY']);
  });

  it.each([
    ['sort=slowest', 'sort'],
    ['order=up', 'order'],
    ['errorsOnly=yes', 'errorsOnly'],
    ['excludeIntendedWaits=1', 'excludeIntendedWaits'],
  ])('%s is a 400 naming the parameter', async (query, parameter) => {
    const res = await fetch(`${base}/api/chains/slow?key=order.id&${query}`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { parameter: string }).parameter).toBe(parameter);
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient, ClickHouseLogLevel } from '@clickhouse/client';
import type { LogStore } from '../../core/contracts/log-store';
import type { SpanStore } from '../../core/contracts/span-store';
import type { LogRecord, Span } from '../../core/model';
import type { DashboardData } from '../../core/wire';
import { createDashboardService } from '../../query-api/services/dashboard-service';
import { ClickHouseSpanStore } from '../../storage/clickhouse';
import { openEmbeddedStores, type EmbeddedStores } from '../../storage/embedded';
import { openSearchLogStore, type SearchLogStore } from '../../storage/search';
import { demoLikeOrder, writeOrderSpans } from '../helpers/chain-orders';
import { describeWithEngines, ENGINE_ADDRESSES, uniqueName } from '../helpers/engines';
import { waitFor } from '../helpers/wait';
import { makeLog, uniq } from './fixtures';

const DASHBOARDS = ['order-center', 'service-health', 'logs'];

/** A panel's data without its timing: what two backends must agree on. */
function numbers(data: DashboardData): Record<string, unknown> {
  return Object.fromEntries(Object.entries(data.panels).map(([id, r]) => [id, r.ok ? r.data : { error: r.error }]));
}

/**
 * The wall screens' panel numbers for the same data on the embedded store and
 * on ClickHouse (spans) with OpenSearch (logs): every panel of the three
 * shipped dashboards, computed for the same end time, is equal. The data is
 * demo-like orders (three traces joined by links and messaging ids, some
 * failing, each trace's spans in two batches and one batch replayed) and log
 * lines of several services and levels, in minutes of their own.
 */
describeWithEngines(['clickhouse', 'opensearch'], 'dashboard panels on every backend', () => {
  let embedded: EmbeddedStores;
  let dataDir: string;
  let clickhouse: ClickHouseSpanStore;
  let opensearch: SearchLogStore;
  const database = uniqueName('chainscope_parity');
  // own names, so other tests' data on the shared engines stays out of the services and log panels
  const tag = uniq('p').replace(/-/g, '');
  const endMs = Math.floor(Date.now() / 60_000) * 60_000 - 30 * 24 * 3_600_000 + 20_000;

  function orders(): { spans: Span[][]; logs: LogRecord[] } {
    const spans: Span[][] = [];
    const logs: LogRecord[] = [];
    for (let i = 0; i < 24; i++) {
      const t0 = endMs - 40 * 60_000 + i * 97_000;
      const order = demoLikeOrder({ orderId: `ORD-${tag}-${i}`, t0, paymentMs: 20 + ((i * 37) % 300), delayMs: 200 + ((i * 53) % 900), error: i % 5 === 2 });
      for (const s of order) {
        s.service = `${s.service}-${tag}`;
        s.resource = { 'service.name': s.service };
      }
      spans.push(order);
      const level = i % 4 === 0 ? (['ERROR', 17] as const) : i % 4 === 1 ? (['WARN', 13] as const) : (['INFO', 9] as const);
      for (const [k, service] of [`payment-${tag}`, `notification-${tag}`, `order-api-${tag}`].entries()) {
        logs.push(
          makeLog({
            service,
            timeUs: (t0 + 100 + k * 10) * 1000,
            body: i % 3 === 0 ? `card declined for ORD-${tag}-${i}` : `step ${k} of order ${i % 2}`,
            severityText: level[0],
            severityNumber: level[1],
            traceId: order[0].traceId,
          }),
        );
      }
    }
    return { spans, logs };
  }

  async function write(spans: SpanStore, logs: LogStore, data: { spans: Span[][]; logs: LogRecord[] }) {
    for (const order of data.spans) {
      // each order in two batches (the intake trace, then the rest), and the second one again (a replay)
      await writeOrderSpans(spans, order.slice(0, 3));
      await writeOrderSpans(spans, order.slice(3));
      await writeOrderSpans(spans, order.slice(3));
    }
    await logs.writeLogs({ logs: data.logs, businessKeys: [] });
  }

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-parity-'));
    embedded = openEmbeddedStores({ dataDir });
    clickhouse = new ClickHouseSpanStore({ url: ENGINE_ADDRESSES.clickhouse(), database });
    opensearch = openSearchLogStore({ url: ENGINE_ADDRESSES.opensearch(), indexPrefix: uniqueName('cs_parity'), numberOfReplicas: 0 });
    await Promise.all([embedded.spans.start(), embedded.logs.start(), clickhouse.start(), opensearch.start()]);
    const data = orders();
    await write(embedded.spans, embedded.logs, data);
    await write(clickhouse, opensearch, data);
    await opensearch.refresh();
  }, 180_000);
  afterAll(async () => {
    await embedded?.spans.shutdown();
    await embedded?.logs.shutdown();
    fs.rmSync(dataDir, { recursive: true, force: true });
    await opensearch?.uninstall();
    await opensearch?.shutdown();
    await clickhouse?.shutdown();
    // a busy server can take a while to drop the tables
    const admin = createClient({ url: ENGINE_ADDRESSES.clickhouse(), log: { level: ClickHouseLogLevel.OFF }, request_timeout: 150_000 });
    try {
      await admin.command({ query: `DROP DATABASE IF EXISTS \`${database}\`` });
    } finally {
      await admin.close();
    }
  }, 180_000);

  /** Panel kinds no shipped dashboard uses, on a dashboard of their own (DASHBOARDS_DIR). */
  function extraDashboards(): string {
    const dir = path.join(dataDir, 'dashboards');
    fs.mkdirSync(dir, { recursive: true });
    const panels = [
      { id: 'order-latency', title: 'Order latency', type: 'heatmap', x: 0, y: 0, w: 6, h: 3, query: { kind: 'order-latency' } },
      { id: 'order-api-latency', title: 'Order API latency', type: 'heatmap', x: 6, y: 0, w: 6, h: 3, query: { kind: 'service-latency', service: `order-api-${tag}` } },
      { id: 'declined-tail', title: 'Declined', type: 'logstream', x: 0, y: 3, w: 12, h: 3, query: { kind: 'log-tail', q: 'declined', limit: 50 } },
    ];
    fs.writeFileSync(path.join(dir, 'parity-extra.json'), JSON.stringify({ id: 'parity-extra', title: 'Parity', panels }));
    return dir;
  }

  it.each([...DASHBOARDS, 'parity-extra'])('%s: every panel has the same numbers on embedded and on ClickHouse + OpenSearch', async (id) => {
    const options = { chains: { businessKeys: ['order.id'] }, dashboardsDir: extraDashboards() };
    const [a, b] = await Promise.all([
      createDashboardService(embedded.spans, embedded.logs, options).data(id, endMs),
      createDashboardService(clickhouse, opensearch, options).data(id, endMs),
    ]);
    const failed = Object.entries({ ...a.panels }).filter(([, r]) => !r.ok);
    expect(failed).toEqual([]);
    expect(numbers(b)).toEqual(numbers(a));
  });

  it('the numbers compared are the data written, not empty panels', async () => {
    const data = numbers(await createDashboardService(clickhouse, opensearch, { chains: { businessKeys: ['order.id'] } }).data('order-center', endMs)) as Record<string, { series?: { orders: number; failed: number }[]; rows?: unknown[]; stages?: unknown[] }>;
    const series = data['orders-per-minute'].series!;
    expect(series.reduce((n, p) => n + p.orders, 0)).toBe(24);
    expect(series.reduce((n, p) => n + p.failed, 0)).toBe(5);
    expect(data.stages.stages).toHaveLength(3);
    expect(data['slow-orders'].rows!.length).toBeGreaterThan(0);
    const health = numbers(await createDashboardService(embedded.spans, embedded.logs, { chains: { businessKeys: ['order.id'] } }).data('service-health', endMs)) as Record<string, { rows: { service: string }[] }>;
    expect(health.services.rows.some((r) => r.service.endsWith(tag))).toBe(true);
    expect(health['error-bursts'].rows.map((r) => r.service).sort()).toEqual([`notification-${tag}`, `order-api-${tag}`, `payment-${tag}`]);
    // orders 16 and 20 are the errors of the bursts' 15 minutes, each logged by the three services as "step k of order 0"
    const bursts = (health['error-bursts'] as unknown as { rows: { service: string; count: number; series: { value: number }[]; topMessage: string; topMessageCount: number }[] }).rows;
    for (const row of bursts) {
      const k = [`payment-${tag}`, `notification-${tag}`, `order-api-${tag}`].indexOf(row.service);
      expect([row.count, row.series.reduce((n, p) => n + p.value, 0), row.topMessage, row.topMessageCount]).toEqual([2, 2, `step ${k} of order 0`, 2]);
    }
    expect((health.latency as unknown as { total: number }).total).toBeGreaterThan(24);
    const extra = numbers(await createDashboardService(clickhouse, opensearch, { chains: { businessKeys: ['order.id'] }, dashboardsDir: extraDashboards() }).data('parity-extra', endMs)) as Record<string, { total?: number; rows?: { body: string }[] }>;
    expect(extra['order-latency'].total).toBe(24);
    expect(extra['order-api-latency'].total).toBe(24);
    // one order in three has a declined card, logged by three services
    expect(extra['declined-tail'].rows!.length).toBe(24);
    expect(extra['declined-tail'].rows!.every((r) => r.body.startsWith('card declined for'))).toBe(true);
  });

  /**
   * ClickHouse reads a topology minute from its per-minute summary once it is quiet (topology-minutes.ts): a
   * second store handle on the same database with no quiet period takes the summaries; the numbers stay the
   * embedded store's, and a late batch or replay into a summarized minute sends it back to the exact read.
   */
  describe('ClickHouse topology minutes read from their summaries', () => {
    let summarizing: ClickHouseSpanStore;
    const options = { chains: { businessKeys: ['order.id'] } };
    const marks = async () => {
      const admin = createClient({ url: ENGINE_ADDRESSES.clickhouse(), log: { level: ClickHouseLogLevel.OFF } });
      try {
        const rows = await (
          await admin.query({
            query: `SELECT minute, maxIf(at, kind = 0) AS written, maxIf(at, kind = 1) AS summarized, toUInt32(now()) AS now FROM \`${database}\`.topology_minute_marks GROUP BY minute`,
            format: 'JSONEachRow',
          })
        ).json<{ minute: string; written: number; summarized: number; now: number }>();
        return rows.map((r) => ({ minute: Number(r.minute), written: Number(r.written), summarized: Number(r.summarized), now: Number(r.now) }));
      } finally {
        await admin.close();
      }
    };
    const serverPastLastWrite = () => waitFor(async () => (await marks()).every((m) => m.now > m.written), 'the server clock past the last write mark');
    const compare = async (id: string) => {
      const [a, b] = await Promise.all([createDashboardService(embedded.spans, embedded.logs, options).data(id, endMs), createDashboardService(summarizing, opensearch, options).data(id, endMs)]);
      expect(Object.entries(a.panels).filter(([, r]) => !r.ok)).toEqual([]);
      expect(numbers(b)).toEqual(numbers(a));
      return numbers(b) as Record<string, { rows: { service: string; calls: number }[] }>;
    };

    beforeAll(async () => {
      summarizing = new ClickHouseSpanStore({ url: ENGINE_ADDRESSES.clickhouse(), database, topologyQuietSeconds: 0 });
      await summarizing.start();
    });
    afterAll(async () => {
      await summarizing?.shutdown();
    });

    it.each(['service-health', 'order-center'])('%s: the same numbers once the written minutes are summarized', async (id) => {
      await serverPastLastWrite();
      await compare(id);
      const written = (await marks()).filter((m) => m.written > 0);
      expect(written.length).toBeGreaterThan(0);
      expect(written.filter((m) => m.summarized <= m.written)).toEqual([]);
    });

    it('a replayed batch and a late order in summarized minutes: read exactly again, then summarized again, still equal', async () => {
      await serverPastLastWrite();
      const before = await compare('service-health');
      const late = demoLikeOrder({ orderId: `ORD-${tag}-late`, t0: endMs - 40 * 60_000 + 5 * 97_000 + 500, paymentMs: 44, delayMs: 300, error: true });
      for (const s of late) {
        s.service = `${s.service}-${tag}`;
        s.resource = { 'service.name': s.service };
      }
      await write(embedded.spans, embedded.logs, { spans: [late], logs: [] });
      await write(summarizing, opensearch, { spans: [late], logs: [] });
      const dirty = (await marks()).filter((m) => m.written >= m.summarized);
      expect(dirty.length).toBeGreaterThan(0);
      const after = await compare('service-health');
      const calls = (n: typeof before) => n.services.rows.filter((r) => r.service.endsWith(tag)).reduce((sum, r) => sum + r.calls, 0);
      expect(calls(after)).toBeGreaterThan(calls(before));
      await serverPastLastWrite();
      await compare('service-health');
      expect((await marks()).filter((m) => m.written > 0 && m.summarized <= m.written)).toEqual([]);
    });
  });
});

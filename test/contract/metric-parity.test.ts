import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient, ClickHouseLogLevel } from '@clickhouse/client';
import type { MetricStore } from '../../core/contracts/metric-store';
import type { MetricPoint } from '../../core/metric-point';
import { MetricService, type SeriesQuery } from '../../query-api/services/metric-service';
import { ClickHouseMetricStore } from '../../storage/clickhouse';
import { openEmbeddedMetricStore, openEmbeddedStores, type EmbeddedStores } from '../../storage/embedded';
import { describeWithEngines, ENGINE_ADDRESSES, uniqueName } from '../helpers/engines';
import { metricPoint } from './metric-store.contract';

const MINUTE_US = 60_000_000;
const END_US = Math.floor(Date.now() / MINUTE_US) * MINUTE_US;
const START_US = END_US - 30 * MINUTE_US;

/**
 * Thirty minutes of what SDKs send every 10 s from three services on two
 * hosts each: a cumulative counter (with a restart: a new start time and a
 * reset), an explicit-bucket latency histogram, a delta counter, a gauge and
 * an exponential histogram, with a hostile label value. Deterministic values,
 * so a failure can be reproduced.
 */
function telemetry(): MetricPoint[] {
  const points: MetricPoint[] = [];
  const services = ['checkout', 'billing', "inv'entory <b>"];
  let seed = 7;
  const next = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  for (const service of services) {
    for (const host of ['a', 'b']) {
      const resource = { 'service.name': service, 'host.name': host };
      let requests = 0;
      let startUs = START_US - 5 * MINUTE_US;
      const buckets = [0, 0, 0, 0];
      let count = 0;
      let sum = 0;
      for (let t = START_US - 2 * MINUTE_US; t < END_US; t += 10_000_000) {
        if (service === 'billing' && host === 'b' && t === START_US + 12 * MINUTE_US) {
          requests = 0; // the process restarted
          startUs = t - 1_000_000;
        }
        const added = Math.floor(next() * 50);
        requests += added;
        for (let i = 0; i < added; i++) {
          const ms = next() * 400;
          buckets[ms < 10 ? 0 : ms < 50 ? 1 : ms < 250 ? 2 : 3]++;
          count++;
          sum += ms;
        }
        const base = { service, resource, startUs, timeUs: t };
        for (const route of ['/orders', '/pay']) {
          points.push(metricPoint('http.server.requests', { ...base, attributes: { 'http.route': route, host }, value: requests + (route === '/pay' ? 3 : 0) }));
        }
        points.push(
          metricPoint('http.server.duration', {
            ...base,
            kind: 'histogram',
            unit: 'ms',
            monotonic: false,
            attributes: { host },
            value: sum,
            count,
            bounds: [10, 50, 250],
            bucketCounts: [...buckets],
          }),
          metricPoint('queue.items', { ...base, kind: 'gauge', temporality: 'unspecified', monotonic: false, attributes: { host }, value: Math.floor(next() * 100) }),
          metricPoint('jobs.done', { ...base, temporality: 'delta', startUs: t - 10_000_000, attributes: { host }, value: added }),
          metricPoint('payload.size', { ...base, kind: 'exponential_histogram', monotonic: false, attributes: { host }, value: sum * 3, count }),
        );
      }
    }
  }
  return points;
}

const QUERIES: Array<Omit<SeriesQuery, 'startUs' | 'endUs'>> = [];
for (const stepUs of [MINUTE_US, 5 * MINUTE_US]) {
  for (const groupBy of [[], ['service'], ['service', 'http.route'], ['host', 'missing']]) {
    QUERIES.push({ name: 'http.server.requests', stepUs, groupBy, quantile: 0.95 });
    QUERIES.push({ name: 'http.server.duration', stepUs, groupBy, quantile: 0.5, fn: 'quantile' });
    QUERIES.push({ name: 'http.server.duration', stepUs, groupBy, quantile: 0.99, fn: 'quantile' });
    QUERIES.push({ name: 'http.server.duration', stepUs, groupBy, quantile: 0.95, fn: 'avg' });
    QUERIES.push({ name: 'http.server.duration', stepUs, groupBy, quantile: 0.95 });
    QUERIES.push({ name: 'queue.items', stepUs, groupBy, quantile: 0.95 });
    QUERIES.push({ name: 'jobs.done', stepUs, groupBy, quantile: 0.95 });
    QUERIES.push({ name: 'payload.size', stepUs, groupBy, quantile: 0.95, fn: 'avg' });
  }
}

/** The same points into the embedded store and ClickHouse give the same API answers, query by query. */
describeWithEngines(['clickhouse'], 'Metric answers: embedded and ClickHouse agree', () => {
  const url = ENGINE_ADDRESSES.clickhouse();
  const database = uniqueName('chainscope_metric_parity');
  let dataDir: string;
  let stores: EmbeddedStores;
  let embedded: MetricStore;
  let clickhouse: MetricStore;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-metric-parity-'));
    stores = openEmbeddedStores({ dataDir });
    embedded = openEmbeddedMetricStore(stores);
    clickhouse = new ClickHouseMetricStore({ url, database });
    await embedded.start();
    await clickhouse.start();
    const points = telemetry();
    // as ingest writes them: in bus batches, some redelivered
    for (let i = 0; i < points.length; i += 500) {
      const batch = points.slice(i, i + 500);
      for (const store of [embedded, clickhouse]) {
        await store.writeMetricPoints(batch);
        if (i % 1500 === 0) await store.writeMetricPoints(batch);
      }
    }
  });

  afterAll(async () => {
    await embedded?.shutdown();
    await stores?.spans.shutdown();
    await stores?.logs.shutdown();
    await clickhouse?.shutdown();
    fs.rmSync(dataDir, { recursive: true, force: true });
    const admin = createClient({ url, log: { level: ClickHouseLogLevel.OFF } });
    await admin.command({ query: `DROP DATABASE IF EXISTS \`${database}\`` }).finally(() => admin.close());
  });

  it('names and labels', async () => {
    const [a, b] = [new MetricService(embedded), new MetricService(clickhouse)];
    const names = await a.names();
    expect(names.metrics.map((m) => m.name)).toEqual(['http.server.duration', 'http.server.requests', 'jobs.done', 'payload.size', 'queue.items']);
    expect(await b.names()).toEqual(names);
    for (const { name } of names.metrics) expect(await b.labels(name)).toEqual(await a.labels(name));
  });

  it(`${QUERIES.length} series queries (rate, value, avg, quantiles; grouped; two steps)`, async () => {
    const [a, b] = [new MetricService(embedded), new MetricService(clickhouse)];
    let nonEmpty = 0;
    for (const query of QUERIES) {
      const full = { ...query, startUs: START_US, endUs: END_US };
      const expected = await a.series(full);
      nonEmpty += expected.series.some((s) => s.points.some((p) => p.value !== null && p.value > 0)) ? 1 : 0;
      expect({ query, answer: await b.series(full) }).toEqual({ query, answer: expected });
    }
    // the comparison compared numbers, not two empty answers
    expect(nonEmpty).toBe(QUERIES.length);
  });
});

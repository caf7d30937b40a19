import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { MetricPoint } from '../core/metric-point';
import { encodeMetricsRequestProto } from '../core/otlp';
import { createClient } from '@clickhouse/client';
import { quoteIdentifier } from '../storage/clickhouse/quote';
import { machineNote, numberFlag, stringFlag } from './args';
import { counter, report, sendAll, startRoleProcess, waitForCounter } from './load';

const SERIES = 1000;
const BOUNDS = [5, 10, 25, 50, 100, 250, 500, 1000];

/**
 * `npm run bench -- --metrics [--store embedded|clickhouse] [--points 200000] [--batch 2000] [--concurrency 4] [--rounds 2]`:
 * OTLP metric points (a third each cumulative counters, gauges and 9-bucket
 * histograms over 1,000 series of 10 services) posted as OTLP/HTTP protobuf to
 * one all-in-one (its own process; the metric store is the span store's:
 * embedded, or ClickHouse at CLICKHOUSE_URL in a database of its own, dropped
 * after), each round timed until accepted and until ingest wrote them
 * (chainscope_ingest_metric_points_written_total).
 */
export async function benchOtlpMetrics(args: string[]): Promise<void> {
  const pointsPerRound = numberFlag(args, 'points', 200_000);
  const pointsPerRequest = numberFlag(args, 'batch', 2_000);
  const concurrency = numberFlag(args, 'concurrency', 4);
  const rounds = numberFlag(args, 'rounds', 2);
  const store = stringFlag(args, 'store', 'embedded');
  if (store !== 'embedded' && store !== 'clickhouse') throw new Error(`--store must be embedded or clickhouse, got ${store}`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-bench-metrics-'));
  const clickhouseUrl = process.env.CLICKHOUSE_URL ?? 'http://127.0.0.1:8123';
  const database = `bench_metrics_${Date.now().toString(36)}`;
  const storeEnv: Record<string, string> = store === 'clickhouse' ? { SPAN_STORE: 'clickhouse', CLICKHOUSE_URL: clickhouseUrl, CLICKHOUSE_DATABASE: database } : {};
  const server = startRoleProcess('all-in-one', { PORT: '0', OTLP_HTTP_PORT: '0', DATA_DIR: dataDir, ...storeEnv });
  const perRound: Array<{ accepted: number; written: number }> = [];
  try {
    const api = await server.url(/query API and UI listening/);
    const otlp = await server.url(/OTLP\/HTTP receiver listening/);
    let tick = 0;
    for (let round = 1; round <= rounds; round++) {
      const requests: Buffer[] = [];
      for (let sent = 0; sent < pointsPerRound; sent += pointsPerRequest) {
        const points: MetricPoint[] = [];
        for (let i = 0; i < Math.min(pointsPerRequest, pointsPerRound - sent); i++) points.push(syntheticPoint(tick++));
        // grouped by resource, as an SDK sends them (one ResourceMetrics per service)
        points.sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0));
        requests.push(Buffer.from(encodeMetricsRequestProto(points)));
      }
      const before = await counter(`${api}/metrics`, 'chainscope_ingest_metric_points_written_total');
      const t0 = performance.now();
      await sendAll(`${otlp}/v1/metrics`, requests, concurrency);
      const tAccepted = performance.now();
      await waitForCounter([`${api}/metrics`], 'chainscope_ingest_metric_points_written_total', before + pointsPerRound);
      const tWritten = performance.now();
      perRound.push({ accepted: Math.round(pointsPerRound / ((tAccepted - t0) / 1000)), written: Math.round(pointsPerRound / ((tWritten - t0) / 1000)) });
      console.log(`bench: round ${round}: ${perRound.at(-1)!.accepted} points/s accepted, ${perRound.at(-1)!.written} written`);
    }
  } finally {
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (store === 'clickhouse') {
      const clickhouse = createClient({ url: clickhouseUrl });
      await clickhouse.command({ query: `DROP DATABASE IF EXISTS ${quoteIdentifier(database)}` }).catch((err) => console.warn(`bench: ${err}`));
      await clickhouse.close();
    }
  }
  report('otlp-metrics', { date: new Date().toISOString(), machine: machineNote(), store, pointsPerRound, pointsPerRequest, concurrency, rounds, pointsPerSecond: perRound });
}

/** Point `tick`: series tick % SERIES, one second apart per series, kinds in turn. */
function syntheticPoint(tick: number): MetricPoint {
  const series = tick % SERIES;
  const timeUs = (Date.now() - 3_600_000) * 1000 + Math.floor(tick / SERIES) * 1_000_000 + series;
  const service = `svc-${series % 10}`;
  const resource = RESOURCES[series % 10];
  const attributes = { route: `/r/${series}`, status: series % 7 === 0 ? '500' : '200' };
  const base = { unit: 'ms', service, resource, attributes, startUs: timeUs - 3_600_000_000, timeUs, monotonic: false, count: 0 };
  switch (series % 3) {
    case 0:
      return { ...base, name: 'bench.requests', kind: 'sum', temporality: 'cumulative', monotonic: true, value: tick };
    case 1:
      return { ...base, name: 'bench.queue', kind: 'gauge', temporality: 'unspecified', value: tick % 97 };
    default: {
      const bucketCounts = BOUNDS.map((_, i) => (tick + i) % 5).concat([1]);
      const count = bucketCounts.reduce((a, b) => a + b, 0);
      return { ...base, name: 'bench.latency', kind: 'histogram', temporality: 'cumulative', value: count * 40, count, bounds: BOUNDS, bucketCounts };
    }
  }
}

const RESOURCES = Array.from({ length: 10 }, (_, i) => ({ 'service.name': `svc-${i}`, 'host.name': `host-${i}` }));

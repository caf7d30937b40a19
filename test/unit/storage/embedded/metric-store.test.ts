import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { MetricPoint } from '../../../../core/metric-point';
import { openEmbeddedMetricStore, openEmbeddedStores, type EmbeddedStores } from '../../../../storage/embedded';
import type { EmbeddedMetricStore } from '../../../../storage/embedded/metric-store';
import { metricPoint } from '../../../contract/metric-store.contract';

const NOW_US = 1_800_000_000_000_000;

function point(over: Partial<MetricPoint>): MetricPoint {
  return metricPoint(over.name ?? 'orders', { startUs: NOW_US - 100_000_000, timeUs: NOW_US, ...over });
}

describe('EmbeddedMetricStore', () => {
  let dataDir: string;
  let stores: EmbeddedStores;
  let metrics: EmbeddedMetricStore;

  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-metrics-unit-'));
    stores = openEmbeddedStores({ dataDir, retention: { maxAgeUs: 3_600_000_000, nowUs: () => NOW_US, intervalMs: 3_600_000 } });
    metrics = openEmbeddedMetricStore(stores);
  });

  afterEach(async () => {
    await metrics.shutdown();
    await stores.spans.shutdown();
    await stores.logs.shutdown();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps series by label set and answers names, labels and points in a window', async () => {
    await metrics.writeMetricPoints([
      point({ attributes: { region: 'eu' }, timeUs: NOW_US - 2_000_000, value: 1 }),
      point({ attributes: { region: 'eu' }, timeUs: NOW_US - 1_000_000, value: 5 }),
      point({ attributes: { region: 'us' }, timeUs: NOW_US - 1_000_000, value: 7 }),
      point({ name: 'latency', kind: 'histogram', monotonic: false, value: 12, count: 3, bounds: [10], bucketCounts: [2, 1] }),
    ]);
    expect(await metrics.metricNames(10)).toEqual([
      { name: 'latency', kind: 'histogram', unit: '1', temporality: 'cumulative', monotonic: false, series: 1 },
      { name: 'orders', kind: 'sum', unit: '1', temporality: 'cumulative', monotonic: true, series: 2 },
    ]);
    expect(await metrics.metricLabels('orders', 100, 100)).toEqual([
      { key: 'region', values: ['eu', 'us'] },
      { key: 'service', values: ['checkout'] },
    ]);
    const read = await metrics.seriesPoints('orders', NOW_US - 1_500_000, NOW_US, 100);
    expect(read.truncated).toBe(false);
    expect(read.series.map((s) => [s.labels.region, s.points.map((p) => p.value)])).toEqual([
      ['eu', [5]],
      ['us', [7]],
    ]);
    const histogram = await metrics.seriesPoints('latency', 0, NOW_US + 1, 100);
    expect(histogram.series[0].points[0]).toMatchObject({ count: 3, value: 12, bounds: [10], bucketCounts: [2, 1] });
  });

  it('stops at the point budget and says so', async () => {
    await metrics.writeMetricPoints([1, 2, 3].map((i) => point({ timeUs: NOW_US - i * 1_000_000 })));
    const read = await metrics.seriesPoints('orders', 0, NOW_US + 1, 2);
    expect(read.series[0].points).toHaveLength(2);
    expect(read.truncated).toBe(true);
  });

  it('a point written twice for one series and time is kept once (a retried export)', async () => {
    await metrics.writeMetricPoints([point({ value: 1 })]);
    await metrics.writeMetricPoints([point({ value: 2 })]);
    const read = await metrics.seriesPoints('orders', 0, NOW_US + 1, 100);
    expect(read.series[0].points.map((p) => p.value)).toEqual([2]);
  });

  it('retention deletes points older than the horizon', async () => {
    await metrics.writeMetricPoints([point({ timeUs: NOW_US - 7_200_000_000, value: 1 }), point({ timeUs: NOW_US - 60_000_000, value: 2 })]);
    await stores.retention.runPass();
    const read = await metrics.seriesPoints('orders', 0, NOW_US + 1, 100);
    expect(read.series[0].points.map((p) => p.value)).toEqual([2]);
  });
});

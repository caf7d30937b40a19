import type { MetricStore } from '../../core/contracts/metric-store';
import type { MetricPoint } from '../../core/metric-point';
import { BASE_US, uniq } from './fixtures';
import { openStoreForSuite, type OpenedStore } from './opened-store';

export type OpenedMetricStore = OpenedStore<MetricStore>;

/** A cumulative counter point of `name` (override anything). */
export function metricPoint(name: string, over: Partial<MetricPoint> = {}): MetricPoint {
  return {
    name,
    unit: '1',
    kind: 'sum',
    temporality: 'cumulative',
    monotonic: true,
    service: 'checkout',
    resource: { 'service.name': 'checkout' },
    attributes: {},
    startUs: BASE_US - 3_600_000_000,
    timeUs: BASE_US,
    value: 1,
    count: 0,
    ...over,
  };
}

/**
 * The behaviour every MetricStore backend must show. Each test writes metric
 * names of its own (uniq), so the suite also runs against a shared engine
 * holding older data; metricNames is checked for the names it wrote only.
 */
export function describeMetricStoreContract(name: string, open: () => Promise<OpenedMetricStore>): void {
  describe(`MetricStore contract: ${name}`, () => {
    let opened: OpenedMetricStore;
    let store: MetricStore;

    openStoreForSuite(open, (o) => {
      opened = o;
      store = o.store;
    });

    const all = (metric: string, maxPoints = 1000) => store.seriesPoints(metric, 0, BASE_US + 3_600_000_000, maxPoints);

    it('lists names with kind, unit, temporality and series count, by name then kind', async () => {
      const prefix = uniq('names');
      const counter = `${prefix}.a_requests`;
      const latency = `${prefix}.b_latency`;
      await store.writeMetricPoints([
        metricPoint(counter, { attributes: { region: 'eu' } }),
        metricPoint(counter, { attributes: { region: 'us' } }),
        metricPoint(counter, { attributes: { region: 'us' }, timeUs: BASE_US + 1_000_000 }),
        metricPoint(latency, { kind: 'histogram', unit: 'ms', temporality: 'delta', monotonic: false, value: 12, count: 3, bounds: [10], bucketCounts: [2, 1] }),
        metricPoint(latency, { kind: 'gauge', unit: 'ms', temporality: 'unspecified', monotonic: false, value: 4 }),
      ]);
      const names = (await store.metricNames(100_000)).filter((n) => n.name.startsWith(prefix));
      expect(names).toEqual([
        { name: counter, kind: 'sum', unit: '1', temporality: 'cumulative', monotonic: true, series: 2 },
        { name: latency, kind: 'gauge', unit: 'ms', temporality: 'unspecified', monotonic: false, series: 1 },
        { name: latency, kind: 'histogram', unit: 'ms', temporality: 'delta', monotonic: false, series: 1 },
      ]);
    });

    it('answers label keys with their values, service included, nested values as JSON text', async () => {
      const metric = uniq('labels');
      await store.writeMetricPoints([
        metricPoint(metric, { attributes: { region: 'eu', 'http.route': '/orders/{id}' } }),
        metricPoint(metric, { attributes: { region: 'us', nested: ['a', 1] }, service: 'billing', resource: { 'service.name': 'billing' } }),
        metricPoint(metric, { attributes: { region: 'eu', quote: "it's \"x\" \\ <b>" } }),
      ]);
      expect(await store.metricLabels(metric, 100, 100)).toEqual([
        { key: 'http.route', values: ['/orders/{id}'] },
        { key: 'nested', values: ['["a",1]'] },
        { key: 'quote', values: ["it's \"x\" \\ <b>"] },
        { key: 'region', values: ['eu', 'us'] },
        { key: 'service', values: ['billing', 'checkout'] },
      ]);
      expect(await store.metricLabels(uniq('nothing'), 100, 100)).toEqual([]);
    });

    it('answers series in label order with their points in time order inside [start, end)', async () => {
      const metric = uniq('series');
      // written out of order, and the later-labelled series first
      await store.writeMetricPoints([
        metricPoint(metric, { attributes: { region: 'us' }, timeUs: BASE_US + 2_000_000, value: 9 }),
        metricPoint(metric, { attributes: { region: 'eu' }, timeUs: BASE_US + 3_000_000, value: 3 }),
        metricPoint(metric, { attributes: { region: 'eu' }, timeUs: BASE_US + 1_000_000, value: 1 }),
        metricPoint(metric, { attributes: { region: 'eu' }, timeUs: BASE_US + 2_000_000, value: 2 }),
        metricPoint(metric, { attributes: { region: 'eu' }, timeUs: BASE_US + 4_000_000, value: 4 }),
      ]);
      const read = await store.seriesPoints(metric, BASE_US + 2_000_000, BASE_US + 4_000_000, 100);
      expect(read.truncated).toBe(false);
      expect(read.series).toEqual([
        {
          name: metric,
          kind: 'sum',
          temporality: 'cumulative',
          monotonic: true,
          labels: { region: 'eu', service: 'checkout' },
          points: [
            { startUs: BASE_US - 3_600_000_000, timeUs: BASE_US + 2_000_000, value: 2, count: 0 },
            { startUs: BASE_US - 3_600_000_000, timeUs: BASE_US + 3_000_000, value: 3, count: 0 },
          ],
        },
        {
          name: metric,
          kind: 'sum',
          temporality: 'cumulative',
          monotonic: true,
          labels: { region: 'us', service: 'checkout' },
          points: [{ startUs: BASE_US - 3_600_000_000, timeUs: BASE_US + 2_000_000, value: 9, count: 0 }],
        },
      ]);
      // a series with no point in the window is left out
      expect((await store.seriesPoints(metric, BASE_US + 3_500_000, BASE_US + 4_000_000, 100)).series).toEqual([]);
      expect(await store.seriesPoints(uniq('nothing'), 0, BASE_US * 2, 100)).toEqual({ series: [], truncated: false });
    });

    it('keeps histogram buckets, a missing sum (NaN) and exponential histograms (count and sum)', async () => {
      const metric = uniq('histogram');
      const expo = uniq('expo');
      await store.writeMetricPoints([
        metricPoint(metric, { kind: 'histogram', monotonic: false, value: 12.5, count: 3, bounds: [0.5, 10, 100], bucketCounts: [0, 2, 1, 0] }),
        metricPoint(metric, { kind: 'histogram', monotonic: false, timeUs: BASE_US + 1, value: NaN, count: 4, bounds: [0.5, 10, 100], bucketCounts: [1, 2, 1, 0] }),
        metricPoint(expo, { kind: 'exponential_histogram', monotonic: false, value: 7, count: 2 }),
      ]);
      const [series] = (await all(metric)).series;
      expect(series.kind).toBe('histogram');
      expect(series.points[0]).toEqual({ startUs: BASE_US - 3_600_000_000, timeUs: BASE_US, value: 12.5, count: 3, bounds: [0.5, 10, 100], bucketCounts: [0, 2, 1, 0] });
      expect(series.points[1].value).toBeNaN();
      expect(series.points[1].bucketCounts).toEqual([1, 2, 1, 0]);
      expect((await all(expo)).series[0].points).toEqual([{ startUs: BASE_US - 3_600_000_000, timeUs: BASE_US, value: 7, count: 2 }]);
    });

    it('series differ by kind, service, attributes and resource; one label set from two resources is two series', async () => {
      const metric = uniq('identity');
      await store.writeMetricPoints([
        metricPoint(metric, { resource: { 'service.name': 'checkout', 'service.instance.id': 'a' }, value: 1 }),
        metricPoint(metric, { resource: { 'service.name': 'checkout', 'service.instance.id': 'b' }, value: 2 }),
        metricPoint(metric, { attributes: { x: 1 }, value: 3 }),
        metricPoint(metric, { attributes: { x: '1' }, value: 4 }),
      ]);
      const read = await all(metric);
      expect(read.series.map((s) => s.labels)).toEqual([{ service: 'checkout' }, { service: 'checkout' }, { service: 'checkout', x: '1' }, { service: 'checkout', x: '1' }]);
      expect(read.series.slice(0, 2).flatMap((s) => s.points.map((p) => p.value)).sort()).toEqual([1, 2]);
      expect((await store.metricNames(100_000)).find((n) => n.name === metric)?.series).toBe(4);
    });

    it('a point written again for one series and time is kept once, the later value (a retried export, a redelivered batch)', async () => {
      const metric = uniq('retry');
      await store.writeMetricPoints([metricPoint(metric, { value: 1 }), metricPoint(metric, { value: 1, timeUs: BASE_US + 1_000_000 })]);
      await store.writeMetricPoints([metricPoint(metric, { value: 2 })]);
      await store.writeMetricPoints([metricPoint(metric, { value: 2 }), metricPoint(metric, { value: 1, timeUs: BASE_US + 1_000_000 })]);
      const read = await all(metric);
      expect(read.series).toHaveLength(1);
      expect(read.series[0].points.map((p) => [p.timeUs - BASE_US, p.value])).toEqual([
        [0, 2],
        [1_000_000, 1],
      ]);
      expect((await store.metricNames(100_000)).find((n) => n.name === metric)?.series).toBe(1);
    });

    it('stops at the point budget and says so', async () => {
      const metric = uniq('budget');
      await store.writeMetricPoints([1, 2, 3, 4].map((i) => metricPoint(metric, { timeUs: BASE_US + i * 1_000_000, value: i })));
      const read = await all(metric, 3);
      expect(read.truncated).toBe(true);
      expect(read.series.flatMap((s) => s.points)).toHaveLength(3);
      expect((await all(metric, 4)).truncated).toBe(false);
      expect((await all(metric, 0)).truncated).toBe(true);
    });

    it('takes hostile names and values as data', async () => {
      const metric = `${uniq('hostile')}'; DROP TABLE x; -- \\ "ü🚀`;
      const value = "' OR 1=1 -- \\' \u0000 \n <script>alert(1)</script>";
      await store.writeMetricPoints([metricPoint(metric, { attributes: { [value]: value }, service: value, resource: { 'service.name': value } })]);
      const read = await all(metric);
      expect(read.series.map((s) => s.labels)).toEqual([{ [value]: value, service: value }]);
      expect((await store.metricNames(100_000)).some((n) => n.name === metric)).toBe(true);
      expect((await store.metricLabels(metric, 10, 10)).map((l) => l.key)).toEqual([value, 'service'].sort());
    });
  });
}

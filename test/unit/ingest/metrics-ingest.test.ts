import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MemoryBus } from '../../../bus/memory/memory-bus';
import { Counters } from '../../../core/metrics';
import type { MetricPoint } from '../../../core/metric-point';
import { encodeMetricsRequestProto } from '../../../core/otlp';
import { DEAD_LETTER_REASON_HEADER } from '../../../ingest/batch-processor';
import { MetricsIngest } from '../../../ingest/metrics-ingest';
import { openEmbeddedMetricStore, openEmbeddedStores } from '../../../storage/embedded';
import { waitFor } from '../../helpers/wait';

const gauge = (value: number): MetricPoint => ({
  name: 'queue.depth',
  unit: '',
  kind: 'gauge',
  temporality: 'unspecified',
  monotonic: false,
  service: 'svc',
  resource: { 'service.name': 'svc' },
  attributes: { q: 'orders' },
  startUs: 0,
  timeUs: 1_700_000_000_000_000 + value,
  value,
  count: 0,
});

describe('MetricsIngest', () => {
  it('writes protobuf and JSON messages to the store and dead-letters one that does not decode, with its reason', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-metrics-ingest-'));
    const stores = openEmbeddedStores({ dataDir });
    const store = openEmbeddedMetricStore(stores);
    const bus = new MemoryBus({ capacityBytes: 1 << 20, log: () => {} });
    const counters = new Counters();
    const ingest = new MetricsIngest({ bus, topic: 'otlp_metrics', group: 'test', storeOf: async () => store, counters });
    const dead: Array<{ value: string; reason?: string }> = [];
    try {
      await bus.subscribe('otlp_metrics_dlq', 'test', async (batch) => void dead.push(...batch.map((m) => ({ value: m.value.toString(), reason: m.headers?.[DEAD_LETTER_REASON_HEADER] }))));
      await ingest.start();
      const json = JSON.stringify({
        resourceMetrics: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] }, scopeMetrics: [{ metrics: [{ name: 'queue.depth', gauge: { dataPoints: [{ timeUnixNano: '1700000000000003000', asInt: '3', attributes: [{ key: 'q', value: { stringValue: 'orders' } }] }] } }] }] }],
      });
      await bus.publish('otlp_metrics', [{ value: Buffer.from(encodeMetricsRequestProto([gauge(1), gauge(2)])) }, { value: Buffer.from('\u0000\u0001not otlp') }, { value: Buffer.from(json) }]);
      await waitFor(() => (dead.length === 1 ? true : undefined), 'the bad message on the dead-letter topic');
      expect(dead[0]).toEqual({ value: '\u0000\u0001not otlp', reason: expect.stringMatching(/malformed protobuf ExportMetricsServiceRequest/) });
      const read = await store.seriesPoints('queue.depth', 0, 2e15, 100);
      expect(read.series).toHaveLength(1);
      expect(read.series[0].points.map((p) => p.value)).toEqual([1, 2, 3]);
      expect(counters.toPrometheus()).toMatch(/chainscope_ingest_metric_points_written_total 3/);
    } finally {
      await ingest.shutdown();
      await bus.shutdown();
      await store.shutdown();
      await stores.spans.shutdown();
      await stores.logs.shutdown();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

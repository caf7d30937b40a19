import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { activeInstances } from '../../../alerting/conditions';
import type { AlertCondition, AlertRule } from '../../../alerting/rules';
import { openEmbeddedStores } from '../../../storage/embedded';
import { AnomalyService } from '../../../query-api/services/anomaly-service';
import { writeSteadyTraffic } from '../../helpers/steady-traffic';

const MINUTE_US = 60_000_000;

/** Rules on business KPIs over a real embedded store: orders slow and failing in the last minutes, steady before. */
describe('alert conditions on business KPIs', () => {
  let dir: string;
  let stores: ReturnType<typeof openEmbeddedStores>;
  let sources: Parameters<typeof activeInstances>[1];
  const nowMinuteUs = Math.floor((Date.now() * 1000) / MINUTE_US) * MINUTE_US;
  const faultFromUs = nowMinuteUs - 3 * MINUTE_US;
  // judged at 30 s into the minute after the fault's last one
  const nowMs = nowMinuteUs / 1000 + 30_000;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-kpi-rules-'));
    // the stages are named by the store's order roll-up at ingest (CHAIN_STAGES)
    stores = openEmbeddedStores({ dataDir: dir, orderRollup: { keys: ['order.id', 'customer.id'], stages: [{ stage: 'checkout', service: 'frontend' }] } });
    await stores.spans.start();
    await stores.logs.start();
    await writeSteadyTraffic(stores.spans, {
      fromUs: nowMinuteUs - 21 * MINUTE_US,
      toUs: nowMinuteUs,
      perMinute: 60,
      paymentMs: (t) => (t >= faultFromUs ? 400 : 20 + ((t / 1e6) % 7)),
      paymentFails: (t) => t >= faultFromUs && Math.round(t / 1e6) % 2 === 0,
      orderKey: 'order.id',
    });
    const kpis = { keys: ['order.id', 'customer.id'] };
    sources = { spans: stores.spans, logs: stores.logs, anomalies: new AnomalyService(stores.spans, () => nowMs * 1000, undefined, kpis) };
  });
  afterAll(async () => {
    await stores.spans.shutdown();
    await stores.logs.shutdown();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const rule = (condition: AlertCondition, windowMs = 3 * 60_000): AlertRule => ({
    name: 'R', forMs: 0, severity: 'warning', labels: {}, annotations: {}, condition, windowMs, file: 'rules.json',
  });

  it('holds a threshold on the orders end to end, on one stage and on the failed share; not on a calm window or the other key', async () => {
    const p95 = await activeInstances(rule({ kind: 'threshold', metric: 'latency_p95_ms', key: 'order.id', op: '>', value: 300 }), sources, nowMs);
    expect(p95).toHaveLength(1);
    // payments take 400 ms: the order roll-up reads a p95 back as its histogram bucket's middle (within ~20 %)
    expect(p95[0].value).toBeGreaterThan(300);
    expect(p95[0].summary).toMatch(/^p95 \d+(\.\d+)? ms > p95 300 ms$/);
    const stage = await activeInstances(rule({ kind: 'threshold', metric: 'latency_p95_ms', key: 'order.id', stage: 'checkout', op: '>', value: 300 }), sources, nowMs);
    expect(stage).toHaveLength(1);
    const failing = await activeInstances(rule({ kind: 'threshold', metric: 'error_rate', key: 'order.id', op: '>', value: 0.3 }), sources, nowMs);
    expect(failing.map((i) => Math.round(i.value * 10) / 10)).toEqual([0.5]);
    expect(failing[0].summary).toMatch(/^failed share \d+(\.\d+)? % > failed share 30 %$/);
    // orders per second: 1 (60 a minute), so "fewer than 2/s" holds and "fewer than 0.5/s" does not
    const slowOrders = await activeInstances(rule({ kind: 'threshold', metric: 'rate_per_sec', key: 'order.id', op: '<', value: 2 }), sources, nowMs);
    expect(slowOrders).toHaveLength(1);
    expect(slowOrders[0].summary).toMatch(/^\d+(\.\d+)? orders\/s < 2 orders\/s$/);
    expect(await activeInstances(rule({ kind: 'threshold', metric: 'rate_per_sec', key: 'order.id', op: '<', value: 0.5 }), sources, nowMs)).toEqual([]);
    // a window before the fault, and a key no trace carries (no orders: no latency, never holds)
    expect(await activeInstances(rule({ kind: 'threshold', metric: 'latency_p95_ms', key: 'order.id', op: '>', value: 300 }), sources, nowMs - 5 * 60_000)).toEqual([]);
    expect(await activeInstances(rule({ kind: 'threshold', metric: 'latency_p95_ms', key: 'customer.id', op: '>', value: 300 }), sources, nowMs)).toEqual([]);
    // a stage no order reached: no latency
    expect(await activeInstances(rule({ kind: 'threshold', metric: 'latency_p95_ms', key: 'order.id', stage: 'shipping', op: '>', value: 0 }), sources, nowMs)).toEqual([]);
  });

  it('finds the KPI anomalies of a key, one instance per series and metric, labelled with the key and stage', async () => {
    const found = await activeInstances(rule({ kind: 'anomaly', key: 'order.id' }), sources, nowMs);
    const labels = found.map((i) => i.labels).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    expect(labels).toEqual([
      { business_key: 'order.id', metric: 'error_rate' },
      { business_key: 'order.id', metric: 'latency_p95_ms' },
      { business_key: 'order.id', metric: 'latency_p95_ms', stage: 'checkout' },
    ]);
    expect(await activeInstances(rule({ kind: 'anomaly', key: 'order.id', stage: 'checkout', metric: 'latency_p95_ms' }), sources, nowMs)).toHaveLength(1);
    // a service's anomalies are not the key's, and the key's are not a service's
    const service = await activeInstances(rule({ kind: 'anomaly', service: 'payment' }), sources, nowMs);
    expect(service.length).toBeGreaterThan(0);
    expect(service.every((i) => i.labels.business_key === undefined)).toBe(true);
    expect(await activeInstances(rule({ kind: 'anomaly', key: 'customer.id' }), sources, nowMs)).toEqual([]);
  });
});

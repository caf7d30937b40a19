import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AlertEvaluator } from '../../alerting/evaluator';
import { loadAlertRules } from '../../alerting/rules';
import { FileAlertStateStore } from '../../alerting/state-file';
import type { LogStore } from '../../core/contracts/log-store';
import type { SpanStore } from '../../core/contracts/span-store';
import { AnomalyService } from '../../query-api/services/anomaly-service';
import { startEmbeddedQueryApp, type EmbeddedQueryApp } from './embedded-query-app';
import { writeShopTraffic, type ShopTrafficSpec } from './shop-orders';

const MINUTE_MS = 60_000;

/**
 * The shop's (shop-orders.ts) two known faults around a whole minute `m`, and
 * the anomaly rules on the symptom at its front that they fire: inventory
 * fails (two orders in five) from m − 33 to m − 27 min, payment is slow from
 * m − 3 to m + 3 min.
 */
export function shopFaults(m: number) {
  return {
    inventoryFailing: (t: number) => t >= m - 33 * MINUTE_MS && t < m - 27 * MINUTE_MS && Math.floor(t / 1000) % 5 < 2,
    paymentSlow: (t: number) => t >= m - 3 * MINUTE_MS && t < m + 3 * MINUTE_MS,
    slowPaymentMs: (t: number) => 600 + (t % 50),
    usualPaymentMs: (t: number) => 15 + (t % 7),
  };
}

/** Anomaly rules on frontend's latency (FrontendSlow, critical) and error rate (FrontendErrors, warning): window 3m, for 1m. */
export function writeFrontendRules(dir: string): string {
  const rulesDir = path.join(dir, 'rules');
  fs.mkdirSync(rulesDir, { recursive: true });
  fs.writeFileSync(
    path.join(rulesDir, 'front.json'),
    JSON.stringify({
      rules: [
        { name: 'FrontendSlow', for: '1m', severity: 'critical', condition: { kind: 'anomaly', metric: 'latency_p95_ms', service: 'frontend', window: '3m' } },
        { name: 'FrontendErrors', for: '1m', severity: 'warning', condition: { kind: 'anomaly', metric: 'error_rate', service: 'frontend', window: '3m' } },
      ],
    }),
  );
  return rulesDir;
}

/** An evaluator of the rules in `dir`/rules on a simulated clock (ms), its state in `dir`/alerts, notifying no one. */
export function evaluatorOnClock(stores: { spans: SpanStore; logs: LogStore }, dir: string, nowMs: () => number): AlertEvaluator {
  return new AlertEvaluator({
    rules: loadAlertRules(path.join(dir, 'rules')),
    sources: { spans: stores.spans, logs: stores.logs, anomalies: new AnomalyService(stores.spans, () => nowMs() * 1000) },
    intervalMs: 30 * MINUTE_MS,
    state: new FileAlertStateStore(path.join(dir, 'alerts', 'state.json')),
    holder: 'all-in-one',
    alertmanagerUrl: '',
    webhookUrl: '',
    generatorUrl: () => 'http://chainscope.test/api/alerts',
    log: () => {},
    now: nowMs,
  });
}

/** A query API over the shop's traffic with an evaluator of some rules on a simulated clock. */
export interface ShopIncidents {
  app: EmbeddedQueryApp;
  /** Holds rules/ and alerts/ (the evaluator's saved state). */
  dir: string;
  evaluator: AlertEvaluator;
  base: string;
  /** The simulated clock (ms). */
  now(): number;
  /** Moves the clock to `ms` and evaluates once. */
  at(ms: number): Promise<void>;
  get<T>(p: string): Promise<{ status: number; body: T }>;
  dispose(): Promise<void>;
}

/**
 * The shop's traffic (`traffic`) written to fresh embedded stores, the rules `writeRules` puts in a
 * fresh folder, an evaluator of them on a simulated clock starting at `startMs`, and a query API
 * over the stores listing the evaluator's incidents.
 */
export async function startShopIncidents(name: string, traffic: ShopTrafficSpec, writeRules: (dir: string) => void, startMs: number): Promise<ShopIncidents> {
  const app = await startEmbeddedQueryApp(name);
  await writeShopTraffic(app.stores.spans, app.stores.logs, traffic);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `chainscope-${name}-`));
  writeRules(dir);
  let nowMs = startMs;
  const evaluator = evaluatorOnClock(app.stores, dir, () => nowMs);
  const base = await app.listen({ incidents: () => evaluator.incidents() });
  return {
    app,
    dir,
    evaluator,
    base,
    now: () => nowMs,
    async at(ms) {
      nowMs = ms;
      await evaluator.evaluateOnce();
    },
    async get<T>(p: string) {
      const res = await fetch(`${base}${p}`);
      return { status: res.status, body: (await res.json()) as T };
    },
    async dispose() {
      await evaluator.shutdown();
      await app.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

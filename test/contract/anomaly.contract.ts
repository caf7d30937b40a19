import type { SpanStore } from '../../core/contracts/span-store';
import type { AnomalyReport } from '../../core/anomaly';
import { AnomalyService } from '../../query-api/services/anomaly-service';
import { writeSteadyTraffic } from '../helpers/steady-traffic';
import { BASE_US, uniq } from './fixtures';

const MIN = 60_000_000;

/**
 * Baselines and anomalies read through the SpanStore contract alone (topology and order roll-ups), so every backend answers them alike: 21 minutes of steady checkouts, each an order,
 * with payment slow and failing in the last 3. Own service names, key name and minutes (40+ days past
 * the other fixtures, so no past day of the seasonal baseline holds another test's data).
 */
export function describeAnomalyContract(getStore: () => SpanStore, flush: () => Promise<void>): void {
  describe('baselines and anomalies (RED and business KPI series)', () => {
    const names = { frontend: uniq('shop'), payment: uniq('pay') };
    // a rolled-up key (every store rolls up the default BUSINESS_KEYS); own minutes keep other tests' orders out
    const orderKey = 'order.id';
    const endUs = Math.floor(BASE_US / MIN) * MIN + 40 * 24 * 60 * MIN + Math.floor(Math.random() * 10_000) * MIN;
    const faultFromUs = endUs - 3 * MIN;
    let service: AnomalyService;
    const mine = (report: AnomalyReport) =>
      new Set(
        report.anomalies
          .filter((a) => a.seriesId.includes(names.payment) || a.seriesId.includes(names.frontend) || a.seriesId.includes(orderKey))
          .map((a) => `${a.seriesId.replace(names.frontend, 'shop').replace(names.payment, 'pay').replace(orderKey, 'KEY').replace(/\u0000/g, '|')} ${a.metric}`),
      );

    beforeAll(async () => {
      await writeSteadyTraffic(getStore(), {
        fromUs: endUs - 21 * MIN,
        toUs: endUs,
        perMinute: 30,
        paymentMs: (t) => (t >= faultFromUs ? 400 : 20 + (Math.round(t / 1e6) % 7)),
        paymentFails: (t) => t >= faultFromUs && Math.round(t / 2e6) % 2 === 0,
        names,
        orderKey,
      });
      await flush();
      service = new AnomalyService(getStore(), () => endUs + 30_000_000, undefined, { keys: [orderKey] });
    });

    it('finds the latency and error rise of payment, the edge into it, and the orders end to end and at their stage, against the recent baseline', async () => {
      const report = await service.anomalies({ startUs: faultFromUs, endUs });
      expect(report).toMatchObject({ startUs: faultFromUs, endUs });
      const found = mine(report);
      for (const expected of [
        'service:pay latency_p95_ms',
        'service:pay error_rate',
        'operation:pay|POST /pay latency_p95_ms',
        'edge:shop|pay|sync latency_p95_ms',
        'kpi:KEY latency_p95_ms',
        'kpi:KEY error_rate',
        // the stage as the roll-up names it without CHAIN_STAGES: the entry trace's root
        'kpi:KEY|shop: POST /checkout latency_p95_ms',
      ]) {
        expect({ expected, found: found.has(expected) }).toEqual({ expected, found: true });
      }
      // nothing says more orders or faster ones are incidents
      expect([...found].filter((f) => f.endsWith('rate_per_sec'))).toEqual([]);
      const orders = report.anomalies.find((a) => a.seriesId === `kpi:${orderKey}` && a.metric === 'latency_p95_ms')!;
      expect(orders).toMatchObject({ series: { kind: 'kpi', key: orderKey }, calls: 90, baseline: { method: 'recent' } });
      // payments take 400 ms: the order roll-up reads a p95 back as its histogram bucket's middle (within ~20 %)
      expect(orders.value).toBeGreaterThan(300);
      expect(orders.baseline.center).toBeLessThan(40);
      const failed = report.anomalies.find((a) => a.seriesId === `kpi:${orderKey}` && a.metric === 'error_rate')!;
      expect(failed.errors).toBeGreaterThan(30);
      expect(failed.errors).toBeLessThan(60);
    });

    it('finds nothing of these series in a steady window', async () => {
      const report = await service.anomalies({ startUs: faultFromUs - 3 * MIN, endUs: faultFromUs });
      expect(report.seriesJudged).toBeGreaterThan(0);
      expect(mine(report)).toEqual(new Set());
    });

    it('sees the orders and payment fall silent as rate drops', async () => {
      const report = await service.anomalies({ startUs: endUs + 3 * MIN, endUs: endUs + 6 * MIN });
      const found = mine(report);
      expect(found.has('service:pay rate_per_sec')).toBe(true);
      expect(found.has('kpi:KEY rate_per_sec')).toBe(true);
    });
  });
}

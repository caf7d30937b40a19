import { operationKey, rankRootCauses, type RcaSpan } from '../../../../core/analysis/root-cause';
import type { ChainPathStep } from '../../../../core/analysis/chain-critical-path';

const T = 'a'.repeat(32);
const span = (spanId: string, parentSpanId: string, service: string, name: string, startUs: number, durationUs: number, error = false): RcaSpan => ({
  traceId: T,
  spanId,
  parentSpanId,
  service,
  name,
  kind: parentSpanId ? 'server' : 'server',
  startUs,
  durationUs,
  status: { code: error ? 'error' : 'unset' },
});
const step = (spanId: string, startUs: number, endUs: number): ChainPathStep => ({ traceId: T, spanId, startUs, endUs });
const baselines = (entries: [string, string, number][]) => new Map(entries.map(([s, o, p50Ms]) => [operationKey(s, o), { p50Ms }]));
const names = (ranked: ReturnType<typeof rankRootCauses>) => ranked.map((c) => `${c.service} ${c.operation}`);

describe('root-cause ranking of a chain', () => {
  // frontend (0..1000 ms) → checkout (10..990) → payment (20..980): payment is slow
  const slowPayment = [span('f', '', 'frontend', 'GET /', 0, 1_000_000), span('c', 'f', 'checkout', 'POST /order', 10_000, 980_000), span('p', 'c', 'payment', 'charge', 20_000, 960_000)];
  const path = [step('f', 0, 10_000), step('c', 10_000, 20_000), step('p', 20_000, 980_000), step('c', 980_000, 990_000), step('f', 990_000, 1_000_000)];
  const usual = baselines([
    ['frontend', 'GET /', 60],
    ['checkout', 'POST /order', 50],
    ['payment', 'charge', 30],
  ]);

  it('puts the deepest deviating operation first: its callers\' deviation is explained by it', () => {
    const ranked = rankRootCauses({ durationUs: 1_000_000, spans: slowPayment, criticalPath: path }, usual);
    expect(names(ranked)[0]).toBe('payment charge');
    const [payment, ...callers] = ranked;
    expect(payment.evidence).toMatchObject({ criticalSelfUs: 960_000, excessUs: 930_000, baselineP50Ms: 30, originErrors: 0 });
    for (const c of callers) expect(c.evidence.excessUs).toBeLessThanOrEqual(10_000);
  });

  it('gives an error the chain\'s weight at the span where it started, not at the callers it reached', () => {
    const failing = [
      span('f', '', 'frontend', 'GET /', 0, 100_000, true),
      span('c', 'f', 'checkout', 'POST /order', 10_000, 80_000, true),
      span('i', 'c', 'inventory', 'reserve', 20_000, 5_000, true),
      span('p', 'c', 'payment', 'charge', 30_000, 50_000),
    ];
    const ranked = rankRootCauses({ durationUs: 100_000, spans: failing, criticalPath: [step('f', 0, 10_000), step('c', 10_000, 30_000), step('p', 30_000, 80_000), step('c', 80_000, 90_000), step('f', 90_000, 100_000)] }, baselines([]));
    expect(names(ranked)[0]).toBe('inventory reserve');
    expect(ranked[0].evidence.originErrors).toBe(1);
    expect(ranked.find((c) => c.service === 'checkout')!.evidence.originErrors).toBe(0);
  });

  it('charges a queue wait on the critical path to the consumer that waited', () => {
    const spans = [span('p', '', 'api', 'publish', 0, 5_000), { ...span('k', '', 'worker', 'consume', 2_005_000, 10_000), traceId: 'b'.repeat(32) }];
    const wait: ChainPathStep = { wait: true, kind: 'queue', startUs: 5_000, endUs: 2_005_000, fromTraceId: T, fromSpanId: 'p', toTraceId: 'b'.repeat(32), toSpanId: 'k' };
    const ranked = rankRootCauses({ durationUs: 2_015_000, spans, criticalPath: [step('p', 0, 5_000), wait, { traceId: 'b'.repeat(32), spanId: 'k', startUs: 2_005_000, endUs: 2_015_000 }] }, baselines([]));
    expect(ranked[0]).toMatchObject({ service: 'worker', operation: 'consume', evidence: { queueWaitUs: 2_000_000 } });
  });

  it('does not let a caller take a callee\'s extra time when the callee has no baseline (a client span)', () => {
    const spans = [span('f', '', 'order-api', 'POST /orders', 0, 2_020_000), { ...span('x', 'f', 'payment', 'charge (client)', 10_000, 2_000_000), kind: 'client' }];
    const ranked = rankRootCauses(
      { durationUs: 2_020_000, spans, criticalPath: [step('f', 0, 10_000), step('x', 10_000, 2_010_000), step('f', 2_010_000, 2_020_000)] },
      baselines([['order-api', 'POST /orders', 60]]),
    );
    expect(names(ranked)[0]).toBe('payment charge (client)');
    expect(ranked[1].evidence.excessUs).toBeLessThanOrEqual(20_000);
  });
});

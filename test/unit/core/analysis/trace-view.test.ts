import fs from 'node:fs';
import path from 'node:path';
import { decodeTraceRequestJson } from '../../../../core/otlp';
import { analyzeTrace } from '../../../../query-api/services/trace-service';
import { span } from './fixtures';

describe('analyzeTrace (GET /api/traces/:traceId body)', () => {
  it('adds criticalPath, criticalSegments and skewAdjustedUs per span and warnings per trace; walks the path on corrected times', () => {
    const stored = [
      span('R', 0, 100, { service: 'front', kind: 'server' }),
      span('C', 10, 90, { parent: 'R', service: 'front', kind: 'client' }),
      // Server on a clock 1,000 µs behind: 0..60 after correction ((80 - 60) / 2 = 10 → 20..80).
      span('S', -980, -920, { parent: 'C', service: 'back', kind: 'server', eventsAt: [5] }),
      span('L', 5, 15, { parent: 'R', service: 'front' }),
    ];
    const view = analyzeTrace('t'.repeat(32), stored);
    expect(view.traceId).toBe('t'.repeat(32));
    expect(view.warnings).toEqual(['1 span corrected for clock skew']);
    const byId = Object.fromEntries(view.spans.map((s) => [s.spanId, s]));
    expect(view.spans.map((s) => s.spanId)).toEqual(['R', 'C', 'S', 'L']);
    expect(byId.S).toMatchObject({ startUs: 20, skewAdjustedUs: 1000, criticalPath: true, criticalSegments: [{ startUs: 20, endUs: 80 }] });
    expect(byId.S.events[0].timeUs).toBe(25);
    expect(byId.S.startUs - byId.S.skewAdjustedUs).toBe(stored[2].startUs);
    expect(byId.R).toMatchObject({ skewAdjustedUs: 0, criticalPath: true, criticalSegments: [{ startUs: 0, endUs: 10 }, { startUs: 90, endUs: 100 }] });
    expect(byId.C).toMatchObject({ criticalPath: true, criticalSegments: [{ startUs: 10, endUs: 20 }, { startUs: 80, endUs: 90 }] });
    expect(byId.L).toMatchObject({ criticalPath: false, skewAdjustedUs: 0 });
    expect('criticalSegments' in byId.L).toBe(false);
    // Stored fields are all still there.
    expect(byId.L).toMatchObject(stored[3]);
  });

  it('says when the trace has more than one root', () => {
    const view = analyzeTrace('t'.repeat(32), [span('R', 0, 100), span('O', 0, 10, { parent: 'ffffffffffffffff' })]);
    expect(view.warnings).toEqual(['the trace has 2 root spans (spans without a parent in the trace); the critical path follows svc op-R (R)']);
    expect(view.spans.find((s) => s.spanId === 'O')!.criticalPath).toBe(false);
  });

  it('on a trace stamped by the OTel JS SDK (one host): no skew warning, the slow calls marked critical, the root almost never', () => {
    const { spans } = decodeTraceRequestJson(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'fixtures', 'sdk-traces', 'orders-one-host.otlp.json'), 'utf8'));
    const plan = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'fixtures', 'sdk-traces', 'orders-one-host.plan.json'), 'utf8'))[0];
    const stored = spans.filter((s) => s.traceId === plan.traceId);
    const view = analyzeTrace(plan.traceId, stored);
    expect(view.warnings).toEqual([]);
    expect(view.spans.every((s) => s.skewAdjustedUs === 0)).toBe(true);
    const named = (name: string, kind: string) => view.spans.find((s) => s.name === name && s.kind === kind)!;
    for (const [name, kind] of [['POST /stock/lock', 'client'], ['stock lock', 'internal'], ['POST /charge', 'client'], ['payment-provider charge', 'client']]) {
      expect([name, named(name, kind).criticalPath]).toEqual([name, true]);
    }
    const root = named('POST /orders', 'server');
    const rootOwnUs = (root.criticalSegments ?? []).reduce((sum, s) => sum + s.endUs - s.startUs, 0);
    expect(rootOwnUs).toBeLessThan(0.02 * root.durationUs);
  });
});

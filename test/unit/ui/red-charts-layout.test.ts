import type { StatsPoint } from '../../../ui/src/api';
import { lonelyPoints, tickPattern, timeExtent, valueTop } from '../../../ui/src/views/redChartsLayout';

const point = (minute: number, p95Ms: number | null, ratePerSec = 1): StatsPoint => ({
  tUs: minute * 60_000_000,
  calls: 1,
  errors: 0,
  ratePerSec,
  errorRate: 0,
  p50Ms: p95Ms,
  p95Ms,
  p99Ms: p95Ms,
});

describe('RED charts layout', () => {
  it('spans the steps in epoch ms; one step gets 30 s either side', () => {
    expect(timeExtent([point(3, 1), point(1, 1), point(2, 1)])).toEqual([60_000, 180_000]);
    expect(timeExtent([point(1, 1)])).toEqual([30_000, 90_000]);
  });

  it('puts the value axis 10 % above the largest measured value of any series, at least the given floor', () => {
    const points = [point(1, 40), point(2, null), point(3, 100, 7)];
    expect(valueTop([(p) => p.p95Ms], points)).toBeCloseTo(110);
    expect(valueTop([(p) => p.p95Ms, (p) => p.ratePerSec * 100], points)).toBeCloseTo(770);
    expect(valueTop([(p) => p.errorRate], points, 0.01)).toBeCloseTo(0.011);
    expect(valueTop([(p) => p.errorRate], points)).toBe(1);
  });

  it('dots the measured points no line reaches; ticks show dates beyond a day', () => {
    const points = [point(1, 5), point(2, null), point(3, 7), point(4, 8), point(5, null), point(6, Number.NaN), point(7, 2)];
    expect(lonelyPoints(points, (p) => p.p95Ms).map((p) => p.tUs / 60_000_000)).toEqual([1, 7]);
    expect([tickPattern(3_600_000), tickPattern(2 * 86_400_000)]).toEqual(['%H:%M', '%b %d']);
  });
});

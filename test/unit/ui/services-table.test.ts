import type { ServiceSummary } from '../../../ui/src/api';
import { largestOrZero, sortServices, sparkPath } from '../../../ui/src/views/servicesTableLayout';

const row = (service: string, ratePerSec: number, errorRate: number, p95Ms: number | null): ServiceSummary => ({
  service,
  calls: 10,
  errors: 0,
  errorRate,
  ratePerSec,
  p50Ms: p95Ms === null ? null : p95Ms / 2,
  p95Ms,
  p99Ms: p95Ms === null ? null : p95Ms * 2,
  series: [],
});

describe('services table order', () => {
  const rows = [row('orders', 2, 0.01, 120), row('payments', 0.5, 0.2, 900), row('billing', 2, 0, null), row('api', 0.1, 0, 40)];
  const names = (sorted: ServiceSummary[]) => sorted.map((r) => r.service);

  it.each([
    [{ key: 'rate', desc: true }, ['billing', 'orders', 'payments', 'api']],
    [{ key: 'rate', desc: false }, ['api', 'payments', 'billing', 'orders']],
    [{ key: 'errors', desc: true }, ['payments', 'orders', 'api', 'billing']],
    [{ key: 'p95', desc: true }, ['payments', 'orders', 'api', 'billing']],
    [{ key: 'p95', desc: false }, ['api', 'orders', 'payments', 'billing']],
    [{ key: 'p99', desc: false }, ['api', 'orders', 'payments', 'billing']],
    [{ key: 'service', desc: false }, ['api', 'billing', 'orders', 'payments']],
    [{ key: 'service', desc: true }, ['payments', 'orders', 'billing', 'api']],
  ] as const)('%j', (sort, expected) => {
    expect(names(sortServices(rows, sort))).toEqual(expected);
  });

  it('does not reorder its input', () => {
    sortServices(rows, { key: 'p95', desc: true });
    expect(names(rows)).toEqual(['orders', 'payments', 'billing', 'api']);
  });
});

describe('largestOrZero', () => {
  it('is the largest finite value, 0 when none is above it', () => {
    expect(largestOrZero([3, null, 7.5, undefined, NaN, Infinity, 2])).toBe(7.5);
    expect(largestOrZero([-3, -1])).toBe(0);
    expect(largestOrZero([null, NaN])).toBe(0);
    expect(largestOrZero([])).toBe(0);
  });
});

describe('sparkPath', () => {
  it('spans the box, zero at the bottom, the largest value at the top', () => {
    expect(sparkPath([0, 5, 10], 40, 16)).toBe('M0.0,15.0L20.0,8.0L40.0,1.0');
  });
  it('breaks the line where there is no value', () => {
    expect(sparkPath([1, null, 1, 1], 30, 10)).toBe('M0.0,1.0h0.01M20.0,1.0L30.0,1.0');
    expect(sparkPath([null, 2, null], 20, 10)).toBe('M10.0,1.0h0.01');
  });
  it('draws a flat line at the bottom for all zeros, and nothing for no points', () => {
    expect(sparkPath([0, 0], 10, 10)).toBe('M0.0,9.0L10.0,9.0');
    expect(sparkPath([], 10, 10)).toBe('');
  });
});

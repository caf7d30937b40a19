import type { LogHistogramView } from '../../../ui/src/api';
import { severityBucket, stackSegments, tallest, tickPattern, timeDomain } from '../../../ui/src/views/logHistogramLayout';

const hist: LogHistogramView = {
  intervalUs: 60_000_000,
  buckets: [
    { tUs: 60_000_000, total: 10, counts: { ERROR: 2, INFO: 5, FATAL: 1 } },
    { tUs: 120_000_000, total: 0, counts: {} },
    { tUs: 180_000_000, total: 4, counts: { WARN: 1 } },
  ],
};

describe('log histogram layout', () => {
  it('stacks each bucket bottom to top by severity; lines the counts miss stack as unknown', () => {
    const { segments, present } = stackSegments(hist);
    expect(segments.map((s) => [s.t0, s.t1, s.key, s.y0, s.y1])).toEqual([
      [60_000, 120_000, 'fatal', 0, 1],
      [60_000, 120_000, 'error', 1, 3],
      [60_000, 120_000, 'info', 3, 8],
      [60_000, 120_000, 'unknown', 8, 10],
      [180_000, 240_000, 'warn', 0, 1],
      [180_000, 240_000, 'unknown', 1, 4],
    ]);
    expect([...present].sort()).toEqual(['error', 'fatal', 'info', 'unknown', 'warn']);
  });

  it('maps severity words onto the stack groups', () => {
    expect(['CRITICAL', 'emergency', 'Error', 'warning', 'notice', 'DEBUG', 'trace', '', 'UNSPECIFIED'].map(severityBucket)).toEqual([
      'fatal',
      'fatal',
      'error',
      'warn',
      'info',
      'debug',
      'trace',
      'unknown',
      'unknown',
    ]);
  });

  it('spans the queried window and every bucket; tick format by span; the tallest bucket', () => {
    expect(timeDomain(hist, 100_000, 200_000)).toEqual([60_000, 240_000]);
    expect(timeDomain(hist, 0, 500_000)).toEqual([0, 500_000]);
    expect(timeDomain({ intervalUs: 1, buckets: [] }, 5, 6)).toEqual([5, 6]);
    expect([5_000, 60_000, 3_600_000, 7 * 86_400_000].map(tickPattern)).toEqual(['%H:%M:%S.%L', '%H:%M:%S', '%H:%M', '%b %d %H:%M']);
    expect(tallest(hist)).toBe(10);
    expect(tallest({ intervalUs: 1, buckets: [] })).toBe(0);
  });
});

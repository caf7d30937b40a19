import fc from 'fast-check';
import { Counters } from '../../../../core/metrics';
import { declare, firstBucketOf, observeCounted } from '../../../../ingest/span-metrics/histogram';

const BOUNDS = [2, 4, 10, 100];

/** The Prometheus text a histogram series set prints, one value at a time, as the definition says. */
function oneByOne(values: number[]): Map<string, number> {
  const expected = new Map<string, number>();
  const add = (name: string, n = 1) => expected.set(name, (expected.get(name) ?? 0) + n);
  for (const v of values) {
    for (const b of BOUNDS) if (v <= b) add(`h_bucket{le="${b}"}`);
    add('h_bucket{le="+Inf"}');
    add('h_sum', v);
    add('h_count');
  }
  return expected;
}

function printed(counters: Counters): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of counters.toPrometheus().split('\n')) {
    const m = /^(h_[a-z]+(?:\{le="[^"]+"\})?) (\S+)$/.exec(line);
    if (m) out.set(m[1], Number(m[2]));
  }
  return out;
}

describe('histogram counted ahead', () => {
  it('prints what observing each value one by one prints', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 50 }), (values) => {
        const counters = new Counters();
        declare(counters, 'h', {}, BOUNDS);
        const firstBucket = new Array<number>(BOUNDS.length + 1).fill(0);
        for (const v of values) firstBucket[firstBucketOf(BOUNDS, v)]++;
        observeCounted(counters, 'h', {}, BOUNDS, firstBucket, values.reduce((a, b) => a + b, 0));
        const want = oneByOne(values);
        const got = printed(counters);
        for (const [name, n] of want) expect([name, got.get(name)]).toEqual([name, n]);
        // buckets below every value stay at the 0 declare gave them
        for (const b of BOUNDS) if (!want.has(`h_bucket{le="${b}"}`)) expect(got.get(`h_bucket{le="${b}"}`)).toBe(0);
      }),
      { numRuns: 200 },
    );
  });

  it.each([
    [0, 0],
    [2, 0],
    [2.5, 1],
    [100, 3],
    [101, 4],
  ])('puts %d first in bucket %d', (value, index) => {
    expect(firstBucketOf(BOUNDS, value)).toBe(index);
  });
});

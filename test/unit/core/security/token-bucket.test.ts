import { TokenBucket } from '../../../../core/security/token-bucket';

describe('TokenBucket', () => {
  it('starts full, lets in up to its capacity, then says how long until the next cost fits', () => {
    const bucket = new TokenBucket(10, 20, 0);
    expect(bucket.waitSeconds(20, 0)).toBe(0);
    bucket.take(20, 0);
    expect(bucket.waitSeconds(1, 0)).toBeCloseTo(0.1);
    expect(bucket.waitSeconds(5, 0)).toBeCloseTo(0.5);
    expect(bucket.isFull(0)).toBe(false);
  });

  it('refills at its rate and never holds more than its capacity', () => {
    const bucket = new TokenBucket(10, 20, 0);
    bucket.take(20, 0);
    expect(bucket.waitSeconds(10, 1000)).toBe(0);
    expect(bucket.isFull(60_000)).toBe(true);
    // a minute of quiet still allows only one capacity at once
    bucket.take(20, 60_000);
    expect(bucket.waitSeconds(1, 60_000)).toBeGreaterThan(0);
  });

  it('a cost larger than the capacity gets in when full and leaves a debt paid before anything else', () => {
    const bucket = new TokenBucket(10, 20, 0);
    expect(bucket.waitSeconds(50, 0)).toBe(0);
    bucket.take(50, 0);
    // level -30: one token needs 3.1 s
    expect(bucket.waitSeconds(1, 0)).toBeCloseTo(3.1);
    expect(bucket.waitSeconds(50, 2000)).toBeCloseTo(3);
  });

  it('a clock that steps back does not add tokens', () => {
    const bucket = new TokenBucket(10, 20, 5000);
    bucket.take(20, 5000);
    expect(bucket.waitSeconds(10, 1000)).toBeCloseTo(1);
  });
});

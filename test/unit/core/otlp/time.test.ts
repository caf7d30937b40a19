import { jsonNanosToMicros, microsToNanosBits, microsToNanosString, nanosBitsToMicros } from '../../../../core/otlp';

function bits(ns: bigint): [number, number] {
  return [Number(ns & 0xffffffffn), Number(ns >> 32n)];
}

describe('nanosecond ↔ microsecond conversion', () => {
  test('1700000000123456789 ns is exactly 1700000000123456 µs', () => {
    const [lo, hi] = bits(1700000000123456789n);
    expect(nanosBitsToMicros(lo, hi)).toBe(1700000000123456);
  });

  test('a value where the naive float formula rounds up into the next µs', () => {
    const [lo, hi] = bits(1700000000123999999n);
    expect(Math.floor((hi * 4294967296 + lo) / 1000)).toBe(1700000000124000); // the trap
    expect(nanosBitsToMicros(lo, hi)).toBe(1700000000123999);
  });

  test('matches BigInt floor division over many values, including extremes', () => {
    let seed = 12345;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const samples: bigint[] = [0n, 1n, 999n, 1000n, 1001n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n + 1n, 1700000000123456789n, 4102444800000000999n];
    for (let i = 0; i < 2000; i++) samples.push(BigInt(Math.floor(rand() * 2 ** 31)) * 2n ** 31n + BigInt(Math.floor(rand() * 2 ** 31)));
    for (const ns of samples) {
      const [lo, hi] = bits(ns);
      expect(nanosBitsToMicros(lo, hi)).toBe(Number(ns / 1000n));
    }
  });

  test('µs → ns halves are exact and invert the decode', () => {
    for (const us of [0, 1, 999, 4294967, 4294968, 1700000000123456, 2 ** 52 + 7]) {
      const { lo, hi } = microsToNanosBits(us);
      expect(BigInt(hi) * 2n ** 32n + BigInt(lo)).toBe(BigInt(us) * 1000n);
      expect(nanosBitsToMicros(lo, hi)).toBe(us);
    }
    expect(microsToNanosBits(-5)).toEqual({ lo: 0, hi: 0 });
    expect(microsToNanosBits(NaN)).toEqual({ lo: 0, hi: 0 });
  });

  test('OTLP/JSON times: decimal strings exactly, numbers, garbage refused', () => {
    expect(jsonNanosToMicros('1700000000123456789')).toBe(1700000000123456);
    expect(jsonNanosToMicros('999')).toBe(0);
    expect(jsonNanosToMicros('')).toBe(0);
    expect(jsonNanosToMicros(undefined)).toBe(0);
    expect(jsonNanosToMicros(1700000000123456)).toBe(1700000000123);
    expect(jsonNanosToMicros('18446744073709551615')).toBe(18446744073709551);
    expect(jsonNanosToMicros('18446744073709551616')).toBe(-1);
    expect(jsonNanosToMicros('-5')).toBe(-1);
    expect(jsonNanosToMicros('12.5')).toBe(-1);
    expect(jsonNanosToMicros(-1)).toBe(-1);
    expect(jsonNanosToMicros(true)).toBe(-1);
    expect(microsToNanosString(1700000000123456)).toBe('1700000000123456000');
  });
});

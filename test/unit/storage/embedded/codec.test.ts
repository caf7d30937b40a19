import { attributeText } from '../../../../core/contracts/span-store';
import { attributeHash, intToKind, intToStatus, kindToInt, statusToInt } from '../../../../storage/embedded/codec';
import { SPAN_KINDS, STATUS_CODES } from '../../../../core/model';

describe('embedded codec', () => {
  it('maps kinds and status codes both ways', () => {
    for (const k of SPAN_KINDS) expect(intToKind(kindToInt(k))).toBe(k);
    for (const c of STATUS_CODES) expect(intToStatus(statusToInt(c))).toBe(c);
  });

  it('gives the text form of searchable attribute values only', () => {
    expect(attributeText('x')).toBe('x');
    expect(attributeText(200)).toBe('200');
    expect(attributeText(0.5)).toBe('0.5');
    expect(attributeText(true)).toBe('true');
    expect(attributeText(null)).toBeUndefined();
    expect(attributeText([1])).toBeUndefined();
    expect(attributeText({ a: 1 })).toBeUndefined();
  });

  it('hashes (key, value) to a deterministic safe integer that keeps the key/value boundary', () => {
    const h = attributeHash('order.id', 'ORD-1');
    expect(Number.isSafeInteger(h)).toBe(true);
    expect(h).toBeGreaterThanOrEqual(0);
    expect(attributeHash('order.id', 'ORD-1')).toBe(h);
    expect(attributeHash('ab', 'c')).not.toBe(attributeHash('a', 'bc'));
    expect(attributeHash('', 'x')).not.toBe(attributeHash('x', ''));
  });

  it('has no collisions over 200k distinct pairs', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 100_000; i++) {
      seen.add(attributeHash('request.id', `req-${i}`));
      seen.add(attributeHash(`k${i}`, 'v'));
    }
    expect(seen.size).toBe(200_000);
  });
});

describe('hash sets', () => {
  it('encodes sorted distinct hashes and finds exactly those', () => {
    const { encodeHashSet, hashSetHas } = jest.requireActual('../../../../storage/embedded/codec');
    const values = [5, 3, 2 ** 53 - 1, 3, 0, 123456789012345, 5];
    const set: Buffer = encodeHashSet(values);
    expect(set.length).toBe(5 * 8);
    for (const v of values) expect(hashSetHas(set, v)).toBe(true);
    for (const v of [1, 4, 6, 2 ** 52, 123456789012344]) expect(hashSetHas(set, v)).toBe(false);
    expect(hashSetHas(encodeHashSet([]), 1)).toBe(false);
    // the stored form is little-endian float64, whatever the host
    expect(set.readDoubleLE(0)).toBe(0);
    expect(set.readDoubleLE(32)).toBe(2 ** 53 - 1);
  });
});

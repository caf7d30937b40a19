import { DEFAULT_INPUT_LIMITS, NESTING_MARKER, resolveInputLimits } from '../../../../core/limits';
import { capAttributes, capBody, capValue, cutText } from '../../../../core/log-normalise/attributes';
import type { AttributeValue } from '../../../../core/model';

describe('log attribute caps', () => {
  it('cuts text without splitting a surrogate pair', () => {
    expect(cutText('abcdef', 3)).toBe('abc');
    expect(cutText('ab\u{1F600}', 3)).toBe('ab');
    expect(cutText('short', 10)).toBe('short');
    expect(capBody('b'.repeat(70_000))).toHaveLength(DEFAULT_INPUT_LIMITS.maxLogBodyLength);
  });

  it('caps strings, arrays, maps and nesting like the OTLP decoders', () => {
    const limits = resolveInputLimits({ maxAttributeValueLength: 4, maxArrayLength: 2, maxAttributesPerItem: 2, maxNestingDepth: 1 });
    expect(capValue('abcdefgh', 1, limits)).toBe('abcd');
    expect(capValue([1, 2, 3], 1, limits)).toEqual([1, 2]);
    expect(capValue({ a: 1, b: 2, c: 3 }, 1, limits)).toEqual({ a: 1, b: 2 });
    expect(capValue({ a: { deep: 1 } }, 1, limits)).toEqual({ a: NESTING_MARKER });
    expect(capValue([[1]], 1, limits)).toEqual([NESTING_MARKER]);
    for (const plain of [1, true, null, 2.5] as AttributeValue[]) expect(capValue(plain, 1, limits)).toBe(plain);
  });

  it('keeps the first entries within the room given, in place', () => {
    const attributes = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, 'x'.repeat(9000)]));
    const capped = capAttributes(attributes, 250);
    expect(capped).toBe(attributes);
    expect(Object.keys(capped)).toEqual(Array.from({ length: 250 }, (_, i) => `k${i}`));
    expect(Object.values(capped).every((v) => v === 'x'.repeat(DEFAULT_INPUT_LIMITS.maxAttributeValueLength))).toBe(true);
    const small = { a: 'kept', n: 1 };
    expect(capAttributes(small)).toEqual({ a: 'kept', n: 1 });
  });
});

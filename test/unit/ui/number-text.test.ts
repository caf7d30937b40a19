import { clockSeconds, decimalText, svgNumber, wholeText } from '../../../ui/src/numberText';

/** The cache-free formats read exactly as the String() forms they replace, for every number up to 2^53 (beyond, toFixed writes every digit) and from 1e21 on. */
describe('numbers as text without the number-string cache', () => {
  const samples = [0, -0, 1, -1, 0.5, 1.5, 2.5, -2.5, -0.4, 0.04, 12.345, 99.95, 999.5, 1234.5678, -1234.5678, 1e-7, 1733580000000, 1733580000000123, 2 ** 31, 2 ** 53 - 1, 1e21, 3.2e25, -1e22, NaN, Infinity, -Infinity];

  it.each(samples)('wholeText(%s) is String(Math.round(n))', (n) => {
    expect(wholeText(n)).toBe(String(Math.round(n)));
  });

  it.each(samples.flatMap((n) => [0, 1, 2].map((d) => [n, d] as const)))('decimalText(%s, %s) is String(Number(n.toFixed(d)))', (n, digits) => {
    expect(decimalText(n, digits)).toBe(String(Number(n.toFixed(digits))));
  });

  it.each([0, 1_733_580_000_000_000, 1_733_616_999_999_999, Date.now() * 1000, 1_800_000_000_123_456])('clockSeconds(%s) is the local HH:MM:SS', (us) => {
    expect(clockSeconds(us)).toBe(new Date(us / 1000).toTimeString().slice(0, 8));
  });

  it('writes SVG numbers with at most one decimal, none when whole', () => {
    expect(svgNumber(12)).toBe('12');
    expect(svgNumber(12.04)).toBe('12');
    expect(svgNumber(-3.25)).toBe('-3.3');
    expect(svgNumber(0.04)).toBe('0');
    expect(svgNumber(-0.04)).toBe('0');
    expect(svgNumber(1733580000000.06)).toBe('1733580000000.1');
  });
});

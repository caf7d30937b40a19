import { clipText, describeHidden, escapeOf, hasHidden, shortLabel, splitHidden, visibleText } from '../../../ui/src/safeText';

describe('visibleText: characters that show nothing or reorder text become escapes', () => {
  it.each([
    ['bidi override (the classic file-name trick)', 'evil\u202Egnp.exe', 'evil\\u202Egnp.exe'],
    ['bidi embeddings and pop', 'a\u202Ab\u202Bc\u202Cd\u202De', 'a\\u202Ab\\u202Bc\\u202Cd\\u202De'],
    ['bidi isolates', '\u2066x\u2067y\u2068z\u2069', '\\u2066x\\u2067y\\u2068z\\u2069'],
    ['directional marks', 'a\u200Eb\u200Fc\u061Cd', 'a\\u200Eb\\u200Fc\\u061Cd'],
    ['zero-width characters, word joiner, BOM', 'p\u200Ba\u200Cy\u200Dp\u2060a\uFEFFl', 'p\\u200Ba\\u200Cy\\u200Dp\\u2060a\\uFEFFl'],
    ['soft hyphen', 'pay\u00ADments', 'pay\\u00ADments'],
    ['C0 controls, DEL and C1 controls', 'a\u0000b\u0007c\u001Bd\u007Fe\u0085f\u009Bg', 'a\\u0000b\\u0007c\\u001Bd\\u007Fe\\u0085f\\u009Bg'],
    ['line breaks and tab in a name', 'a\nb\tc\rd', 'a\\u000Ab\\u0009c\\u000Dd'],
    ['line and paragraph separators', 'a\u2028b\u2029c', 'a\\u2028b\\u2029c'],
    ['Hangul fillers (letters that draw nothing)', 'a\u3164b\u115Fc\uFFA0d', 'a\\u3164b\\u115Fc\\uFFA0d'],
    ['tag characters beyond the BMP', 'flag\u{E0067}\u{E007F}', 'flag\\u{E0067}\\u{E007F}'],
    ['a lone surrogate', 'x\uD800y', 'x\\uD800y'],
  ])('%s', (_what, input, expected) => {
    expect(visibleText(input)).toBe(expected);
    expect(hasHidden(input)).toBe(true);
  });

  it.each([
    ['plain ASCII with punctuation', 'GET /orders/{id} <b>&amp;</b>'],
    ['accented Latin, CJK, Cyrillic', 'café 注文 заказ'],
    ['right-to-left letters (visible, only the controls are hidden)', 'طلب שירות'],
    ['emoji, also with skin tone and variation selector', '😀 👍🏽 ❤️'],
    ['combining marks', 'e\u0301 n\u0303'],
    ['no-break and other visible spaces', 'a\u00A0b\u2003c\u3000d'],
    ['empty', ''],
  ])('leaves %s alone', (_what, input) => {
    expect(visibleText(input)).toBe(input);
    expect(hasHidden(input)).toBe(false);
  });

  it('keeps tab and line breaks in multi-line text when asked, still escaping the rest', () => {
    expect(visibleText('line 1\r\n\tline 2\u202E', { keepBreaks: true })).toBe('line 1\r\n\tline 2\\u202E');
    expect(hasHidden('a\nb\tc', { keepBreaks: true })).toBe(false);
    expect(hasHidden('a\nb\u200Bc', { keepBreaks: true })).toBe(true);
  });
});

describe('splitHidden: the pieces a renderer styles', () => {
  it('gives plain runs and each hidden character in order', () => {
    expect(splitHidden('evil\u202Egnp.exe')).toEqual([
      { text: 'evil', hidden: false },
      { text: '\u202E', hidden: true },
      { text: 'gnp.exe', hidden: false },
    ]);
    expect(splitHidden('\u200B\u200B')).toEqual([
      { text: '\u200B', hidden: true },
      { text: '\u200B', hidden: true },
    ]);
    expect(splitHidden('a\u{E0041}b')).toEqual([
      { text: 'a', hidden: false },
      { text: '\u{E0041}', hidden: true },
      { text: 'b', hidden: false },
    ]);
  });

  it('joins back to the original text', () => {
    const text = 'x\u202Ey\nz\u0000\u{E0001}w';
    for (const opts of [{}, { keepBreaks: true }]) expect(splitHidden(text, opts).map((p) => p.text).join('')).toBe(text);
    expect(splitHidden('a\nb', { keepBreaks: true })).toEqual([{ text: 'a\nb', hidden: false }]);
  });
});

describe('escapeOf and describeHidden', () => {
  it('writes BMP characters as \\uXXXX and astral ones as \\u{X}', () => {
    expect(escapeOf('\u202E')).toBe('\\u202E');
    expect(escapeOf('\u0001')).toBe('\\u0001');
    expect(escapeOf('\u{E007F}')).toBe('\\u{E007F}');
  });
  it('names the usual suspects for the tooltip', () => {
    expect(describeHidden('\u202E')).toBe('U+202E RIGHT-TO-LEFT OVERRIDE');
    expect(describeHidden('\u0007')).toBe('U+0007 control character');
    expect(describeHidden('\u{E0041}')).toBe('U+E0041 invisible character');
  });
});

describe('clipText and shortLabel (SVG text and option labels, where CSS cannot cut)', () => {
  it('cuts to the limit with an ellipsis, never splitting a surrogate pair', () => {
    expect(clipText('abcdef', 6)).toBe('abcdef');
    expect(clipText('abcdefg', 6)).toBe('abcde…');
    expect(clipText('abcd😀xyz', 6)).toBe('abcd…');
    expect(clipText('abc😀xyz', 6)).toBe('abc😀…');
    expect(clipText('x'.repeat(10_000), 22)).toHaveLength(22);
  });
  it('escapes before cutting, so a cut label never hides a control character', () => {
    expect(shortLabel('evil\u202Egnp.exe', 40)).toBe('evil\\u202Egnp.exe');
    expect(shortLabel('evil\u202Egnp.exe', 8)).toBe('evil\\u2…');
    expect(shortLabel('s'.repeat(10_000), 22)).toBe(`${'s'.repeat(21)}…`);
  });
});

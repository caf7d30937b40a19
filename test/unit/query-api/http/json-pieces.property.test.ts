import fc from 'fast-check';
import { jsonPieces } from '../../../../query-api/http/json-pieces';

const joined = (value: unknown, depth?: number) => [...jsonPieces(value, depth)].join('');

describe('jsonPieces', () => {
  it('gives the text JSON.stringify gives, for any JSON value and walk depth', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer({ min: 0, max: 6 }), (value, depth) => {
        expect(joined(value, depth)).toBe(JSON.stringify(value));
      }),
      { numRuns: 500 },
    );
  });

  it('leaves out what JSON.stringify leaves out and calls toJSON like it', () => {
    const when = new Date(Date.UTC(2026, 11, 7));
    const value = {
      a: undefined,
      b: () => 1,
      c: Symbol('s'),
      d: [undefined, () => 1, Symbol('t'), 1],
      when,
      nested: { toJSON: (key: string) => `key was ${key}` },
      list: [{ toJSON: (key: string) => `item ${key}` }],
      n: Number.NaN,
      inf: -Infinity,
      empty: {},
      none: [],
    };
    for (const depth of [0, 1, 2, 3, 5]) expect(joined(value, depth)).toBe(JSON.stringify(value));
    expect(joined(undefined)).toBe('null');
  });

  it('yields an array of many items in many pieces (what lets a large answer be written as it goes)', () => {
    const spans = Array.from({ length: 1000 }, (_, i) => ({ spanId: String(i), attributes: { k: 'v' } }));
    const pieces = [...jsonPieces({ traceId: 't', spans })];
    expect(pieces.length).toBeGreaterThan(1000);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(100);
  });

  it('writes each item of a top-level list as one piece: a span is a leaf, its fields are not walked one by one', () => {
    const spans = Array.from({ length: 50 }, (_, i) => ({ spanId: String(i), name: `op ${i}`, attributes: { k: 'v', n: i } }));
    const pieces = [...jsonPieces({ traceId: 't', spans, warnings: [] })];
    for (const span of spans) expect(pieces).toContain(JSON.stringify(span));
    expect(pieces).not.toContain('"spanId":');
  });
});

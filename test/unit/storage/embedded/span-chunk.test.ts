import type { Span } from '../../../../core/model';
import { CHUNK_FACT_BYTES, ChunkBuilder, decodeTuples, factsMatch, spanOf, type FactConditions } from '../../../../storage/embedded/span-chunk';
import { makeSpan } from '../../../contract/fixtures';

const NONE: FactConditions = { opIds: null, status: null, minDurationUs: null, maxDurationUs: null };

describe('span chunks: one row for the spans a write adds to a trace', () => {
  const spans: Span[] = [
    makeSpan({ name: 'a', durationUs: 5, status: { code: 'ok', message: '' }, attributes: { 'k"ey': 'v\n', n: 1.5, list: [1, 'x'] } }),
    makeSpan({ name: 'b', parentSpanId: 'c'.repeat(16), kind: 'consumer', durationUs: 2 ** 40 + 3, status: { code: 'error', message: 'bad \u2028' } }),
    makeSpan({ name: 'c', attributes: JSON.parse('{"__proto__": "own", "k\\"ey": 2, "n": null}') as Span['attributes'], events: [{ name: 'e', timeUs: 7, attributes: { x: true } }], links: [{ traceId: '1'.repeat(32), spanId: '2'.repeat(16), attributes: {} }] }),
  ];
  const opIds = [7, 8, 4_000_000_000];

  function build(): ReturnType<ChunkBuilder['take']> {
    const b = new ChunkBuilder();
    spans.forEach((s, i) => b.add(s, opIds[i], 40 + i));
    return b.take();
  }

  it('gives every span back as written, from its operation and resource ids', () => {
    const chunk = build();
    expect(JSON.parse(chunk.spanIds.toString())).toEqual(spans.map((s) => s.spanId));
    expect(chunk.facts).toHaveLength(3 * CHUNK_FACT_BYTES);
    const back = decodeTuples(chunk.spans.toString()).map((t, i) =>
      spanOf(spans[i].traceId, t, (id) => ({ service: spans[opIds.indexOf(id)].service, name: spans[opIds.indexOf(id)].name }), (id) => spans[id - 40].resource),
    );
    expect(back).toEqual(spans);
    expect(Object.getPrototypeOf(back[2].attributes)).toBe(Object.prototype);
    expect(Object.keys(back[2].attributes)).toEqual(['__proto__', 'k"ey', 'n']);
    // the names the spans share are stored once
    expect(chunk.spans.toString().split('"k\\"ey"')).toHaveLength(2);
  });

  it('matches facts by operation, status and duration, each condition on the same span', () => {
    const { facts } = build();
    expect(factsMatch(facts, NONE)).toBe(true);
    expect(factsMatch(facts, { ...NONE, opIds: new Set([4_000_000_000]) })).toBe(true);
    expect(factsMatch(facts, { ...NONE, opIds: new Set([9]) })).toBe(false);
    expect(factsMatch(facts, { ...NONE, status: 2 /* error */ })).toBe(true);
    // the error span is op 8 and long: op 7 with error is no match, op 8 with error and ≥ 2^40 µs is one
    expect(factsMatch(facts, { ...NONE, opIds: new Set([7]), status: 2 })).toBe(false);
    expect(factsMatch(facts, { ...NONE, opIds: new Set([8]), status: 2, minDurationUs: 2 ** 40 })).toBe(true);
    expect(factsMatch(facts, { ...NONE, minDurationUs: 6, maxDurationUs: 1_000 })).toBe(true);
    expect(factsMatch(facts, { ...NONE, minDurationUs: 6, maxDurationUs: 999 })).toBe(false);
    expect(factsMatch(facts, { ...NONE, minDurationUs: 1_001, maxDurationUs: 2 ** 40 })).toBe(false);
    expect(factsMatch(Buffer.alloc(0), NONE)).toBe(false);
  });
});

import fc from 'fast-check';
import { attributeText } from '../../../../core/contracts/span-store';
import type { Attributes, AttributeValue, Span } from '../../../../core/model';
import { IndexedNames } from '../../../../storage/embedded/attribute-index';
import { attributeHash, encodeHashSet } from '../../../../storage/embedded/codec';
import { deriveTopology, factsOf } from '../../../../core/analysis/topology-derive';
import { decodeTuples, SPAN_CHUNK_MAX, T, type ChunkIds } from '../../../../storage/embedded/span-chunk';
import { hashSetsOf, planTraces } from '../../../../storage/embedded/span-write-plan';

/** Ids as a connection that knows every operation and resource but `unknownOp` hands them out. */
function knownIds(unknownOp = ''): ChunkIds & { resources: Attributes[] } {
  const resources: Attributes[] = [];
  return {
    resources,
    operationId: (service, name) => (name === unknownOp ? undefined : name.length + 1000 * service.length),
    resourceId: (resource) => {
      const i = resources.indexOf(resource);
      return i >= 0 ? i : resources.push(resource) - 1;
    },
  };
}

/** The hash sets as the plain rule states them: every pair of every span, event and resource hashed, then sorted and deduplicated. */
function referenceSets(spans: readonly Span[], names: IndexedNames): { all: Buffer | null; indexed: Buffer | null } {
  const all: number[] = [];
  const indexed: number[] = [];
  const add = (attributes: Attributes) => {
    for (const key in attributes) {
      const text = attributeText(attributes[key]);
      if (text === undefined) continue;
      const hash = attributeHash(key, text);
      all.push(hash);
      if (names.holds(key, text)) indexed.push(hash);
    }
  };
  for (const span of spans) {
    add(span.attributes);
    for (const e of span.events) add(e.attributes);
    add(span.resource);
  }
  return { all: all.length ? encodeHashSet(all) : null, indexed: indexed.length ? encodeHashSet(indexed) : null };
}

const KEYS = ['order.id', 'customer.id', 'http.method', 'db.rows', 'retry', 'x', '__proto__'];
// few distinct values, so pairs repeat within and across traces the way real spans repeat them
const value: fc.Arbitrary<AttributeValue> = fc.oneof(
  fc.constantFrom('a', 'b', 'GET', '', '0', 'true', 'x'.repeat(300)),
  fc.constantFrom(0, -0, 1, 200, 1.5, Number.NaN),
  fc.boolean(),
  fc.constant(null as unknown as AttributeValue),
  fc.constant(['a', 1] as unknown as AttributeValue),
  fc.constant({ a: 1 } as unknown as AttributeValue),
);
const attributes: fc.Arbitrary<Attributes> = fc
  .array(fc.tuple(fc.constantFrom(...KEYS), value), { maxLength: 6 })
  .map((pairs) => {
    const out: Attributes = {};
    for (const [k, v] of pairs) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    return out;
  });

const batch = fc
  .tuple(
    fc.array(attributes, { minLength: 1, maxLength: 3 }),
    fc.array(
      fc.record({
        trace: fc.integer({ min: 0, max: 3 }),
        span: fc.integer({ min: 0, max: 6 }),
        resource: fc.nat(),
        attributes,
        events: fc.array(attributes, { maxLength: 2 }),
      }),
      { minLength: 1, maxLength: 25 },
    ),
  )
  .map(([resources, rows]) =>
    rows.map(
      (r): Span => ({
        traceId: `t${r.trace}`,
        spanId: `s${r.span}`,
        parentSpanId: '',
        service: 'svc',
        name: 'op',
        kind: 'internal',
        startUs: 1,
        durationUs: 1,
        status: { code: 'unset', message: '' },
        attributes: r.attributes,
        // spans share resource objects, as decoded spans of one ResourceSpans do
        resource: resources[r.resource % resources.length],
        events: r.events.map((a) => ({ timeUs: 1, name: 'e', attributes: a })),
        links: [],
        scope: { name: '', version: '' },
      }),
    ),
  );

const nameLists = fc.constantFrom(['order.id'], ['order.id', 'retry', 'db.rows'], ['*'], [] as string[]);

describe('span write plan: hash sets with pairs memoised per batch', () => {
  it('every trace of a batch gets the sets the plain rule gives (all pairs hashed, sorted, deduplicated)', () => {
    fc.assert(
      fc.property(batch, nameLists, (spans, list) => {
        const names = new IndexedNames(list);
        for (const plan of planTraces(spans, names, knownIds())) {
          expect(plan.hashes).toEqual(referenceSets(plan.spans, names));
        }
      }),
      { numRuns: 400 },
    );
  });

  it('each trace\'s chunk rows hold its spans (first copy of a repeated id) in order; a trace with an unknown id is left to the transaction', () => {
    fc.assert(
      fc.property(batch, fc.constantFrom('', 'op', 'op2'), (spans, unknownOp) => {
        // some spans of another operation, which may be the unknown one
        const named = spans.map((s, i) => (i % 3 === 2 ? { ...s, name: 'op2' } : s));
        const ids = knownIds(unknownOp);
        for (const plan of planTraces(named, new IndexedNames([]), ids)) {
          if (plan.spans.some((s) => s.name === unknownOp)) {
            expect(plan.encoded).toBeUndefined();
            expect(plan.rootOpId).toBeUndefined();
            continue;
          }
          const chunks = plan.encoded!.chunks;
          expect(chunks.every((c) => JSON.parse(c.spanIds.toString()).length <= SPAN_CHUNK_MAX)).toBe(true);
          const tuples = chunks.flatMap((c) => decodeTuples(c.spans.toString()));
          expect(tuples.map((t) => t[T.spanId])).toEqual(plan.spans.map((s) => s.spanId));
          expect(tuples.map((t) => t[T.attributes])).toEqual(plan.spans.map((s) => JSON.parse(JSON.stringify(s.attributes))));
          expect(tuples.map((t) => ids.resources[t[T.resourceId]])).toEqual(plan.spans.map((s) => s.resource));
          expect(new Set(plan.encoded!.opIds)).toEqual(new Set(plan.spans.map((s) => ids.operationId(s.service, s.name))));
          const root = plan.spans[plan.summary.root];
          expect(plan.rootOpId).toBe(ids.operationId(root.service, root.name));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('each trace\'s topology is what its spans derive as new ones, a parent found among the batch\'s spans of the trace (last copy)', () => {
    const kinds = ['server', 'client', 'internal', 'consumer'] as const;
    fc.assert(
      fc.property(batch, fc.array(fc.nat(), { minLength: 25, maxLength: 25 }), (spans, picks) => {
        // parents among the span ids, services and kinds varied, so edges and waiting children come up
        const shaped = spans.map((s, i) => ({
          ...s,
          parentSpanId: picks[i] % 3 === 0 ? '' : `s${picks[i] % 7}`,
          service: `svc${picks[i] % 2}`,
          kind: kinds[(picks[i] >> 2) % kinds.length],
          durationUs: 1 + (picks[i] % 5),
        }));
        const inBatch = new Map(shaped.map((s) => [`${s.traceId}/${s.spanId}`, s]));
        for (const plan of planTraces(shaped, new IndexedNames([]), knownIds())) {
          const lookup = (traceId: string, spanId: string) => {
            const s = inBatch.get(`${traceId}/${spanId}`);
            return s && factsOf(s);
          };
          expect(plan.topology).toEqual(deriveTopology({ spans: plan.spans, lookup, waitingChildren: [] }));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('a set made alone (a stored trace\'s new spans) is the same too', () => {
    fc.assert(
      fc.property(batch, nameLists, (spans, list) => {
        const names = new IndexedNames(list);
        expect(hashSetsOf(spans, names)).toEqual(referenceSets(spans, names));
      }),
      { numRuns: 200 },
    );
  });

  it('a pair an earlier trace of the batch took still reaches a later trace\'s set, and so do a shared resource\'s pairs', () => {
    const names = new IndexedNames(['k', 'host']);
    const resource: Attributes = { host: 'h1' };
    const span = (traceId: string, spanId: string, attrs: Attributes): Span => ({
      traceId, spanId, parentSpanId: '', service: 's', name: 'n', kind: 'internal', startUs: 1, durationUs: 1,
      status: { code: 'unset', message: '' }, attributes: attrs, resource, events: [], links: [], scope: { name: '', version: '' },
    });
    const spans = [span('a', '1', { k: 'v' }), span('a', '2', { k: 'w' }), span('a', '3', { k: 'v' }), span('b', '1', { k: 'v' })];
    const [a, b] = planTraces(spans, names, knownIds());
    expect(a.hashes).toEqual(referenceSets(a.spans, names));
    expect(b.hashes).toEqual(referenceSets(b.spans, names));
    // b's set: its pair k=v and the resource's host=h1
    expect(b.hashes.indexed!.length).toBe(16);
  });
});

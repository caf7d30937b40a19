import { LOG_READ_LIMITS } from '../../../../core/contracts/read-limits';
import { ValidationError } from '../../../../core/errors';
import {
  buildAnchorBody,
  buildBurstsBody,
  buildByTraceBody,
  buildContextBodies,
  buildSearchBody,
  parseTotal,
} from '../../../../storage/search/query';
import { SYNTAX_INJECTION_INPUTS } from '../../../contract/log-store.contract';

const NEWEST_FIRST = [{ time_us: { order: 'desc' } }, { id: { order: 'desc' } }];
const OLDEST_FIRST = [{ time_us: { order: 'asc' } }, { id: { order: 'asc' } }];

/** Every [clause name, path] in a DSL tree, to prove which query types appear at all. */
function clauseNames(node: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) node.forEach((n) => clauseNames(n, out));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      out.add(k);
      clauseNames(v, out);
    }
  }
  return out;
}

/** Every string leaf with the key path that leads to it. */
function stringLeaves(node: unknown, path: string[] = [], out: [string, string][] = []): [string, string][] {
  if (typeof node === 'string') out.push([path.join('.'), node]);
  else if (Array.isArray(node)) node.forEach((n, i) => stringLeaves(n, [...path, String(i)], out));
  else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) stringLeaves(v, [...path, k], out);
  return out;
}

describe('search query translation', () => {
  it('translates every criterion to filters, newest first, with a capped total', () => {
    const body = buildSearchBody({
      text: { terms: ['payment', 'ORD-1'], phrases: ['card declined'] },
      service: 'checkout',
      severity: 'ERROR',
      traceId: 'a'.repeat(32),
      spanId: 'b'.repeat(16),
      startUs: 1_700_000_000_000_001,
      endUs: 1_700_000_000_999_999,
      limit: 50,
    });
    expect(body).toEqual({
      query: {
        bool: {
          filter: [
            { match_phrase: { body: { query: 'payment' } } },
            { match_phrase: { body: { query: 'ORD-1' } } },
            { match_phrase: { body: { query: 'card declined' } } },
            { term: { service: { value: 'checkout' } } },
            { term: { 'severity_text.lc': { value: 'error' } } },
            { term: { trace_id: { value: 'a'.repeat(32) } } },
            { term: { span_id: { value: 'b'.repeat(16) } } },
            { range: { time_us: { gte: 1_700_000_000_000_001, lte: 1_700_000_000_999_999 } } },
          ],
        },
      },
      sort: NEWEST_FIRST,
      size: 50,
      track_total_hits: 10_000,
    });
  });

  it('matches everything without criteria; an empty text query is no filter', () => {
    expect(buildSearchBody({ limit: 0 })).toEqual({ query: { match_all: {} }, sort: NEWEST_FIRST, size: 0, track_total_hits: 10_000 });
    expect(buildSearchBody({ limit: 5, text: { terms: [], phrases: [] } })?.query).toEqual({ match_all: {} });
  });

  it('drops word-less parts and answers "no match" (null) when nothing searchable is left', () => {
    expect(buildSearchBody({ limit: 5, text: { terms: ['(', '*', '"'], phrases: [':'] } })).toBeNull();
    expect(buildSearchBody({ limit: 5, service: 's', text: { terms: ['alpha', '*:*', 'body:beta*'], phrases: ['^'] } })?.query).toEqual({
      bool: {
        filter: [
          { match_phrase: { body: { query: 'alpha' } } },
          { match_phrase: { body: { query: 'body:beta*' } } },
          { term: { service: { value: 's' } } },
        ],
      },
    });
  });

  it('passes injection strings through only as literal match_phrase / term values', () => {
    const nasty = [
      ...SYNTAX_INJECTION_INPUTS,
      '*:* OR _exists_:x',
      '") OR 1=1',
      "') OR ('1'='1",
      'body:* AND NOT severity_text:info',
      '{"script":{"source":"ctx._source"}}',
      '\\"escaped\\" quote',
      '/.*/',
      'Überweisung für Café ✅ 🚀 заказ',
    ];
    for (const input of nasty) {
      const body = buildSearchBody({
        text: { terms: [input], phrases: [input] },
        service: input,
        severity: input,
        traceId: input,
        spanId: input,
        limit: 10,
      });
      if (body === null) {
        expect(/[\p{L}\p{N}]/u.test(input)).toBe(false);
        continue;
      }
      const names = clauseNames(body);
      for (const forbidden of ['query_string', 'simple_query_string', 'script', 'regexp', 'wildcard', 'prefix', 'fuzzy']) {
        expect({ input, forbidden, present: names.has(forbidden) }).toEqual({ input, forbidden, present: false });
      }
      const userLeaves = stringLeaves(body).filter(([, v]) => v === input || v === input.toLowerCase());
      expect(userLeaves.map(([p]) => p).sort()).toEqual(
        [
          ...(/[\p{L}\p{N}\p{Co}]/u.test(input)
            ? ['query.bool.filter.0.match_phrase.body.query', 'query.bool.filter.1.match_phrase.body.query']
            : []),
          ...[2, 3, 4, 5].map((i) => `query.bool.filter.${i}.term.${['service', 'severity_text.lc', 'trace_id', 'span_id'][i - 2]}.value`),
        ]
          .map((p) => (/[\p{L}\p{N}\p{Co}]/u.test(input) ? p : p.replace(/filter\.(\d)/, (_, d) => `filter.${Number(d) - 2}`)))
          .sort(),
      );
      // the JSON the engine receives still carries the string verbatim
      expect(JSON.parse(JSON.stringify(body))).toEqual(body);
    }
  });

  it('bursts: one terms aggregation by service with the histogram and the newest records of each; user text only as term values', () => {
    const service = '*:* OR _exists_:x';
    const body = buildBurstsBody({ service, startUs: 1, endUs: 2 }, 60_000_000, 5, 100)!;
    expect(body).toEqual({
      query: { bool: { filter: [{ term: { service: { value: service } } }, { range: { time_us: { gte: 1, lte: 2 } } }] } },
      size: 0,
      track_total_hits: false,
      aggs: {
        s: {
          terms: { field: 'service', size: 5, order: [{ _count: 'desc' }, { _key: 'asc' }] },
          aggs: {
            t: { histogram: { field: 'time_us', interval: 60_000_000, min_doc_count: 1 }, aggs: { sn: { terms: { field: 'severity_number', size: 100 } } } },
            m: { top_hits: { size: 100, sort: NEWEST_FIRST, _source: { includes: ['id', 'time_us', 'service', 'severity_text', 'body', 'trace_id'] } } },
          },
        },
      },
    });
    expect(stringLeaves(body).filter(([, v]) => v === service).map(([p]) => p)).toEqual(['query.bool.filter.0.term.service.value']);
    // no messages asked: no records read
    expect(clauseNames(buildBurstsBody({}, 60_000_000, 5, 0)).has('top_hits')).toBe(false);
    expect(buildBurstsBody({ text: { terms: ['('], phrases: [] } }, 60_000_000, 5, 100)).toBeNull();
  });

  it('validates limits and times', () => {
    expect(() => buildSearchBody({ limit: -1 })).toThrow(ValidationError);
    expect(() => buildSearchBody({ limit: 1.5 })).toThrow(ValidationError);
    expect(() => buildSearchBody({ limit: 1, startUs: Number.NaN })).toThrow(ValidationError);
    expect(buildSearchBody({ limit: 1_000_000 })?.size).toBe(LOG_READ_LIMITS.search);
  });

  it('byTrace: oldest first, optional span, nothing for an empty trace id', () => {
    expect(buildByTraceBody('t1', 20)).toEqual({
      query: { bool: { filter: [{ term: { trace_id: { value: 't1' } } }] } },
      sort: OLDEST_FIRST,
      size: 20,
      track_total_hits: false,
    });
    expect(buildByTraceBody('t1', 20, 's1')?.query).toEqual({
      bool: { filter: [{ term: { trace_id: { value: 't1' } } }, { term: { span_id: { value: 's1' } } }] },
    });
    expect(buildByTraceBody('', 20)).toBeNull();
    expect(() => buildByTraceBody('t1', -2)).toThrow(ValidationError);
  });

  it('context: anchor by id, then search_after on (time_us, id) both ways within the service', () => {
    expect(buildAnchorBody('x" OR 1=1')).toEqual({
      query: { bool: { filter: [{ term: { id: { value: 'x" OR 1=1' } } }] } },
      size: 1,
      track_total_hits: false,
    });
    const { before, after } = buildContextBodies({ id: 'abc', timeUs: 1_700_000_000_000_123, service: 'svc' }, 3, 4);
    const query = { bool: { filter: [{ term: { service: { value: 'svc' } } }] } };
    expect(before).toEqual({ query, sort: NEWEST_FIRST, search_after: [1_700_000_000_000_123, 'abc'], size: 3, track_total_hits: false });
    expect(after).toEqual({ query, sort: OLDEST_FIRST, search_after: [1_700_000_000_000_123, 'abc'], size: 4, track_total_hits: false });
    expect(() => buildContextBodies({ id: 'a', timeUs: 1, service: 's' }, -1, 0)).toThrow(ValidationError);
  });

  it('reads totals: eq, gte (lower bound), legacy number', () => {
    expect(parseTotal({ value: 25, relation: 'eq' }, 0)).toEqual({ total: 25, totalIsLowerBound: false });
    expect(parseTotal({ value: 10_000, relation: 'gte' }, 0)).toEqual({ total: 10_000, totalIsLowerBound: true });
    expect(parseTotal(7, 0)).toEqual({ total: 7, totalIsLowerBound: false });
    expect(parseTotal(undefined, 3)).toEqual({ total: 3, totalIsLowerBound: false });
  });
});

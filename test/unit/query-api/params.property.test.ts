import * as fc from 'fast-check';
import { ValidationError } from '../../../core/errors';
import { encodeLogCursor } from '../../../query-api/log-cursor';
import {
  limit,
  MAX_DURATION_US,
  MAX_TIME_MS,
  MAX_TIME_US,
  MIN_TIME_US,
  optionalCursor,
  optionalDurationUs,
  optionalEnum,
  optionalNumber,
  optionalString,
  optionalTimeUs,
  pathName,
  spanIdParam,
  stringList,
  timeWindow,
  traceIdParam,
  type Query,
} from '../../../query-api/params';

/**
 * Whatever the query string parser ('extended': strings, arrays, nested
 * objects) hands over, a parameter reader returns a value within its bounds or
 * throws a ValidationError naming the parameter: never another error.
 */
const RUNS = 1000;

const numeric = fc.oneof(
  fc.integer().map(String),
  fc.double().map(String),
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
  fc.integer({ min: -10, max: MAX_TIME_MS + 10 }).map(String),
  fc.stringMatching(/^[0-9]{1,25}(\.[0-9]{0,8})?$/),
  fc.constantFrom('NaN', 'Infinity', '-0', '0x1f', '1e3', ' 12 ', '', '٣', '1_000'),
);
const dateText = fc.oneof(
  fc.date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.stringMatching(/^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?)?(Z|[+-][0-9]{2}:[0-9]{2})?$/),
);
const durationText = fc.oneof(fc.stringMatching(/^[0-9]{1,22}(ms|s|m|h|d)$/), fc.constantFrom('auto', '0s', ' 5m', '1w', '-1s'));
const scalar = fc.oneof(fc.string({ maxLength: 40 }), numeric, dateText, durationText, fc.string({ minLength: 1000, maxLength: 1100 }));
/** One parameter value as qs produces it: a string, a repeated parameter (array) or a bracketed one (object). */
const paramValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: scalar, weight: 6 },
  { arbitrary: fc.array(scalar, { maxLength: 20 }), weight: 1 },
  { arbitrary: fc.dictionary(fc.string({ maxLength: 5 }), scalar, { maxKeys: 3 }), weight: 1 },
  { arbitrary: fc.constant(undefined), weight: 1 },
);
const NAMES = ['start', 'end', 'interval', 'limit', 'n', 'cursor', 'sort', 'attr', 'q', 'traceId', 'spanId', 'service'] as const;
const query: fc.Arbitrary<Query> = fc.record(Object.fromEntries(NAMES.map((n) => [n, paramValue])) as Record<(typeof NAMES)[number], fc.Arbitrary<unknown>>, { requiredKeys: [] });

/** The reader's value, or undefined when it refused with a ValidationError naming `name`. */
function readOrRefuse<T>(name: string, read: () => T): T | undefined {
  try {
    return read();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).parameter).toBe(name);
    return undefined;
  }
}

describe('query parameter readers (property)', () => {
  it('times: whole µs between 1970 and 2200, or a 400 naming the parameter', () => {
    fc.assert(
      fc.property(query, (q) => {
        const t = readOrRefuse('end', () => optionalTimeUs(q, 'end'));
        if (t !== undefined) {
          expect(Number.isSafeInteger(t)).toBe(true);
          expect(t).toBeGreaterThanOrEqual(MIN_TIME_US);
          expect(t).toBeLessThanOrEqual(MAX_TIME_US);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('every epoch ms and ISO time inside the range is accepted as itself', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_TIME_MS }), (ms) => {
        expect(optionalTimeUs({ t: String(ms) }, 't')).toBe(ms * 1000);
        expect(optionalTimeUs({ t: new Date(ms).toISOString() }, 't')).toBe(ms * 1000);
      }),
      { numRuns: RUNS },
    );
  });

  it('a time window never has its start after its end', () => {
    fc.assert(
      fc.property(query, (q) => {
        let w: ReturnType<typeof timeWindow> | undefined;
        try {
          w = timeWindow(q);
        } catch (err) {
          expect(err).toBeInstanceOf(ValidationError);
          expect(['start', 'end']).toContain((err as ValidationError).parameter);
        }
        if (w?.startUs !== undefined && w.endUs !== undefined) expect(w.startUs).toBeLessThanOrEqual(w.endUs);
      }),
      { numRuns: RUNS },
    );
  });

  it('durations: whole µs from 1 ms to the maximum', () => {
    fc.assert(
      fc.property(query, (q) => {
        const d = readOrRefuse('interval', () => optionalDurationUs(q, 'interval'));
        if (d !== undefined) {
          expect(Number.isSafeInteger(d)).toBe(true);
          expect(d).toBeGreaterThanOrEqual(1000);
          expect(d).toBeLessThanOrEqual(MAX_DURATION_US);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('limits and numbers stay within their bounds', () => {
    fc.assert(
      fc.property(query, fc.integer({ min: 1, max: 10_000 }), (q, max) => {
        const l = readOrRefuse('limit', () => limit(q, 'limit', 1, max));
        if (l !== undefined) expect(Number.isInteger(l) && l >= 1 && l <= max).toBe(true);
        const n = readOrRefuse('n', () => optionalNumber(q, 'n', -5, max));
        if (n !== undefined) expect(Number.isFinite(n) && n >= -5 && n <= max).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('strings, lists, enums, ids and cursors: bounded or refused', () => {
    fc.assert(
      fc.property(query, (q) => {
        const s = readOrRefuse('service', () => optionalString(q, 'service'));
        if (s !== undefined) expect(s.length).toBeLessThanOrEqual(1024);
        const list = readOrRefuse('attr', () => stringList(q, 'attr', 16));
        if (list !== undefined) expect(list.length).toBeLessThanOrEqual(16);
        const sort = readOrRefuse('sort', () => optionalEnum(q, 'sort', ['time_desc', 'time_asc'] as const, 'time_desc'));
        if (sort !== undefined) expect(['time_desc', 'time_asc']).toContain(sort);
        const c = readOrRefuse('cursor', () => optionalCursor(q));
        if (c !== undefined) expect(Number.isSafeInteger(c.timeUs) && typeof c.id === 'string').toBe(true);
        const t = readOrRefuse('traceId', () => traceIdParam(q.traceId));
        if (t !== undefined) expect(t).toMatch(/^[0-9a-f]{32}$/);
        const sp = readOrRefuse('spanId', () => spanIdParam(q.spanId));
        if (sp !== undefined) expect(sp).toMatch(/^[0-9a-f]{16}$/);
        readOrRefuse('service', () => pathName(q.service, 'service'));
      }),
      { numRuns: RUNS },
    );
  });

  it('a cursor this API wrote reads back as itself', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), fc.string({ maxLength: 100 }), (timeUs, id) => {
        const cursor = encodeLogCursor({ timeUs, id });
        fc.pre(cursor.length <= 1024);
        expect(optionalCursor({ cursor })).toEqual({ timeUs, id });
      }),
      { numRuns: RUNS },
    );
  });
});

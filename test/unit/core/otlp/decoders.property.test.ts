import * as fc from 'fast-check';
import { ValidationError } from '../../../../core/errors';
import {
  decodeLogsRequestJson,
  decodeLogsRequestProto,
  decodeTraceRequestJson,
  decodeTraceRequestProto,
  encodeLogsRequestProto,
  encodeTraceRequestProto,
} from '../../../../core/otlp';
import type { DecodeOutcome } from '../../../../core/otlp';
import { modelLogs, modelSpans } from './model-fixtures';
import { mutated } from './mutated-bytes';

/**
 * Whatever arrives on the receiver's port, each decoder returns a result or
 * throws a ValidationError (→ 400), never anything else, and in bounded time.
 */
const RUNS = 1000;
/** Per call; a 4 KiB input decodes in well under a millisecond, so this only catches runaway loops. */
const MAX_MS_PER_CALL = 500;

function decodesOrRefuses<T extends DecodeOutcome>(decode: () => T, items: (r: T) => unknown[]): void {
  const started = performance.now();
  let result: T | undefined;
  try {
    result = decode();
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
  }
  expect(performance.now() - started).toBeLessThan(MAX_MS_PER_CALL);
  if (result === undefined) return;
  expect(Number.isInteger(result.rejected) && result.rejected >= 0).toBe(true);
  expect(Number.isInteger(result.truncated) && result.truncated >= 0).toBe(true);
  expect(Array.isArray(items(result))).toBe(true);
}

const traceBytes = encodeTraceRequestProto(modelSpans());
const logBytes = encodeLogsRequestProto(modelLogs());

const noise = fc.uint8Array({ maxLength: 4096 });

/** JSON shaped like an OTLP request at the envelope, anything at the leaves. */
const leaf = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom('4bf92f3577b34da6a3ce929d0e0e4736', '00f067aa0ba902b7', 'S/kvNXezTaajzpKdDg5HNg==', '1700000000000000000', '18446744073709551615', '-1', ''),
  fc.bigInt({ min: 0n, max: 2n ** 70n }).map((n) => n.toString()),
  fc.double(),
);
const hostileValue: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ stringValue: leaf }, { requiredKeys: [] }),
    fc.record({ intValue: leaf, boolValue: leaf, doubleValue: leaf, bytesValue: leaf }, { requiredKeys: [] }),
    fc.record({ arrayValue: fc.record({ values: fc.array(tie('v'), { maxLength: 4 }) }) }),
    fc.record({ kvlistValue: fc.record({ values: fc.array(fc.record({ key: leaf, value: tie('v') }), { maxLength: 4 }) }) }),
    leaf,
  ),
})).v;
/** Mostly well-formed, sometimes anything: so that some items survive validation and reach the deeper code. */
const mostly = (good: fc.Arbitrary<unknown>) => fc.oneof({ arbitrary: good, weight: 4 }, { arbitrary: leaf, weight: 1 });
const traceId = mostly(fc.constantFrom('4bf92f3577b34da6a3ce929d0e0e4736', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'));
const spanId = mostly(fc.constantFrom('00f067aa0ba902b7', 'bbbbbbbbbbbbbbbb'));
const nanos = mostly(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((n) => n.toString()));
const anyValue = fc.oneof({ arbitrary: fc.record({ stringValue: fc.string() }), weight: 4 }, { arbitrary: fc.record({ intValue: nanos }), weight: 1 }, { arbitrary: hostileValue, weight: 1 });
const attributes = mostly(fc.array(fc.record({ key: mostly(fc.string({ maxLength: 12 })), value: anyValue }, { requiredKeys: [] }), { maxLength: 5 }));
// resource and scope problems refuse the whole request, so they are well-formed most of the time; items get the hostile values
const resource = mostly(fc.record({ attributes: mostly(fc.array(fc.record({ key: fc.string({ maxLength: 12 }), value: mostly(fc.record({ stringValue: fc.string() })) }), { maxLength: 3 })) }, { requiredKeys: [] }));
const scopeName = mostly(fc.string({ maxLength: 12 }));
const spanJson = fc.record(
  {
    traceId,
    spanId,
    parentSpanId: mostly(fc.constantFrom('', '00f067aa0ba902b7')),
    name: mostly(fc.string()),
    kind: mostly(fc.integer({ min: 0, max: 5 })),
    startTimeUnixNano: nanos,
    endTimeUnixNano: nanos,
    attributes,
    events: mostly(fc.array(fc.record({ name: mostly(fc.string()), timeUnixNano: nanos, attributes }, { requiredKeys: [] }), { maxLength: 3 })),
    links: mostly(fc.array(fc.record({ traceId, spanId, attributes }, { requiredKeys: [] }), { maxLength: 3 })),
    status: mostly(fc.record({ code: mostly(fc.integer({ min: 0, max: 2 })), message: mostly(fc.string()) }, { requiredKeys: [] })),
  },
  { requiredKeys: ['traceId', 'spanId', 'startTimeUnixNano', 'endTimeUnixNano'] },
);
const logJson = fc.record(
  {
    timeUnixNano: nanos,
    observedTimeUnixNano: nanos,
    severityNumber: mostly(fc.integer({ min: 0, max: 24 })),
    severityText: mostly(fc.string()),
    body: anyValue,
    attributes,
    traceId,
    spanId,
    flags: mostly(fc.nat()),
  },
  { requiredKeys: [] },
);
const scopeSpans = fc.record({ scope: mostly(fc.record({ name: scopeName, version: scopeName }, { requiredKeys: [] })), spans: mostly(fc.array(spanJson, { minLength: 1, maxLength: 4 })) }, { requiredKeys: [] });
const traceRequestJson = fc.record({
  resourceSpans: mostly(fc.array(fc.record({ resource, scopeSpans: mostly(fc.array(scopeSpans, { minLength: 1, maxLength: 3 })) }, { requiredKeys: [] }), { minLength: 1, maxLength: 3 })),
});
const scopeLogs = fc.record({ scope: mostly(fc.record({ name: scopeName }, { requiredKeys: [] })), logRecords: mostly(fc.array(logJson, { minLength: 1, maxLength: 4 })) }, { requiredKeys: [] });
const logsRequestJson = fc.record({
  resourceLogs: mostly(fc.array(fc.record({ resource, scopeLogs: mostly(fc.array(scopeLogs, { minLength: 1, maxLength: 3 })) }, { requiredKeys: [] }), { minLength: 1, maxLength: 3 })),
});

describe('OTLP decoders on arbitrary input (property)', () => {
  it('protobuf traces: noise and mutated valid requests decode or are refused with a ValidationError', () => {
    fc.assert(fc.property(fc.oneof(noise, mutated(traceBytes)), (bytes) => decodesOrRefuses(() => decodeTraceRequestProto(bytes), (r) => r.spans)), { numRuns: RUNS });
  });

  it('protobuf logs: noise and mutated valid requests decode or are refused with a ValidationError', () => {
    fc.assert(fc.property(fc.oneof(noise, mutated(logBytes)), (bytes) => decodesOrRefuses(() => decodeLogsRequestProto(bytes), (r) => r.logs)), { numRuns: RUNS });
  });

  it('JSON traces: any text, any JSON and OTLP-shaped JSON with hostile leaves', () => {
    const body = fc.oneof(fc.string({ maxLength: 200 }), fc.json({ maxDepth: 4 }), traceRequestJson.map((o) => JSON.stringify(o)), traceRequestJson as fc.Arbitrary<unknown>);
    fc.assert(fc.property(body, (b) => decodesOrRefuses(() => decodeTraceRequestJson(b), (r) => r.spans)), { numRuns: RUNS });
  });

  it('JSON logs: any text, any JSON and OTLP-shaped JSON with hostile leaves', () => {
    const body = fc.oneof(fc.string({ maxLength: 200 }), fc.json({ maxDepth: 4 }), logsRequestJson.map((o) => JSON.stringify(o)), logsRequestJson as fc.Arbitrary<unknown>);
    fc.assert(fc.property(body, (b) => decodesOrRefuses(() => decodeLogsRequestJson(b), (r) => r.logs)), { numRuns: RUNS });
  });

  it('the generators reach past the envelope: some inputs decode items, some are refused', () => {
    const outcomes = (inputs: unknown[], decode: (x: never) => { spans?: unknown[]; logs?: unknown[] }) => {
      let items = 0;
      let refused = 0;
      for (const input of inputs) {
        try {
          const r = decode(input as never);
          if ((r.spans ?? r.logs ?? []).length > 0) items++;
        } catch {
          refused++;
        }
      }
      return { items, refused };
    };
    for (const [name, o] of [
      // seeded: a sanity check of the generators' reach, the same samples every run (unseeded, 1 run in a
      // few hundred drew 200 JSON trace requests none of which held a decodable span)
      ['proto traces', outcomes(fc.sample(mutated(traceBytes), { numRuns: 200, seed: 7 }), decodeTraceRequestProto)],
      ['proto logs', outcomes(fc.sample(mutated(logBytes), { numRuns: 200, seed: 7 }), decodeLogsRequestProto)],
      ['json traces', outcomes(fc.sample(traceRequestJson, { numRuns: 200, seed: 7 }), decodeTraceRequestJson)],
      ['json logs', outcomes(fc.sample(logsRequestJson, { numRuns: 200, seed: 7 }), decodeLogsRequestJson)],
    ] as const) {
      expect({ name, decodedSome: o.items > 0, refusedSome: o.refused > 0 }).toEqual({ name, decodedSome: true, refusedSome: true });
    }
  });

  it('decodes the unmutated fixtures whole (the mutation base is a real request)', () => {
    expect(decodeTraceRequestProto(traceBytes).spans).toHaveLength(modelSpans().length);
    expect(decodeLogsRequestProto(logBytes).logs).toHaveLength(modelLogs().length);
  });
});

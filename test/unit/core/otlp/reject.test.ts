import { ValidationError } from '../../../../core/errors';
import {
  decodeLogsRequestJson,
  decodeLogsRequestProto,
  decodeTraceRequestJson,
  decodeTraceRequestProto,
  encodeLogsRequestProto,
  encodeTraceRequestProto,
  MAX_REJECT_REASONS,
} from '../../../../core/otlp';
import { modelSpans } from './model-fixtures';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const generated = require('@opentelemetry/otlp-transformer/build/src/generated/root.js');
const TraceRequest = generated.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

const GOOD_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const GOOD_SPAN = '00f067aa0ba902b7';
const hex = (h: string) => Buffer.from(h, 'hex');

function protoRequest(spans: object[]): Uint8Array {
  return TraceRequest.encode(
    TraceRequest.fromObject({
      resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] }, scopeSpans: [{ spans }] }],
    }),
  ).finish();
}

function protoSpan(traceId: Buffer, spanId: Buffer, extra: object = {}) {
  return { traceId, spanId, name: 'op', startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000001000000', ...extra };
}

function jsonRequest(spans: object[]): string {
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans }] }] });
}

function jsonSpan(traceId: unknown, spanId: unknown, extra: object = {}) {
  return { traceId, spanId, name: 'op', startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000001000000', ...extra };
}

describe('per-span validation (partial rejection)', () => {
  test('protobuf: bad ids are rejected with reasons, good spans kept', () => {
    const result = decodeTraceRequestProto(
      protoRequest([
        protoSpan(hex(GOOD_TRACE), hex(GOOD_SPAN)),
        protoSpan(Buffer.alloc(16), hex(GOOD_SPAN)),
        protoSpan(hex(GOOD_TRACE), hex('0102030405')),
        protoSpan(hex(GOOD_TRACE), hex(GOOD_SPAN), { parentSpanId: hex('010203') }),
        protoSpan(hex(GOOD_TRACE), Buffer.alloc(8)),
        protoSpan(Buffer.alloc(0), hex(GOOD_SPAN)),
        protoSpan(hex(GOOD_TRACE), hex('1111111111111111'), { parentSpanId: Buffer.alloc(8) }),
      ]),
    );
    expect(result.spans.map((s) => [s.spanId, s.parentSpanId])).toEqual([
      [GOOD_SPAN, ''],
      ['1111111111111111', ''], // an all-zero parent id means "root"
    ]);
    expect(result.rejected).toBe(5);
    expect(result.rejectReasons).toEqual([
      'trace id is all zeros',
      'span id must be 8 bytes, got 5',
      'parent span id must be empty or 8 bytes, got 3',
      'span id is all zeros',
      'trace id must be 16 bytes, got 0',
    ]);
  });

  test('JSON: bad ids are rejected with reasons, good spans kept', () => {
    const result = decodeTraceRequestJson(
      jsonRequest([
        jsonSpan(GOOD_TRACE.toUpperCase(), GOOD_SPAN),
        jsonSpan('0'.repeat(32), GOOD_SPAN),
        jsonSpan(GOOD_TRACE, '0102030405'),
        jsonSpan(Buffer.from(GOOD_TRACE, 'hex').toString('base64'), GOOD_SPAN),
        jsonSpan(GOOD_TRACE, 'zz'.repeat(8)),
        jsonSpan(GOOD_TRACE, GOOD_SPAN, { name: 42 }),
      ]),
    );
    expect(result.spans).toHaveLength(1);
    expect(result.spans[0].traceId).toBe(GOOD_TRACE);
    expect(result.rejected).toBe(5);
    expect(result.rejectReasons).toEqual([
      'trace id is all zeros',
      'span id must be 16 hex characters, got 10',
      'trace id must be 32 hex characters, got 24',
      'span id is not hex (OTLP/JSON ids are hex, not base64)',
      'span name must be a string',
    ]);
  });

  test('reasons are distinct and bounded; the count is not', () => {
    const spans = [];
    for (let len = 1; len <= 7; len++) for (let i = 0; i < 3; i++) spans.push(protoSpan(hex(GOOD_TRACE), Buffer.alloc(len, 1)));
    const result = decodeTraceRequestProto(protoRequest(spans));
    expect(result.rejected).toBe(21);
    expect(result.rejectReasons).toHaveLength(MAX_REJECT_REASONS);
    expect(new Set(result.rejectReasons).size).toBe(MAX_REJECT_REASONS);
  });

  test('end before start: kept with duration 0', () => {
    const proto = decodeTraceRequestProto(
      protoRequest([protoSpan(hex(GOOD_TRACE), hex(GOOD_SPAN), { startTimeUnixNano: '2000000', endTimeUnixNano: '1000000' })]),
    );
    expect(proto.spans[0]).toMatchObject({ startUs: 2000, durationUs: 0 });
    const json = decodeTraceRequestJson(jsonRequest([jsonSpan(GOOD_TRACE, GOOD_SPAN, { startTimeUnixNano: '2000000', endTimeUnixNano: '0' })]));
    expect(json.spans[0]).toMatchObject({ startUs: 2000, durationUs: 0 });
  });

  test('links with unusable ids are dropped (counted), the span kept', () => {
    const result = decodeTraceRequestProto(
      protoRequest([
        protoSpan(hex(GOOD_TRACE), hex(GOOD_SPAN), {
          links: [{ traceId: hex(GOOD_TRACE), spanId: hex('aaaaaaaaaaaaaaaa') }, { traceId: Buffer.alloc(16), spanId: hex(GOOD_SPAN) }, { traceId: hex('01') }],
        }),
      ]),
    );
    expect(result.spans[0].links).toEqual([{ traceId: GOOD_TRACE, spanId: 'aaaaaaaaaaaaaaaa', attributes: {} }]);
    expect(result.truncated).toBe(2);
    expect(result.modified).toBe(true);
  });

  test('logs: wrong-length ids and missing timestamps are rejected; all-zero ids mean none', () => {
    const log = (extra: object) => ({ timeUnixNano: '1700000000000000000', body: { stringValue: 'x' }, ...extra });
    const body = {
      resourceLogs: [
        {
          scopeLogs: [
            {
              logRecords: [
                log({}),
                log({ traceId: 'ab'.repeat(8) }),
                log({ spanId: 'ab'.repeat(3) }),
                log({ traceId: '0'.repeat(32), spanId: '0'.repeat(16) }),
                log({ timeUnixNano: '0' }),
                log({ timeUnixNano: '0', observedTimeUnixNano: '1700000000000005000' }),
              ],
            },
          ],
        },
      ],
    };
    const json = decodeLogsRequestJson(body);
    expect(json.logs.map((l) => [l.timeUs, l.traceId, l.spanId])).toEqual([
      [1700000000000000, '', ''],
      [1700000000000000, '', ''],
      [1700000000000005, '', ''],
    ]);
    expect(json.rejected).toBe(3);
    expect(json.rejectReasons).toEqual([
      'log trace id must be 32 hex characters, got 16',
      'log span id must be 16 hex characters, got 6',
      'log record has no timestamp (time_unix_nano and observed_time_unix_nano are 0)',
    ]);
    // The same records through protobuf give the same outcome (ids as raw bytes).
    const reencoded = decodeLogsRequestProto(encodeLogsRequestProto(json.logs));
    expect(reencoded.logs).toEqual(json.logs);
  });

  test('logs in protobuf: a 5-byte trace id rejects the record', () => {
    // LogRecord{trace_id(9) = 5 bytes, time(1)}, in ScopeLogs(2) in ResourceLogs(2) in request(1).
    const record = Buffer.concat([Buffer.from([0x4a, 5, 1, 2, 3, 4, 5, 0x09]), Buffer.alloc(8, 1)]);
    const scopeLogs = Buffer.concat([Buffer.from([0x12, record.length]), record]);
    const resourceLogs = Buffer.concat([Buffer.from([0x12, scopeLogs.length]), scopeLogs]);
    const request = Buffer.concat([Buffer.from([0x0a, resourceLogs.length]), resourceLogs]);
    const result = decodeLogsRequestProto(request);
    expect(result.logs).toEqual([]);
    expect(result.rejected).toBe(1);
    expect(result.rejectReasons).toEqual(['log trace id must be empty or 16 bytes, got 5']);
  });
});

describe('undecodable bodies throw ValidationError', () => {
  const valid = encodeTraceRequestProto(modelSpans().slice(0, 1));

  test('every truncation of a valid protobuf request', () => {
    for (let n = 1; n < valid.length; n++) {
      expect(() => decodeTraceRequestProto(valid.subarray(0, n))).toThrow(ValidationError);
    }
  });

  test('specific malformed protobuf', () => {
    const cases = [
      [0x0a, 0xff, 0x01], // length past the end
      [0x0b, 0x0c], // group wire type
      [0x0f], // wire type 7
      [0x00], // field number 0
      [0x0a, 0x02, 0x12, 0x05], // inner length overruns the outer message
      [0x0a, 0x80], // truncated varint
    ];
    for (const bytes of cases) {
      expect(() => decodeTraceRequestProto(Uint8Array.from(bytes))).toThrow(ValidationError);
      expect(() => decodeLogsRequestProto(Uint8Array.from(bytes))).toThrow(ValidationError);
    }
    expect(() => decodeTraceRequestProto('not bytes' as unknown as Uint8Array)).toThrow(ValidationError);
  });

  test('random bytes never throw anything but ValidationError', () => {
    let seed = 7;
    const next = () => (seed = (seed * 1664525 + 1013904223) >>> 0) & 0xff;
    let refused = 0;
    for (let i = 0; i < 500; i++) {
      const bytes = new Uint8Array(1 + (i % 200));
      for (let j = 0; j < bytes.length; j++) bytes[j] = next();
      for (const decode of [decodeTraceRequestProto, decodeLogsRequestProto]) {
        try {
          decode(bytes);
        } catch (err) {
          expect(err).toBeInstanceOf(ValidationError);
          refused++;
        }
      }
    }
    expect(refused).toBeGreaterThan(900);
  });

  test('invalid JSON and wrong shapes', () => {
    const bad: unknown[] = [
      '{"resourceSpans": [',
      'not json',
      '[]',
      '[{"resourceSpans": []}]',
      'null',
      '"text"',
      '42',
      null,
      7,
      '{"resourceSpans": "x"}',
      '{"resourceSpans": [5]}',
      '{"resourceSpans": [{"scopeSpans": {}}]}',
      '{"resourceSpans": [{"scopeSpans": [{"spans": 1}]}]}',
      '{"resourceSpans": [{"resource": []}]}',
      '{"resourceSpans": [{"resource": {"attributes": [{"key": 1}]}}]}',
      '{"resourceSpans": [{"scopeSpans": [{"scope": "x"}]}]}',
    ];
    for (const body of bad) expect(() => decodeTraceRequestJson(body)).toThrow(ValidationError);
    for (const body of ['[]', '{"resourceLogs": {}}', 'nope']) expect(() => decodeLogsRequestJson(body)).toThrow(ValidationError);
    expect(() => decodeTraceRequestJson('[]')).toThrow('ExportTraceServiceRequest must be a JSON object, got an array');
  });

  test('an empty object is an empty request', () => {
    expect(decodeTraceRequestJson('{}')).toEqual({ spans: [], rejected: 0, rejectReasons: [], truncated: 0, modified: false });
    expect(decodeLogsRequestJson({}).logs).toEqual([]);
  });

  test('wrong types inside a span reject that span only', () => {
    const result = decodeTraceRequestJson(
      jsonRequest([
        jsonSpan(GOOD_TRACE, GOOD_SPAN),
        jsonSpan(GOOD_TRACE, GOOD_SPAN, { attributes: 'x' }),
        jsonSpan(GOOD_TRACE, GOOD_SPAN, { attributes: [{ key: 'a', value: { intValue: 'twelve' } }] }),
        jsonSpan(GOOD_TRACE, GOOD_SPAN, { startTimeUnixNano: '-1' }),
        jsonSpan(GOOD_TRACE, GOOD_SPAN, { events: [{ timeUnixNano: {} }] }),
        'not a span',
      ]),
    );
    expect(result.spans).toHaveLength(1);
    expect(result.rejected).toBe(5);
    expect(result.rejectReasons).toEqual([
      'attributes must be an array',
      'intValue must be an integer or a decimal string',
      'startTimeUnixNano must be a uint64 (decimal string or number)',
      'event timeUnixNano must be a uint64 (decimal string or number)',
      'span must be an object',
    ]);
  });
});

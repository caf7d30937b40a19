import {
  decodeLogsRequestJson,
  decodeLogsRequestProto,
  decodeTraceRequestJson,
  decodeTraceRequestProto,
  encodeLogsRequestProto,
  encodeTraceRequestProto,
  validateTraceRequestProto,
} from '../../../../core/otlp';
import { modelSpans } from './model-fixtures';

/** The last µs a JS number holds exactly, and the first it does not (the year 2255). */
const LAST_EXACT_US = 2 ** 53 - 1;
const FIRST_INEXACT_US = 2 ** 53;
/** 10875926879456918 µs, as the fuzz test sent it; a JS number reads …916. */
const FUZZ_NANOS = '10875926879456918000';
const REASON = 'before the year 2255 (2^53 µs)';

function spansWithFirst(change: (span: ReturnType<typeof modelSpans>[number]) => void) {
  const spans = modelSpans();
  change(spans[0]);
  return spans;
}

function jsonRequest(span: object): object {
  return { resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans: [span] }] }] };
}

function jsonSpan(extra: object): object {
  return { traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), name: 'op', startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000001000000', ...extra };
}

describe('times past 2^53 µs are refused, not stored as another time', () => {
  it('protobuf spans: the last exact µs is kept exactly; the first inexact one rejects the span, and the receiver check does not count it', () => {
    const atLimit = spansWithFirst((s) => {
      s.startUs = LAST_EXACT_US - 10;
      s.durationUs = 10;
    });
    const kept = decodeTraceRequestProto(encodeTraceRequestProto(atLimit));
    expect(kept.rejected).toBe(0);
    expect([kept.spans[0].startUs, kept.spans[0].durationUs]).toEqual([LAST_EXACT_US - 10, 10]);
    expect(validateTraceRequestProto(encodeTraceRequestProto(atLimit))).toBe(atLimit.length);

    for (const change of [
      (s: (typeof atLimit)[number]) => (s.startUs = FIRST_INEXACT_US),
      (s: (typeof atLimit)[number]) => (s.durationUs = FIRST_INEXACT_US - s.startUs),
    ]) {
      const bytes = encodeTraceRequestProto(spansWithFirst(change));
      const decoded = decodeTraceRequestProto(bytes);
      expect(decoded.rejected).toBe(1);
      expect(decoded.spans).toHaveLength(atLimit.length - 1);
      expect(decoded.rejectReasons).toEqual([`startTimeUnixNano and endTimeUnixNano must be ${REASON}`]);
      // the receiver decodes such a request to learn what is wrong instead of forwarding its bytes
      expect(validateTraceRequestProto(bytes)).toBeNull();
    }
  });

  it('protobuf spans: an event past 2^53 µs rejects its span', () => {
    const spans = spansWithFirst((s) => {
      s.events = [{ timeUs: FIRST_INEXACT_US + 2, name: 'late', attributes: {} }];
    });
    const bytes = encodeTraceRequestProto(spans);
    const decoded = decodeTraceRequestProto(bytes);
    expect(decoded.rejectReasons).toEqual([`event timeUnixNano must be ${REASON}`]);
    expect(decoded.spans.map((s) => s.spanId)).not.toContain(spans[0].spanId);
    expect(validateTraceRequestProto(bytes)).toBeNull();
  });

  it('JSON spans and events alike', () => {
    const start = decodeTraceRequestJson(jsonRequest(jsonSpan({ startTimeUnixNano: FUZZ_NANOS, endTimeUnixNano: FUZZ_NANOS })));
    expect([start.spans.length, start.rejectReasons]).toEqual([0, [`startTimeUnixNano and endTimeUnixNano must be ${REASON}`]]);
    const event = decodeTraceRequestJson(jsonRequest(jsonSpan({ events: [{ timeUnixNano: FUZZ_NANOS, name: 'late' }] })));
    expect([event.spans.length, event.rejectReasons]).toEqual([0, [`event timeUnixNano must be ${REASON}`]]);
    const exact = decodeTraceRequestJson(jsonRequest(jsonSpan({ startTimeUnixNano: `${LAST_EXACT_US}000`, endTimeUnixNano: `${LAST_EXACT_US}999` })));
    expect([exact.rejected, exact.spans[0].startUs, exact.spans[0].durationUs]).toEqual([0, LAST_EXACT_US, 0]);
  });

  it('log records in JSON and protobuf', () => {
    const body = (timeUnixNano: string, observedTimeUnixNano = '0') => ({
      resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano, observedTimeUnixNano, body: { stringValue: 'x' } }] }] }],
    });
    for (const [time, observed] of [
      [FUZZ_NANOS, '0'],
      ['1700000000000000000', FUZZ_NANOS],
    ]) {
      const json = decodeLogsRequestJson(body(time, observed));
      expect([json.logs.length, json.rejectReasons]).toEqual([0, [`log record time_unix_nano and observed_time_unix_nano must be ${REASON}`]]);
    }
    const exact = decodeLogsRequestJson(body(`${LAST_EXACT_US}000`));
    expect(exact.logs.map((l) => l.timeUs)).toEqual([LAST_EXACT_US]);
    const inexact = { ...exact.logs[0], timeUs: FIRST_INEXACT_US };
    const proto = decodeLogsRequestProto(encodeLogsRequestProto([exact.logs[0], inexact]));
    expect(proto.logs.map((l) => l.timeUs)).toEqual([LAST_EXACT_US]);
    expect(proto.rejected).toBe(1);
  });
});

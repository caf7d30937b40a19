import { decodeLogsRequestJson, decodeLogsRequestProto, decodeTraceRequestJson, encodeLogsRequestProto } from '../../../../core/otlp';

const TRACE = '4BF92F3577B34DA6A3CE929D0E0E4736';
const SPAN = '00F067AA0BA902B7';

describe('OTLP/JSON specifics', () => {
  test('uppercase hex ids, snake_case names, enum names, numeric times', () => {
    const result = decodeTraceRequestJson({
      resource_spans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { string_value: 'orders' } }] },
          scope_spans: [
            {
              scope: { name: 'lib', version: '1' },
              spans: [
                {
                  trace_id: TRACE,
                  span_id: SPAN,
                  parent_span_id: 'AAAAAAAAAAAAAAAA',
                  name: 'op',
                  kind: 'SPAN_KIND_SERVER',
                  start_time_unix_nano: 1700000000000000,
                  end_time_unix_nano: '1700000000005000999',
                  status: { code: 'STATUS_CODE_ERROR', message: 'bad' },
                  attributes: [
                    { key: 'i', value: { int_value: '123' } },
                    { key: 'huge', value: { intValue: '9007199254740993' } },
                    { key: 'n', value: { intValue: -7 } },
                    { key: 'd', value: { double_value: 1.25 } },
                    { key: 'nan', value: { doubleValue: 'NaN' } },
                    { key: 'inf', value: { doubleValue: '-Infinity' } },
                    { key: 'b', value: { bool_value: true } },
                    { key: 'bytes', value: { bytes_value: 'AQID-g' } }, // URL-safe, unpadded
                    { key: 'arr', value: { array_value: { values: [{ stringValue: 'x' }, {}] } } },
                    { key: 'kv', value: { kvlist_value: { values: [{ key: 'k', value: { intValue: 1 } }] } } },
                    { key: 'empty', value: {} },
                    { key: '__proto__', value: { stringValue: 'not a prototype' } },
                  ],
                  events: [{ time_unix_nano: '1700000000001000000', name: 'e', attributes: [] }],
                  links: [{ trace_id: TRACE, span_id: 'BBBBBBBBBBBBBBBB' }],
                },
              ],
            },
          ],
        },
      ],
    });
    expect(result.rejected).toBe(0);
    const [span] = result.spans;
    expect(span).toMatchObject({
      traceId: TRACE.toLowerCase(),
      spanId: SPAN.toLowerCase(),
      parentSpanId: 'aaaaaaaaaaaaaaaa',
      service: 'orders',
      kind: 'server',
      startUs: 1700000000000,
      durationUs: 1700000000005000 - 1700000000000,
      status: { code: 'error', message: 'bad' },
      scope: { name: 'lib', version: '1' },
      events: [{ timeUs: 1700000000001000, name: 'e', attributes: {} }],
      links: [{ traceId: TRACE.toLowerCase(), spanId: 'bbbbbbbbbbbbbbbb', attributes: {} }],
    });
    expect(span.attributes).toEqual({
      i: 123,
      huge: '9007199254740993',
      n: -7,
      d: 1.25,
      nan: NaN,
      inf: -Infinity,
      b: true,
      bytes: 'AQID+g==',
      arr: ['x', null],
      kv: { k: 1 },
      empty: null,
      ['__proto__']: 'not a prototype',
    });
    expect(Object.getPrototypeOf(span.attributes)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(span.attributes, '__proto__')).toBe(true);
  });

  test('kind and status as integers (and unknown values)', () => {
    const span = (kind: unknown, code: unknown) => ({ traceId: TRACE, spanId: SPAN, kind, status: { code } });
    const result = decodeTraceRequestJson({
      resourceSpans: [{ scopeSpans: [{ spans: [span(3, 2), span(5, 1), span(99, 7), span('SPAN_KIND_PRODUCER', 'STATUS_CODE_OK'), span(undefined, undefined)] }] }],
    });
    expect(result.spans.map((s) => [s.kind, s.status.code])).toEqual([
      ['client', 'error'],
      ['consumer', 'ok'],
      ['unspecified', 'unset'],
      ['producer', 'ok'],
      ['unspecified', 'unset'],
    ]);
    expect(result.spans[0].service).toBe('unknown_service');
  });

  test('legacy instrumentationLibrarySpans is accepted', () => {
    const result = decodeTraceRequestJson({
      resourceSpans: [{ instrumentationLibrarySpans: [{ instrumentationLibrary: { name: 'old' }, spans: [{ traceId: TRACE, spanId: SPAN }] }] }],
    });
    expect(result.spans[0].scope).toEqual({ name: 'old', version: '' });
  });

  test('logs: severity as number, numeric string or enum name; text derived when absent', () => {
    const rec = (severityNumber: unknown, severityText?: string) => ({ timeUnixNano: '1000', severityNumber, severityText, body: { stringValue: 'x' } });
    const result = decodeLogsRequestJson({
      resourceLogs: [
        {
          scopeLogs: [
            {
              logRecords: [
                rec(1),
                rec('SEVERITY_NUMBER_DEBUG3'),
                rec('SEVERITY_NUMBER_INFO'),
                rec('13'),
                rec(18, 'err'),
                rec(24),
                rec(0),
                rec(99),
                rec('SEVERITY_NUMBER_BOGUS'),
              ],
            },
          ],
        },
      ],
    });
    expect(result.logs.map((l) => [l.severityNumber, l.severityText])).toEqual([
      [1, 'TRACE'],
      [7, 'DEBUG'],
      [9, 'INFO'],
      [13, 'WARN'],
      [18, 'err'],
      [24, 'FATAL'],
      [0, ''],
      [0, ''],
      [0, ''],
    ]);
    expect(result.truncated).toBe(2); // the two out-of-range severities
  });

  test('log bodies: strings as-is, other values as JSON, absent as empty', () => {
    const rec = (body: unknown) => ({ observedTimeUnixNano: '5000', body });
    const result = decodeLogsRequestJson({
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
          scopeLogs: [
            {
              logRecords: [
                rec({ stringValue: 'plain text' }),
                rec({ kvlistValue: { values: [{ key: 'a', value: { intValue: '1' } }, { key: 'b', value: { arrayValue: { values: [{ boolValue: false }] } } }] } }),
                rec({ doubleValue: 2.5 }),
                rec(undefined),
              ],
            },
          ],
        },
      ],
    });
    expect(result.logs.map((l) => l.body)).toEqual(['plain text', '{"a":1,"b":[false]}', '2.5', '']);
    expect(result.logs.every((l) => l.timeUs === 5 && l.observedTimeUs === 5 && l.service === 'svc')).toBe(true);
  });
});

describe('a severity text without a number', () => {
  const texts = ['warn', 'Error', 'E', 'FATAL', 'notice', '17', 'loud', ''];
  const expected = [
    [13, 'warn'],
    [17, 'Error'],
    [17, 'E'],
    [21, 'FATAL'],
    [10, 'notice'],
    [17, '17'],
    [0, 'loud'],
    [0, ''],
  ];

  test('gets the number the OTel log data model maps it to (JSON); the text stays as sent', () => {
    const result = decodeLogsRequestJson({
      resourceLogs: [{ scopeLogs: [{ logRecords: texts.map((severityText) => ({ timeUnixNano: '1000', severityText, body: { stringValue: 'x' } })) }] }],
    });
    expect(result.logs.map((l) => [l.severityNumber, l.severityText])).toEqual(expected);
  });

  test('the same through protobuf, and a number that is sent wins over the text', () => {
    const base = { timeUs: 1, observedTimeUs: 1, service: 'svc', body: 'x', traceId: '', spanId: '', attributes: {}, resource: { 'service.name': 'svc' }, scope: { name: '', version: '' } };
    const logs = [...texts.map((severityText, i) => ({ ...base, id: String(i), severityText, severityNumber: 0 })), { ...base, id: 'n', severityText: 'error', severityNumber: 9 }];
    const decoded = decodeLogsRequestProto(encodeLogsRequestProto(logs));
    expect(decoded.logs.map((l) => [l.severityNumber, l.severityText])).toEqual([...expected, [9, 'error']]);
  });
});

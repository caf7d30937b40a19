import { decodeZipkinJson } from '../../../../collector/zipkin/decode-zipkin-json';
import { ValidationError } from '../../../../core/errors';

const TRACE = '463ac35c9f6413ad48485a3953bb6124';
const T0 = 1_700_000_000_123_456;

function span(overrides: Record<string, unknown> = {}) {
  return {
    traceId: TRACE,
    id: 'a2fb4a1d1a96d312',
    name: 'get /api',
    timestamp: T0,
    duration: 2_500,
    localEndpoint: { serviceName: 'frontend' },
    ...overrides,
  };
}

const decode = (spans: unknown) => decodeZipkinJson(Buffer.from(JSON.stringify(spans)));

/** The refusal of a body (a string is sent as it is, anything else as JSON). */
function refusal(body: unknown): ValidationError {
  try {
    decodeZipkinJson(Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)));
  } catch (err) {
    if (err instanceof ValidationError) return err;
    throw err;
  }
  throw new Error('expected a ValidationError');
}

describe('Zipkin v2 JSON → model spans (OpenTelemetry Zipkin translation)', () => {
  it('maps ids, name, times and the local service', () => {
    const [s] = decode([span({ parentId: '0020000000000001' })]);
    expect(s).toMatchObject({
      traceId: TRACE,
      spanId: 'a2fb4a1d1a96d312',
      parentSpanId: '0020000000000001',
      name: 'get /api',
      service: 'frontend',
      resource: { 'service.name': 'frontend' },
      startUs: T0,
      durationUs: 2_500,
      kind: 'unspecified',
      status: { code: 'unset', message: '' },
    });
  });

  it.each([
    ['CLIENT', 'client'],
    ['SERVER', 'server'],
    ['PRODUCER', 'producer'],
    ['CONSUMER', 'consumer'],
  ])('kind %s → %s', (zipkinKind, kind) => {
    expect(decode([span({ kind: zipkinKind })])[0].kind).toBe(kind);
  });

  it('takes the kind from a span.kind tag when the span has none, consuming the tag', () => {
    const [s] = decode([span({ tags: { 'span.kind': 'internal', other: 'x' } })]);
    expect(s.kind).toBe('internal');
    expect(s.attributes).toEqual({ other: 'x' });
  });

  it('left-pads 64-bit trace ids and short span ids, lowercases hex', () => {
    const [s] = decode([span({ traceId: '48485A3953BB6124', id: 'abc', parentId: '1' })]);
    expect(s.traceId).toBe('000000000000000048485a3953bb6124');
    expect(s.spanId).toBe('0000000000000abc');
    expect(s.parentSpanId).toBe('0000000000000001');
  });

  it('maps endpoints to net.host.*, peer.service and net.peer.*', () => {
    const [s] = decode([
      span({
        kind: 'CLIENT',
        localEndpoint: { serviceName: 'frontend', ipv4: '10.0.0.1', port: 8080 },
        remoteEndpoint: { serviceName: 'inventory', ipv6: '::1', port: 9000 },
      }),
    ]);
    expect(s.attributes).toEqual({
      'net.host.ip': '10.0.0.1',
      'net.host.port': 8080,
      'peer.service': 'inventory',
      'net.peer.ip': '::1',
      'net.peer.port': 9000,
    });
  });

  it('maps annotations to events and tags to string attributes', () => {
    const [s] = decode([span({ annotations: [{ timestamp: T0 + 10, value: 'cache miss' }], tags: { 'http.status_code': '200', retries: 2, cached: false } })]);
    expect(s.events).toEqual([{ timeUs: T0 + 10, name: 'cache miss', attributes: {} }]);
    expect(s.attributes).toEqual({ 'http.status_code': '200', retries: '2', cached: 'false' });
  });

  it('an error tag makes the status ERROR with its value as message; otel.status_* tags win and are consumed', () => {
    expect(decode([span({ tags: { error: 'out of stock' } })])[0]).toMatchObject({ status: { code: 'error', message: 'out of stock' }, attributes: {} });
    expect(decode([span({ tags: { 'otel.status_code': 'ERROR', error: 'timeout' } })])[0].status).toEqual({ code: 'error', message: 'timeout' });
    expect(decode([span({ tags: { 'otel.status_code': 'OK' } })])[0]).toMatchObject({ status: { code: 'ok', message: '' }, attributes: {} });
  });

  it('takes the scope from otel.scope.name / otel.library.name tags', () => {
    expect(decode([span({ tags: { 'otel.scope.name': 'http', 'otel.scope.version': '1.2' } })])[0]).toMatchObject({ scope: { name: 'http', version: '1.2' }, attributes: {} });
    expect(decode([span({ tags: { 'otel.library.name': 'db' } })])[0].scope).toEqual({ name: 'db', version: '' });
  });

  it('gives a shared server span its own stable id under the client span that shares its id', () => {
    const client = span({ kind: 'CLIENT', parentId: '00000000000000f1' });
    const server = span({ kind: 'SERVER', parentId: '00000000000000f1', shared: true, localEndpoint: { serviceName: 'backend' } });
    const [c, s] = decode([client, server]);
    expect(c.spanId).toBe('a2fb4a1d1a96d312');
    expect(s.parentSpanId).toBe('a2fb4a1d1a96d312');
    expect(s.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(s.spanId).not.toBe(c.spanId);
    expect(decode([server])[0].spanId).toBe(s.spanId);
    expect(s.service).toBe('backend');
  });

  it('groups spans of several services into their own resources', () => {
    const spans = decode([span(), span({ id: '01', localEndpoint: { serviceName: 'backend' } }), span({ id: '02', localEndpoint: undefined })]);
    expect(spans.map((s) => s.service)).toEqual(['frontend', 'backend', 'unknown_service']);
  });

  it('moves tags named like resource attributes to the resource, one resource per distinct set', () => {
    const spans = decode([span({ tags: { 'host.name': 'web-1', 'telemetry.sdk.language': 'nodejs', 'http.route': '/a' } }), span({ id: '03', tags: { 'host.name': 'web-2' } })]);
    expect(spans[0].resource).toEqual({ 'service.name': 'frontend', 'host.name': 'web-1', 'telemetry.sdk.language': 'nodejs' });
    expect(spans[0].attributes).toEqual({ 'http.route': '/a' });
    expect(spans[1].resource).toEqual({ 'service.name': 'frontend', 'host.name': 'web-2' });
  });

  it('keeps a span that ends at 2^53 − 1 µs exactly', () => {
    const [s] = decode([span({ timestamp: 2 ** 53 - 11, duration: 10 })]);
    expect(s.startUs + s.durationUs).toBe(2 ** 53 - 1);
  });

  it('applies the OTLP input limits (long tag values cut)', () => {
    const [s] = decodeZipkinJson(Buffer.from(JSON.stringify([span({ tags: { big: 'x'.repeat(100) } })])), { maxAttributeValueLength: 10 });
    expect((s.attributes.big as string).length).toBe(10);
  });

  it.each([
    ['not JSON', '{', /not valid JSON/],
    ['not a list', { traceId: TRACE }, /JSON array of spans/],
    ['a span that is not an object', [1], /span\[0\] must be an object/],
    ['no trace id', [span({ traceId: undefined })], /span\[0\]\.traceId is required/],
    ['a trace id too long', [span({ traceId: TRACE + '0' })], /span\[0\]\.traceId must be 1 to 32 hex/],
    ['a span id not hex', [span(), span({ id: 'xyz' })], /span\[1\]\.id must be 1 to 16 hex/],
    ['an all-zero span id', [span({ id: '0000000000000000' })], /span\[0\]\.id is all zeros/],
    ['no timestamp', [span({ timestamp: undefined })], /span\[0\]\.timestamp must be epoch microseconds.*missing/],
    ['a fractional timestamp', [span({ timestamp: 1.5 })], /span\[0\]\.timestamp/],
    ['a negative duration', [span({ duration: -1 })], /span\[0\]\.duration must be microseconds/],
    ['an unknown kind', [span({ kind: 'SIDEWAYS' })], /span\[0\]\.kind must be CLIENT, SERVER/],
    ['an object tag', [span({ tags: { a: { b: 1 } } })], /span\[0\]\.tags\["a"\] must be a string/],
    ['a bad port', [span({ remoteEndpoint: { port: 70000 } })], /span\[0\]\.remoteEndpoint\.port/],
    ['an annotation without timestamp', [span({ annotations: [{ value: 'x' }] })], /span\[0\]\.annotations\[0\]\.timestamp/],
    ['a span ending past 2^53 µs (the year 2255)', [span({ timestamp: 2 ** 53 - 10, duration: 10 })], /span\[0\]\.timestamp \+ span\[0\]\.duration \(the span's end\) must be before the year 2255/],
  ])('refuses %s with a message naming it', (_what, body, message) => {
    const err = refusal(body);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toMatch(message);
  });
});

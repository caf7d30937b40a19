import type { Span } from '../../../../core/model';
import { jaegerTraceId, toJaegerTrace } from '../../../../query-api/jaeger/jaeger-format';

const TRACE = '0000000000000000463ac35c9f6413ad';

function span(overrides: Partial<Span>): Span {
  return {
    traceId: TRACE,
    spanId: '00000000000000a1',
    parentSpanId: '',
    service: 'web',
    name: 'GET /',
    kind: 'server',
    startUs: 1_700_000_000_000_000,
    durationUs: 1_500,
    status: { code: 'unset', message: '' },
    attributes: {},
    resource: { 'service.name': 'web', 'host.name': 'h1' },
    events: [],
    links: [],
    scope: { name: '', version: '' },
    ...overrides,
  };
}

describe('model spans → Jaeger JSON', () => {
  it('prints a 64-bit trace id as Jaeger does (16 hex digits)', () => {
    expect(jaegerTraceId(TRACE)).toBe('463ac35c9f6413ad');
    expect(jaegerTraceId('5b8aa5a2d2c872e8321cf37308d69df2')).toBe('5b8aa5a2d2c872e8321cf37308d69df2');
  });

  it('types tags, adds kind, status and scope tags, makes logs and references', () => {
    const trace = toJaegerTrace(TRACE, [
      span({
        spanId: '00000000000000b2',
        parentSpanId: '00000000000000a1',
        kind: 'client',
        attributes: { s: 'x', b: true, i: 3, f: 0.5, arr: [1, 'a'], nil: null },
        status: { code: 'error', message: 'boom' },
        scope: { name: 'lib', version: '1.0' },
        events: [{ timeUs: 1_700_000_000_000_100, name: 'retry', attributes: { attempt: 2 } }],
        links: [{ traceId: '5b8aa5a2d2c872e8321cf37308d69df2', spanId: '00000000000000c3', attributes: {} }],
      }),
    ]);
    const [s] = trace.spans;
    expect(s.references).toEqual([
      { refType: 'CHILD_OF', traceID: '463ac35c9f6413ad', spanID: '00000000000000a1' },
      { refType: 'FOLLOWS_FROM', traceID: '5b8aa5a2d2c872e8321cf37308d69df2', spanID: '00000000000000c3' },
    ]);
    expect(s.tags).toEqual([
      { key: 's', type: 'string', value: 'x' },
      { key: 'b', type: 'bool', value: true },
      { key: 'i', type: 'int64', value: 3 },
      { key: 'f', type: 'float64', value: 0.5 },
      { key: 'arr', type: 'string', value: '[1,"a"]' },
      { key: 'nil', type: 'string', value: '' },
      { key: 'otel.scope.name', type: 'string', value: 'lib' },
      { key: 'otel.scope.version', type: 'string', value: '1.0' },
      { key: 'span.kind', type: 'string', value: 'client' },
      { key: 'otel.status_code', type: 'string', value: 'ERROR' },
      { key: 'error', type: 'bool', value: true },
      { key: 'otel.status_description', type: 'string', value: 'boom' },
    ]);
    expect(s.logs).toEqual([{ timestamp: 1_700_000_000_000_100, fields: [{ key: 'event', type: 'string', value: 'retry' }, { key: 'attempt', type: 'int64', value: 2 }] }]);
  });

  it('one process per distinct resource, numbered in order; no span.kind tag for unspecified', () => {
    const trace = toJaegerTrace(TRACE, [
      span({}),
      span({ spanId: '00000000000000b2', kind: 'unspecified' }),
      span({ spanId: '00000000000000c3', service: 'db', resource: { 'service.name': 'db' } }),
    ]);
    expect(trace.spans.map((s) => s.processID)).toEqual(['p1', 'p1', 'p2']);
    expect(trace.processes).toEqual({
      p1: { serviceName: 'web', tags: [{ key: 'host.name', type: 'string', value: 'h1' }] },
      p2: { serviceName: 'db', tags: [] },
    });
    expect(trace.spans[1].tags).toEqual([]);
  });
});

import { DEFAULT_JSON_LINES_MAPPING, decodeJsonLines, lookup, resolveJsonLinesMapping } from '../../../../ingest/json-lines/decode';

const decode = (text: string, mapping = DEFAULT_JSON_LINES_MAPPING) => decodeJsonLines(Buffer.from(text), mapping, 1_800_000_000_000_000);

describe('decodeJsonLines', () => {
  it('maps the common shapes (Filebeat/ECS, Vector, Fluent Bit, pino) with the default mapping', () => {
    const lines = [
      JSON.stringify({ '@timestamp': '2026-01-02T10:00:00.123Z', message: 'ecs line', log: { level: 'warn' }, service: { name: 'checkout' }, host: { name: 'node-1' }, trace: { id: '4bf92f3577b34da6a3ce929d0e0e4736' }, span: { id: '00f067aa0ba902b7' }, order: { id: 'ORD-1' } }),
      JSON.stringify({ timestamp: '2026-01-02T10:00:01Z', msg: 'vector line', level: 'ERROR', service: 'payments', host: 'node-2', trace_id: '4BF92F3577B34DA6A3CE929D0E0E4736', span_id: '00F067AA0BA902B7' }),
      JSON.stringify({ date: 1767348002.5, log: 'fluent bit line\n', kubernetes: { container_name: 'cart', namespace_name: 'shop' } }),
      JSON.stringify({ time: 1767348003000, level: 30, msg: 'pino line', hostname: 'node-3', pid: 7 }),
    ].join('\n');
    const { logs, bad } = decode(lines);
    expect(bad).toEqual([]);
    expect(logs).toHaveLength(4);
    expect(logs[0]).toMatchObject({
      timeUs: Date.UTC(2026, 0, 2, 10) * 1000 + 123_000,
      body: 'ecs line',
      severityText: 'WARN',
      severityNumber: 13,
      service: 'checkout',
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      resource: { 'service.name': 'checkout', 'host.name': 'node-1' },
      attributes: { 'order.id': 'ORD-1' },
    });
    expect(logs[0].attributes).not.toHaveProperty('message');
    expect(logs[0].attributes).not.toHaveProperty('log.level');
    expect(logs[1]).toMatchObject({ service: 'payments', severityText: 'ERROR', traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', resource: { 'host.name': 'node-2' } });
    expect(logs[2]).toMatchObject({ service: 'cart', body: 'fluent bit line\n', timeUs: 1767348002_500_000, attributes: { 'kubernetes.namespace_name': 'shop' } });
    expect(logs[3]).toMatchObject({ service: 'unknown_service', severityText: 'INFO', severityNumber: 9, timeUs: 1767348003_000_000, attributes: { pid: 7 }, resource: { 'host.name': 'node-3' } });
  });

  it('keeps good lines and reports bad ones (not JSON, not an object); blank lines and CRLF are fine', () => {
    const { logs, bad } = decode('{"msg":"a"}\r\n\nnot json\n[1,2]\n{"msg":"b"}\n');
    expect(logs.map((l) => l.body)).toEqual(['a', 'b']);
    expect(bad.map((b) => b.line)).toEqual(['not json', '[1,2]']);
    expect(bad[0].reason).toMatch(/not JSON/);
  });

  it('gives the same ids on redelivery, even for lines without a time', () => {
    const text = '{"msg":"no time","service":"s"}\n{"msg":"timed","ts":"2026-01-02T10:00:00Z"}';
    const a = decodeJsonLines(Buffer.from(text), DEFAULT_JSON_LINES_MAPPING, 1);
    const b = decodeJsonLines(Buffer.from(text), DEFAULT_JSON_LINES_MAPPING, 2);
    expect(a.logs.map((l) => l.id)).toEqual(b.logs.map((l) => l.id));
    expect(a.logs[0].timeUs).toBe(1);
    expect(new Set(a.logs.map((l) => l.id)).size).toBe(2);
  });

  it('follows a configured mapping and default service; the whole line is the body when no message field matches', () => {
    const mapping = resolveJsonLinesMapping({ time: ['when'], message: ['text'], level: ['lvl'], service: ['app.id'], defaultService: 'edge' });
    const { logs } = decode('{"when":"2026-01-02 10:00:00","text":"mapped","lvl":"debug","app":{"id":"api"},"message":"stays an attribute"}\n{"other":1}', mapping);
    expect(logs[0]).toMatchObject({ body: 'mapped', severityText: 'DEBUG', service: 'api', timeUs: Date.UTC(2026, 0, 2, 10) * 1000, attributes: { message: 'stays an attribute' } });
    expect(logs[1]).toMatchObject({ body: '{"other":1}', service: 'edge' });
  });

  it('bounds attributes and value lengths', () => {
    const wide = Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`k${i}`, 'x'.repeat(10_000)]));
    const [log] = decode(JSON.stringify(wide)).logs;
    expect(Object.keys(log.attributes).length).toBeLessThanOrEqual(256);
    expect((log.attributes.k0 as string).length).toBe(8192);
  });
});

describe('field helpers', () => {
  it.each([
    [{ 'a.b': 1 }, 'a.b', 1],
    [{ a: { b: 2 } }, 'a.b', 2],
    [{ a: { 'b.c': 3 } }, 'a.b.c', 3],
    [{ 'a.b': { c: 4 } }, 'a.b.c', 4],
    [{ a: 1 }, 'a.b', undefined],
  ])('lookup %j %s', (obj, path, expected) => expect(lookup(obj, path)).toBe(expected));
});

import { decodeLogsRequestProto, encodeLogsRequestProto } from '../../../../core/otlp';
import type { LogRecord } from '../../../../core/model';
import { createParser, parseParserSpec, type ParserSpec } from '../../../../collector/shipper/parsers';
import { buildRecord, type RecordContext } from '../../../../collector/shipper/record-builder';
import {
  boundServiceName,
  MAX_SERVICE_NAME_LENGTH,
  parseServiceRule,
  serviceFromFileName,
  ServiceNamer,
  takeServiceField,
  type ServiceRule,
} from '../../../../collector/shipper/service-name';

describe('serviceFrom rules', () => {
  it.each([
    ['file', { kind: 'file' }],
    ['field:service', { kind: 'field', name: 'service' }],
    ['field:service.name', { kind: 'field', name: 'service.name' }],
    ['field:app name', { kind: 'field', name: 'app name' }],
  ])('reads %s', (value, rule) => {
    expect(parseServiceRule(value)).toEqual(rule);
  });

  it.each([
    ['files', /must be field:<name> or file, got "files"/],
    ['field', /must be field:<name> or file, got "field"/],
    ['field:', /needs a field name after "field:", got "field:"/],
    ['field:  ', /needs a field name/],
    ['FILE', /got "FILE"/],
    ['', /got ""/],
    [`field:${'x'.repeat(300)}`, /longer than 256 characters/],
  ])('refuses %j naming it', (value, message) => {
    expect(() => parseServiceRule(value)).toThrow(message);
  });
});

describe('service name from a file name', () => {
  it.each([
    ['order-api.log', 'order-api'],
    ['order-api.log.1', 'order-api'],
    ['app.log.2024-05-01', 'app'],
    ['app.2024-05-01.log', 'app'],
    ['worker.out', 'worker'],
    ['events.jsonl', 'events'],
    ['com.example.api.log', 'com.example.api'],
    ['nginx', 'nginx'],
    ['Access.LOG', 'Access'],
    ['.log', ''],
    ['.log.1', ''],
  ])('%s -> %j', (file, service) => {
    expect(serviceFromFileName(file)).toBe(service);
  });
});

describe('bounded service names', () => {
  it('trims, and cuts at MAX_SERVICE_NAME_LENGTH without splitting a surrogate pair', () => {
    expect(boundServiceName('  checkout \t')).toBe('checkout');
    expect(boundServiceName('a'.repeat(1000))).toBe('a'.repeat(MAX_SERVICE_NAME_LENGTH));
    const emoji = `${'a'.repeat(MAX_SERVICE_NAME_LENGTH - 1)}😀`; // the pair straddles the limit
    expect(boundServiceName(emoji)).toBe('a'.repeat(MAX_SERVICE_NAME_LENGTH - 1));
  });
});

describe('takeServiceField', () => {
  it('takes a string or a number and removes the field', () => {
    const fields = { service: 'billing', n: 1 };
    expect(takeServiceField(fields, 'service')).toBe('billing');
    expect(fields).toEqual({ n: 1 });
    const numeric = { app: 42 };
    expect(takeServiceField(numeric, 'app')).toBe('42');
    expect(numeric).toEqual({});
  });

  it.each([
    ['missing', {}],
    ['empty', { service: '' }],
    ['blank', { service: '   ' }],
    ['a boolean (a bare logfmt key)', { service: true }],
    ['an object', { service: { name: 'x' } }],
    ['a list', { service: ['a', 'b'] }],
    ['not finite', { service: Infinity }],
  ])('gives nothing and leaves the field alone when it is %s', (_, fields) => {
    const copy = structuredClone(fields);
    expect(takeServiceField(fields as never, 'service')).toBe('');
    expect(fields).toEqual(copy);
  });

  it('reads a dotted name as a literal key first, then as a path into nested objects', () => {
    const literal = { 'service.name': 'lit', service: { name: 'nested' } };
    expect(takeServiceField(literal, 'service.name')).toBe('lit');
    expect(literal).toEqual({ service: { name: 'nested' } });

    const nested = { service: { name: 'cart', version: '1.2' }, other: 1 };
    expect(takeServiceField(nested, 'service.name')).toBe('cart');
    expect(nested).toEqual({ service: { version: '1.2' }, other: 1 });

    const emptied = { service: { name: 'cart' }, other: 1 };
    expect(takeServiceField(emptied, 'service.name')).toBe('cart');
    expect(emptied).toEqual({ other: 1 });

    expect(takeServiceField({ service: 'flat' }, 'service.name')).toBe('');
  });

  it('cuts a long value', () => {
    expect(takeServiceField({ s: 'x'.repeat(5000) }, 's')).toHaveLength(MAX_SERVICE_NAME_LENGTH);
  });
});

describe('ServiceNamer', () => {
  const resource = { 'service.name': 'fallback', 'host.name': 'h1' };

  it('tries the rules in order, then the fixed service', () => {
    const namer = new ServiceNamer([{ kind: 'field', name: 'svc' }, { kind: 'file' }], 'fallback', resource);
    expect(namer.resolve({ svc: 'a' }, 'b.log').service).toBe('a');
    expect(namer.resolve({}, 'b.log').service).toBe('b');
    expect(namer.resolve({}, '.log')).toBe(namer.fallback);
    expect(namer.fallback.resource).toBe(resource);
  });

  it('gives every record of one service the same resource object, with the base attributes', () => {
    const namer = new ServiceNamer([{ kind: 'field', name: 'svc' }], 'fallback', resource);
    const a1 = namer.resolve({ svc: 'a' }, 'x.log');
    const a2 = namer.resolve({ svc: 'a' }, 'y.log');
    expect(a1.resource).toBe(a2.resource);
    expect(a1.resource).toEqual({ 'service.name': 'a', 'host.name': 'h1' });
    expect(namer.resolve({ svc: 'fallback' }, 'x.log')).toBe(namer.fallback);
    // many distinct names: the cache starts over but the answers stay right
    for (let i = 0; i < 2500; i++) expect(namer.resolve({ svc: `s${i}` }, 'x.log').resource['service.name']).toBe(`s${i}`);
  });
});

function context(spec: ParserSpec, rules: ServiceRule[]): RecordContext {
  const resource = { 'service.name': 'fallback', 'host.name': 'h1' };
  return {
    service: 'fallback',
    resource,
    namer: rules.length ? new ServiceNamer(rules, 'fallback', resource) : undefined,
    scope: { name: 'chainscope-shipper', version: '' },
    parser: createParser(spec),
    businessKeys: ['order.id'],
  };
}

describe('buildRecord with serviceFrom', () => {
  const json = context({ kind: 'json' }, [{ kind: 'field', name: 'service' }]);

  it('field: names the record from its field, which is not kept as an attribute', () => {
    const { record } = buildRecord(json, '{"time":"2024-05-01T12:00:00Z","level":"warn","message":"low stock","service":"inventory","order.id":"ORD-1"}', '/l/all.log', 'all.log', 0);
    expect(record.service).toBe('inventory');
    expect(record.resource).toEqual({ 'service.name': 'inventory', 'host.name': 'h1' });
    expect(record.attributes).toEqual({ 'order.id': 'ORD-1', 'log.file.path': '/l/all.log', 'log.file.name': 'all.log', 'log.file.offset': 0 });
    expect(record).toMatchObject({ severityText: 'WARN', body: 'low stock' });
  });

  it('field: falls back to the fixed service, keeping an unusable field as an attribute', () => {
    const missing = buildRecord(json, '{"message":"m"}', '/l/all.log', 'all.log', 0).record;
    expect(missing.service).toBe('fallback');
    expect(missing.resource).toBe(json.resource);
    const object = buildRecord(json, '{"message":"m","service":{"id":7}}', '/l/all.log', 'all.log', 10).record;
    expect(object.service).toBe('fallback');
    expect(object.attributes.service).toEqual({ id: 7 });
    const empty = buildRecord(json, '{"message":"m","service":""}', '/l/all.log', 'all.log', 20).record;
    expect(empty.service).toBe('fallback');
    expect(empty.attributes.service).toBe('');
    const unparsed = buildRecord(json, 'not json at all', '/l/all.log', 'all.log', 30);
    expect(unparsed).toMatchObject({ parsed: false, record: { service: 'fallback' } });
  });

  it('field: works with logfmt and regex named groups', () => {
    const logfmt = context({ kind: 'logfmt' }, [{ kind: 'field', name: 'app' }]);
    const a = buildRecord(logfmt, 'level=info app=payments msg="charged"', '/l/x.log', 'x.log', 0).record;
    expect(a).toMatchObject({ service: 'payments', body: 'charged' });
    expect(a.attributes.app).toBeUndefined();
    // a bare logfmt key is `true`, not a name
    expect(buildRecord(logfmt, 'level=info app msg=x', '/l/x.log', 'x.log', 0).record.service).toBe('fallback');

    const regex = context(parseParserSpec('regex:^(?<svc>[\\w-]+) (?<level>\\w+) (?<message>.*)$'), [{ kind: 'field', name: 'svc' }]);
    const r = buildRecord(regex, 'shipping ERROR label printer offline', '/l/x.log', 'x.log', 0).record;
    expect(r).toMatchObject({ service: 'shipping', severityText: 'ERROR', body: 'label printer offline' });
    expect(r.attributes.svc).toBeUndefined();
  });

  it('file: names the record after the file it was first seen as', () => {
    const byFile = context({ kind: 'plain' }, [{ kind: 'file' }]);
    expect(buildRecord(byFile, '2024-05-01 INFO hi', '/l/order-api.log', 'order-api.log', 0).record.service).toBe('order-api');
    expect(buildRecord(byFile, '2024-05-01 INFO hi', '/l/order-api.log.1', 'order-api.log.1', 0).record.service).toBe('order-api');
    expect(buildRecord(byFile, '2024-05-01 INFO hi', '/l/.log', '.log', 0).record.service).toBe('fallback');
  });

  it('field, then file, then the fixed service', () => {
    const both = context({ kind: 'json' }, [{ kind: 'field', name: 'service' }, { kind: 'file' }]);
    expect(buildRecord(both, '{"service":"a","message":"m"}', '/l/b.log', 'b.log', 0).record.service).toBe('a');
    expect(buildRecord(both, '{"message":"m"}', '/l/b.log', 'b.log', 0).record.service).toBe('b');
    expect(buildRecord(both, 'plain text', '/l/b.log', 'b.log', 0).record.service).toBe('b');
  });

  it('without serviceFrom a service field stays an attribute and the fixed service names the record', () => {
    const fixed = context({ kind: 'json' }, []);
    const { record } = buildRecord(fixed, '{"service":"a","message":"m"}', '/l/b.log', 'b.log', 0);
    expect(record.service).toBe('fallback');
    expect(record.attributes.service).toBe('a');
  });
});

describe('a mixed-service batch through the OTLP encoder', () => {
  it('puts each service in its own resource and decodes every record with its own service', () => {
    const ctx = context({ kind: 'json' }, [{ kind: 'field', name: 'service' }, { kind: 'file' }]);
    const services = ['a', 'b', 'a', '', 'c', 'b', 'a', ''];
    const records: LogRecord[] = services.map((s, i) => {
      const line = JSON.stringify({ time: `2024-05-01T12:00:0${i}Z`, message: `line ${i}`, ...(s ? { service: s } : {}) });
      return buildRecord(ctx, line, '/l/mixed.log', 'mixed.log', i * 100).record;
    });
    const decoded = decodeLogsRequestProto(encodeLogsRequestProto(records));
    expect(decoded.rejected).toBe(0);
    const byBody = new Map(decoded.logs.map((l) => [l.body, l]));
    services.forEach((s, i) => {
      const log = byBody.get(`line ${i}`)!;
      expect(log.service).toBe(s || 'mixed');
      expect(log.resource).toEqual({ 'service.name': s || 'mixed', 'host.name': 'h1' });
      expect(log.attributes.service).toBeUndefined();
    });
    // one resource per service, in first-seen order, records in their order within each
    const order = decoded.logs.map((l) => `${l.service}:${l.body}`);
    expect(order).toEqual(['a:line 0', 'a:line 2', 'a:line 6', 'b:line 1', 'b:line 5', 'mixed:line 3', 'mixed:line 7', 'c:line 4']);
  });
});

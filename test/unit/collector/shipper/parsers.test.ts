import { MultilineJoiner, type RawRecord } from '../../../../collector/shipper/multiline';
import { createParser, parseJsonLine, parseLogfmtLine, parseParserSpec } from '../../../../collector/shipper/parsers';
import { buildRecord } from '../../../../collector/shipper/record-builder';

describe('parsers', () => {
  it('json: body from message/msg, other fields kept, non-JSON kept whole', () => {
    expect(parseJsonLine('{"msg":"hi","level":"warn","n":1}')).toEqual({ body: 'hi', fields: { level: 'warn', n: 1 }, parsed: true });
    expect(parseJsonLine('not json')).toEqual({ body: 'not json', fields: {}, parsed: false });
    expect(parseJsonLine('{"broken":')).toMatchObject({ parsed: false });
    expect(parseJsonLine('{"message":"boom"}\n  at a()\n  at b()').body).toBe('boom\n  at a()\n  at b()');
  });

  it('logfmt: quoted values with escapes, bare keys', () => {
    expect(parseLogfmtLine('level=info msg="hello \\"world\\"" order_id=ORD-1 cached')).toEqual({
      body: 'hello "world"',
      fields: { level: 'info', order_id: 'ORD-1', cached: true },
      parsed: true,
    });
    expect(parseLogfmtLine('just words')).toMatchObject({ parsed: false, body: 'just words' });
  });

  it('regex: named groups become fields, message the body', () => {
    const parse = createParser(parseParserSpec('regex:^(?<time>\\S+ \\S+) (?<level>\\w+) \\[(?<thread>[^\\]]+)\\] (?<message>.*)$'));
    expect(parse('2024-05-01 12:00:00,001 INFO [main] started')).toEqual({
      body: 'started',
      fields: { time: '2024-05-01 12:00:00,001', level: 'INFO', thread: 'main' },
      parsed: true,
    });
    expect(parse('garbage')).toMatchObject({ parsed: false, body: 'garbage' });
  });

  it('rejects bad format specs with a clear message', () => {
    expect(() => parseParserSpec('xml')).toThrow(/json, logfmt, plain or regex/);
    expect(() => parseParserSpec('regex:(')).toThrow(/not a valid regular expression/);
    expect(() => parseParserSpec('regex:^(\\w+)$')).toThrow(/named groups/);
  });
});

describe('multiline joining', () => {
  const lines = ['2024-05-01 ERROR boom', '  at a()', '  at b()', '2024-05-01 INFO next', 'orphan? no: continuation'];

  it('joins continuation lines onto the record a start line opened, with byte offsets', () => {
    const joiner = new MultilineJoiner({ start: /^\d{4}-/, maxLines: 100, maxBytes: 10_000 });
    const out: RawRecord[] = [];
    let offset = 0;
    for (const line of lines) {
      const end = offset + Buffer.byteLength(line) + 1;
      joiner.push(line, offset, end, out);
      offset = end;
    }
    expect(out).toEqual([{ text: lines.slice(0, 3).join('\n'), offset: 0, end: 40 }]);
    expect(joiner.pendingOffset).toBe(40);
    joiner.flush(out);
    expect(out[1]).toEqual({ text: lines.slice(3).join('\n'), offset: 40, end: offset });
  });

  it('cuts records at maxLines and maxBytes', () => {
    const joiner = new MultilineJoiner({ start: /^START/, maxLines: 2, maxBytes: 10_000 });
    const out: RawRecord[] = [];
    ['START', 'a', 'b', 'c'].forEach((l, i) => joiner.push(l, i * 10, i * 10 + 10, out));
    joiner.flush(out);
    expect(out.map((r) => r.text)).toEqual(['START\na', 'b\nc']);
    const bytes = new MultilineJoiner({ start: /^START/, maxLines: 100, maxBytes: 12 });
    const out2: RawRecord[] = [];
    ['START', 'aaaaa', 'bbbbb'].forEach((l, i) => bytes.push(l, i * 10, i * 10 + 10, out2));
    bytes.flush(out2);
    expect(out2.map((r) => r.text)).toEqual(['START\naaaaa', 'bbbbb']);
  });
});

describe('buildRecord', () => {
  const ctx = {
    service: 'checkout',
    resource: { 'service.name': 'checkout' },
    scope: { name: 'chainscope-shipper', version: '' },
    parser: createParser({ kind: 'json' }),
    businessKeys: ['order.id'],
  };

  it('maps time, level, trace context, business keys and the file origin', () => {
    const line = '{"ts":"2024-05-01T12:00:00Z","level":"error","msg":"payment failed","trace_id":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","orderId":"ORD-7"}';
    const { record } = buildRecord(ctx, line, '/var/log/app.log', 'app.log', 1234);
    expect(record).toMatchObject({
      timeUs: Date.parse('2024-05-01T12:00:00Z') * 1000,
      severityText: 'ERROR',
      severityNumber: 17,
      body: 'payment failed',
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      service: 'checkout',
    });
    expect(record.attributes).toEqual({ orderId: 'ORD-7', 'order.id': 'ORD-7', 'log.file.path': '/var/log/app.log', 'log.file.name': 'app.log', 'log.file.offset': 1234 });
  });

  it('leaves time 0 when the text has none (the shipper fills it in deterministically)', () => {
    expect(buildRecord(ctx, '{"msg":"x"}', '/a', 'a', 0).record.timeUs).toBe(0);
  });
});

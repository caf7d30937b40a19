import { Writer } from 'protobufjs/minimal';
import { decodeZipkinJson, decodeZipkinProto } from '../../../../collector/zipkin/decode-zipkin-json';
import { ValidationError } from '../../../../core/errors';

/** Encodes spans as zipkin2's proto3 ListOfSpans (field numbers of zipkin.proto), written here by hand. */
function listOfSpans(spans: Array<Record<string, any>>): Buffer {
  const w = Writer.create();
  for (const s of spans) {
    w.uint32(10).fork();
    w.uint32(10).bytes(Buffer.from(s.traceId, 'hex'));
    if (s.parentId) w.uint32(18).bytes(Buffer.from(s.parentId, 'hex'));
    w.uint32(26).bytes(Buffer.from(s.id, 'hex'));
    if (s.kind) w.uint32(32).int32(['', 'CLIENT', 'SERVER', 'PRODUCER', 'CONSUMER'].indexOf(s.kind));
    if (s.name) w.uint32(42).string(s.name);
    w.uint32(49).fixed64(s.timestamp);
    if (s.duration) w.uint32(56).uint64(s.duration);
    for (const [field, e] of [[8, s.localEndpoint], [9, s.remoteEndpoint]] as const) {
      if (!e) continue;
      w.uint32((field << 3) | 2).fork();
      if (e.serviceName) w.uint32(10).string(e.serviceName);
      if (e.ipv4) w.uint32(18).bytes(Buffer.from(e.ipv4.split('.').map(Number)));
      if (e.ipv6Bytes) w.uint32(26).bytes(e.ipv6Bytes);
      if (e.port) w.uint32(32).int32(e.port);
      w.ldelim();
    }
    for (const a of s.annotations ?? []) w.uint32(82).fork().uint32(9).fixed64(a.timestamp).uint32(18).string(a.value).ldelim();
    for (const [k, v] of Object.entries(s.tags ?? {})) w.uint32(90).fork().uint32(10).string(k).uint32(18).string(v as string).ldelim();
    if (s.shared) w.uint32(104).bool(true);
    w.ldelim();
  }
  return Buffer.from(w.finish());
}

const T0 = 1_700_000_000_123_456;
const ipv6Bytes = Buffer.from('20010db8000000000000000000000001', 'hex');
const spans = [
  {
    traceId: '463ac35c9f6413ad48485a3953bb6124',
    id: 'a2fb4a1d1a96d312',
    parentId: '0020000000000001',
    kind: 'CLIENT',
    name: 'get /inventory',
    timestamp: T0,
    duration: 2_500,
    localEndpoint: { serviceName: 'frontend', ipv4: '10.0.0.1', port: 8080 },
    remoteEndpoint: { serviceName: 'inventory', ipv6Bytes, ipv6: '2001:db8::1', port: 9000 },
    annotations: [{ timestamp: T0 + 10, value: 'ws' }],
    tags: { 'http.path': '/inventory', error: 'timeout' },
  },
  { traceId: '48485a3953bb6124', id: 'a2fb4a1d1a96d312', kind: 'SERVER', name: 'get /inventory', timestamp: T0 + 100, duration: 1_000, shared: true, localEndpoint: { serviceName: 'inventory' } },
];

describe('Zipkin proto3 ListOfSpans', () => {
  it('decodes to the same spans as the same content in JSON', () => {
    const json = spans.map(({ remoteEndpoint, ...s }) => ({ ...s, ...(remoteEndpoint ? { remoteEndpoint: { serviceName: remoteEndpoint.serviceName, ipv6: remoteEndpoint.ipv6, port: remoteEndpoint.port } } : {}) }));
    const fromProto = decodeZipkinProto(listOfSpans(spans));
    expect(fromProto).toEqual(decodeZipkinJson(Buffer.from(JSON.stringify(json))));
    expect(fromProto[0].attributes).toMatchObject({ 'net.host.ip': '10.0.0.1', 'net.peer.ip': '2001:db8::1', 'net.peer.port': 9000, 'http.path': '/inventory' });
    expect(fromProto[0].status).toEqual({ code: 'error', message: 'timeout' });
    expect(fromProto[1]).toMatchObject({ traceId: '000000000000000048485a3953bb6124', parentSpanId: 'a2fb4a1d1a96d312', kind: 'server' });
  });

  it('refuses a body that is not protobuf, and a span the rules refuse, naming them', () => {
    expect(() => decodeZipkinProto(Buffer.from([0x0a, 0xff, 0xff, 0x01]))).toThrow(/not a Zipkin proto3 ListOfSpans/);
    expect(() => decodeZipkinProto(listOfSpans([{ ...spans[1], id: '0000000000000000' }]))).toThrow(ValidationError);
    expect(() => decodeZipkinProto(listOfSpans([{ ...spans[1], id: '0000000000000000' }]))).toThrow(/span\[0\]\.id is all zeros/);
    const badIp = listOfSpans([{ ...spans[1], localEndpoint: { serviceName: 'x', ipv4: '1.2.3' } }]);
    expect(() => decodeZipkinProto(badIp)).toThrow(/ipv4 must be 4 bytes, got 3/);
  });
});

/**
 * OTLP codec throughput: encodes 100k spans (10 attributes each) into requests
 * of 1000 spans, then decodes them, and prints spans/s for both directions
 * (best of several rounds). Also the OTLP/JSON decode rate for the same spans.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/otlp-codec.js
 */
import type { Span } from '../core/model';
import { decodeTraceRequestJson, decodeTraceRequestProto, encodeTraceRequestProto } from '../core/otlp';

const SPANS = 100_000;
const PER_REQUEST = 1000;
const ROUNDS = 5;

function makeSpans(): Span[] {
  const resources = [0, 1, 2, 3].map((i) => ({ 'service.name': `svc-${i}`, 'host.name': `host-${i}`, 'process.pid': 1000 + i }));
  const spans: Span[] = [];
  for (let i = 0; i < SPANS; i++) {
    const r = i % 4;
    spans.push({
      traceId: (i >> 4).toString(16).padStart(32, 'a'),
      spanId: (i + 1).toString(16).padStart(16, '0'),
      parentSpanId: i % 16 === 0 ? '' : (i & ~15).toString(16).padStart(16, '0'),
      service: `svc-${r}`,
      name: `GET /api/orders/{id} ${i % 50}`,
      kind: 'server',
      startUs: 1700000000000000 + i * 10,
      durationUs: 1000 + (i % 777),
      status: { code: i % 97 === 0 ? 'error' : 'unset', message: '' },
      attributes: {
        'http.request.method': 'GET',
        'http.route': '/api/orders/{id}',
        'http.response.status_code': 200,
        'url.full': `https://shop.example.com/api/orders/${i}`,
        'server.address': 'shop.example.com',
        'server.port': 443,
        'order.id': `ORD-${i}`,
        'customer.id': `CUST-${i % 1000}`,
        'net.peer.ip': '10.0.0.1',
        'sampling.ratio': 0.25,
      },
      resource: resources[r],
      events: [],
      links: [],
      scope: { name: '@opentelemetry/instrumentation-http', version: '0.57.0' },
    });
  }
  return spans;
}

function best(label: string, fn: () => void): number {
  let bestMs = Infinity;
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    bestMs = Math.min(bestMs, ms);
  }
  const rate = Math.round(SPANS / (bestMs / 1000));
  console.log(`${label.padEnd(28)} ${rate.toLocaleString('en-US').padStart(12)} spans/s  (best of ${ROUNDS}: ${bestMs.toFixed(1)} ms for ${SPANS.toLocaleString('en-US')} spans)`);
  return rate;
}

function main(): void {
  const spans = makeSpans();
  const batches: Span[][] = [];
  for (let i = 0; i < spans.length; i += PER_REQUEST) batches.push(spans.slice(i, i + PER_REQUEST));

  let requests: Uint8Array[] = [];
  best('encode (protobuf)', () => {
    requests = batches.map((b) => encodeTraceRequestProto(b));
  });
  const bytes = requests.reduce((n, r) => n + r.length, 0);
  console.log(`  ${requests.length} requests, ${(bytes / 1e6).toFixed(1)} MB, ${Math.round(bytes / SPANS)} bytes/span`);

  let decoded = 0;
  best('decode (protobuf)', () => {
    decoded = 0;
    for (const r of requests) decoded += decodeTraceRequestProto(r).spans.length;
  });
  if (decoded !== SPANS) throw new Error(`decoded ${decoded} spans, expected ${SPANS}`);

  // OTLP/JSON bodies for the same spans, as a sender would post them.
  const jsonBodies = requests.map((r) => JSON.stringify(toOtlpJson(decodeTraceRequestProto(r).spans)));
  best('decode (OTLP/JSON, incl. parse)', () => {
    decoded = 0;
    for (const body of jsonBodies) decoded += decodeTraceRequestJson(body).spans.length;
  });
  if (decoded !== SPANS) throw new Error(`decoded ${decoded} JSON spans, expected ${SPANS}`);
}

function toOtlpJson(spans: Span[]) {
  const anyValue = (v: unknown) =>
    typeof v === 'string' ? { stringValue: v } : Number.isInteger(v) ? { intValue: String(v) } : typeof v === 'number' ? { doubleValue: v } : { boolValue: v };
  const byService = new Map<string, Span[]>();
  for (const s of spans) byService.set(s.service, [...(byService.get(s.service) ?? []), s]);
  return {
    resourceSpans: [...byService.values()].map((group) => ({
      resource: { attributes: Object.entries(group[0].resource).map(([key, v]) => ({ key, value: anyValue(v) })) },
      scopeSpans: [
        {
          scope: group[0].scope,
          spans: group.map((s) => ({
            traceId: s.traceId,
            spanId: s.spanId,
            parentSpanId: s.parentSpanId,
            name: s.name,
            kind: 2,
            startTimeUnixNano: `${s.startUs}000`,
            endTimeUnixNano: `${s.startUs + s.durationUs}000`,
            attributes: Object.entries(s.attributes).map(([key, v]) => ({ key, value: anyValue(v) })),
            status: { code: s.status.code === 'error' ? 2 : 0 },
          })),
        },
      ],
    })),
  };
}

main();

import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Reader } from 'protobufjs/minimal';
import { SERVICE_NAMES, startDemo } from '../../../demo';
import { waitFor } from '../../helpers/wait';

// The otlp-transformer package ships a protobufjs static root for the OTLP protos.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const root = require('@opentelemetry/otlp-transformer/build/src/generated/root.js');
const TraceReq = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
const { AnyValue, KeyValue } = root.opentelemetry.proto.common.v1;
const { Resource } = root.opentelemetry.proto.resource.v1;

/**
 * The generated root has no logs protos, so ExportLogsServiceRequest is walked by hand
 * (field numbers from opentelemetry/proto/logs/v1/logs.proto), reusing the common decoders.
 */
interface DecodedLogRecord {
  severityText: string;
  body?: { stringValue?: string };
  attributes: KV[];
  traceId?: Uint8Array;
  spanId?: Uint8Array;
}
function forEachField(buf: Uint8Array, fn: (field: number, r: Reader, wire: number) => boolean): void {
  const r = Reader.create(buf);
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (!fn(tag >>> 3, r, tag & 7)) r.skipType(tag & 7);
  }
}
function decodeLogs(buf: Uint8Array): { service: string; records: DecodedLogRecord[] }[] {
  const out: { service: string; records: DecodedLogRecord[] }[] = [];
  forEachField(buf, (f, r) => {
    if (f !== 1) return false;
    const group = { service: '', records: [] as DecodedLogRecord[] };
    forEachField(r.bytes(), (f2, r2) => {
      if (f2 === 1) {
        group.service = String(attrMap(Resource.decode(r2.bytes()).attributes)['service.name']);
        return true;
      }
      if (f2 !== 2) return false;
      forEachField(r2.bytes(), (f3, r3) => {
        if (f3 !== 2) return false;
        const rec: DecodedLogRecord = { severityText: '', attributes: [] };
        forEachField(r3.bytes(), (f4, r4) => {
          if (f4 === 3) rec.severityText = r4.string();
          else if (f4 === 5) rec.body = AnyValue.decode(r4.bytes());
          else if (f4 === 6) rec.attributes.push(KeyValue.decode(r4.bytes()));
          else if (f4 === 9) rec.traceId = r4.bytes();
          else if (f4 === 10) rec.spanId = r4.bytes();
          else return false;
          return true;
        });
        group.records.push(rec);
        return true;
      });
      return true;
    });
    out.push(group);
    return true;
  });
  return out;
}

interface KV {
  key: string;
  value: { stringValue?: string; intValue?: unknown; boolValue?: boolean; doubleValue?: number };
}
interface DecodedSpan {
  traceId: Uint8Array;
  spanId: Uint8Array;
  name: string;
  kind: number;
  attributes: KV[];
  links: { traceId: Uint8Array; spanId: Uint8Array; attributes: KV[] }[];
  status?: { code?: number };
}
interface FlatSpan {
  service: string;
  traceId: string;
  spanId: string;
  name: string;
  kind: number;
  attrs: Record<string, unknown>;
  links: { traceId: string; spanId: string; attrs: Record<string, unknown> }[];
  statusCode: number;
}
interface FlatLog {
  service: string;
  traceId: string;
  spanId: string;
  severity: string;
  body: string;
  attrs: Record<string, unknown>;
}

const SPAN_KIND = { INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 };
const hex = (b: Uint8Array | undefined) => (b ? Buffer.from(b).toString('hex') : '');
const attrMap = (kvs: KV[] | undefined) => {
  const out: Record<string, unknown> = {};
  for (const kv of kvs ?? []) {
    const v = kv.value ?? {};
    out[kv.key] = v.stringValue ?? (v.intValue != null ? Number(v.intValue) : undefined) ?? v.boolValue ?? v.doubleValue;
  }
  return out;
};

class Collector {
  readonly spans: FlatSpan[] = [];
  readonly logs: FlatLog[] = [];
  readonly requests = { traces: 0, logs: 0, other: 0, bytes: 0, decodeErrors: 0, contentTypes: new Set<string>() };
  private server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const buf = Buffer.concat(chunks);
      this.requests.bytes += buf.length;
      this.requests.contentTypes.add(String(req.headers['content-type']));
      try {
        if (req.url === '/v1/traces') {
          this.requests.traces++;
          this.addTraces(buf);
        } else if (req.url === '/v1/logs') {
          this.requests.logs++;
          this.addLogs(buf);
        } else {
          this.requests.other++;
          res.writeHead(404).end();
          return;
        }
      } catch {
        this.requests.decodeErrors++;
      }
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private addTraces(buf: Buffer): void {
    const msg = TraceReq.decode(buf);
    for (const rs of msg.resourceSpans ?? []) {
      const service = String(attrMap(rs.resource?.attributes)['service.name']);
      for (const ss of rs.scopeSpans ?? []) {
        for (const s of (ss.spans ?? []) as DecodedSpan[]) {
          this.spans.push({
            service,
            traceId: hex(s.traceId),
            spanId: hex(s.spanId),
            name: s.name,
            kind: s.kind,
            attrs: attrMap(s.attributes),
            links: (s.links ?? []).map((l) => ({ traceId: hex(l.traceId), spanId: hex(l.spanId), attrs: attrMap(l.attributes) })),
            statusCode: s.status?.code ?? 0,
          });
        }
      }
    }
  }

  private addLogs(buf: Buffer): void {
    for (const { service, records } of decodeLogs(buf)) {
      for (const l of records) {
        this.logs.push({
          service,
          traceId: hex(l.traceId),
          spanId: hex(l.spanId),
          severity: l.severityText,
          body: String(l.body?.stringValue ?? ''),
          attrs: attrMap(l.attributes),
        });
      }
    }
  }
}

describe('demo order center', () => {
  const collector = new Collector();
  let endpoint = '';
  const lines: string[] = [];

  beforeAll(async () => {
    endpoint = await collector.start();
  });
  afterAll(async () => {
    await collector.stop();
  });

  it('sends real OTLP protobuf traces and logs describing multi-trace order journeys', async () => {
    const demo = await startDemo({ otlpEndpoint: endpoint, ordersPerSecond: 40, logger: (l) => lines.push(l), stopDrainMs: 3500 });
    // Let it run until some orders have gone through all three stages (bounded by a deadline).
    await waitFor(() => demo.stats().jobsCompleted >= 5, 'a completed order journey', 15000, 50);
    await new Promise((r) => setTimeout(r, 500));
    const t0 = Date.now();
    await demo.stop();
    const stopMs = Date.now() - t0;
    expect(stopMs).toBeLessThan(15000);
    await demo.stop(); // idempotent

    // stop() flushed everything: spans/logs must already be here (small grace for the last responses).
    await waitFor(() => collector.spans.length > 0 && collector.logs.length > 0, 'spans and logs', 5000, 50);
    expect(collector.requests.decodeErrors).toBe(0);
    expect(collector.requests.other).toBe(0);
    expect([...collector.requests.contentTypes]).toEqual(['application/x-protobuf']);

    const services = new Set(collector.spans.map((s) => s.service));
    expect(services.size).toBeGreaterThanOrEqual(7);
    for (const name of ['order-api', 'customer', 'product-catalog', 'inventory', 'payment', 'billing', 'notification', 'fulfilment', 'scheduler']) {
      expect(services).toContain(name);
    }

    // Spans carry order.id; entry spans of the intake trace are order-api SERVER roots.
    const withOrder = collector.spans.filter((s) => typeof s.attrs['order.id'] === 'string');
    expect(withOrder.length).toBeGreaterThan(50);
    expect(withOrder.every((s) => /^ORD-\d{8}-\d+$/.test(String(s.attrs['order.id'])))).toBe(true);
    const intake = collector.spans.filter((s) => s.service === 'order-api' && s.kind === SPAN_KIND.SERVER && s.name === 'POST /api/orders');
    expect(intake.length).toBeGreaterThan(5);
    expect(intake.every((s) => s.attrs['order.id'] && s.attrs['customer.id'])).toBe(true);

    // CLIENT spans to other services and to the uninstrumented DB/cache/SMS gateway.
    const clientToPayment = collector.spans.find((s) => s.kind === SPAN_KIND.CLIENT && s.attrs['peer.service'] === 'payment');
    expect(clientToPayment?.attrs).toEqual(
      expect.objectContaining({ 'http.request.method': 'POST', 'server.address': '127.0.0.1', 'http.response.status_code': expect.any(Number) }),
    );
    expect(String(clientToPayment?.attrs['url.full'])).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/payments\/authorize$/);
    const pg = collector.spans.find((s) => s.attrs['db.system'] === 'postgresql');
    expect(pg?.attrs['server.address']).toBe('orders-db');
    expect(String(pg?.attrs['db.statement'])).toMatch(/'/);
    expect(collector.spans.some((s) => s.attrs['db.system'] === 'redis')).toBe(true);
    expect(collector.spans.some((s) => s.kind === SPAN_KIND.CLIENT && s.attrs['peer.service'] === 'sms-gateway')).toBe(true);

    // Server spans are children of the caller's client span (traceparent propagated).
    const byId = new Map(collector.spans.map((s) => [s.spanId, s]));
    const paymentServer = collector.spans.filter((s) => s.service === 'payment' && s.kind === SPAN_KIND.SERVER);
    expect(paymentServer.length).toBeGreaterThan(0);
    expect(paymentServer.some((s) => intake.some((i) => i.traceId === s.traceId))).toBe(true);
    expect(byId.size).toBe(collector.spans.length); // unique span ids

    // Producer / consumer with links and shared message ids.
    const producers = collector.spans.filter((s) => s.kind === SPAN_KIND.PRODUCER);
    const consumers = collector.spans.filter((s) => s.kind === SPAN_KIND.CONSUMER);
    expect(consumers.length).toBeGreaterThan(5);
    for (const c of consumers) {
      expect(c.links).toHaveLength(1);
      const p = byId.get(c.links[0].spanId);
      expect(p).toBeDefined();
      expect(p?.kind).toBe(SPAN_KIND.PRODUCER);
      expect(p?.traceId).toBe(c.links[0].traceId);
      expect(p?.traceId).not.toBe(c.traceId);
      expect(p?.attrs['messaging.message.id']).toBe(c.attrs['messaging.message.id']);
      expect(c.links[0].attrs['messaging.message.id']).toBe(c.attrs['messaging.message.id']);
      expect(c.attrs['messaging.system']).toBe('inproc');
      expect(c.attrs['order.id']).toBe(p?.attrs['order.id']);
    }
    expect(new Set(producers.map((p) => p.attrs['messaging.message.id'])).size).toBe(producers.length);
    expect(consumers.some((c) => c.service === 'fulfilment' && c.attrs['messaging.destination.name'] === 'order-events')).toBe(true);
    expect(consumers.some((c) => c.service === 'scheduler' && c.attrs['messaging.destination.name'] === 'order-jobs')).toBe(true);

    // At least one order spans >= 3 distinct traces.
    const tracesByOrder = new Map<string, Set<string>>();
    for (const s of withOrder) {
      const id = String(s.attrs['order.id']);
      if (!tracesByOrder.has(id)) tracesByOrder.set(id, new Set());
      tracesByOrder.get(id)?.add(s.traceId);
    }
    const fullJourneys = [...tracesByOrder.values()].filter((t) => t.size >= 3);
    expect(fullJourneys.length).toBeGreaterThanOrEqual(5);

    // Logs: emitted inside spans, mention order ids, several severities.
    const withTrace = collector.logs.filter((l) => /^[0-9a-f]{32}$/.test(l.traceId) && !/^0+$/.test(l.traceId));
    expect(withTrace.length).toBeGreaterThan(collector.logs.length * 0.9);
    const spanIds = new Set(collector.spans.map((s) => s.spanId));
    expect(withTrace.filter((l) => spanIds.has(l.spanId)).length).toBeGreaterThan(withTrace.length * 0.9);
    const orderLogs = collector.logs.filter((l) => typeof l.attrs['order.id'] === 'string');
    expect(orderLogs.length).toBeGreaterThan(20);
    expect(orderLogs.every((l) => l.body.includes(String(l.attrs['order.id'])))).toBe(true);
    expect(collector.logs.some((l) => /order ORD-\d{8}-\d+ reserved \d+ items/.test(l.body))).toBe(true);
    const severities = new Set(collector.logs.map((l) => l.severity));
    expect(severities).toContain('INFO');
    expect(severities).toContain('DEBUG');
    expect(new Set(collector.logs.map((l) => l.service)).size).toBeGreaterThanOrEqual(7);

    expect(lines.some((l) => l.startsWith('demo stopped:'))).toBe(true);
  });

  it('with logDir writes every service log as JSON lines with trace context, rotates them, and sends no OTLP logs', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-logs-'));
    const maxBytes = 32 * 1024;
    const logRequestsBefore = collector.requests.logs;
    const spansBefore = collector.spans.length;
    try {
      const demo = await startDemo({ otlpEndpoint: endpoint, ordersPerSecond: 40, logDir: dir, logFileMaxBytes: maxBytes, stopDrainMs: 3500 });
      expect(demo.logFiles).toEqual(SERVICE_NAMES.map((s) => path.join(dir, `${s}.log`)));
      await waitFor(() => demo.stats().jobsCompleted >= 5, 'a completed order journey', 15000, 50);
      await demo.stop();
      const stats = demo.stats();
      expect(stats.logLinesWritten).toBeGreaterThan(100);
      expect(stats.logLinesDropped).toBe(0);
      await waitFor(() => collector.spans.length > spansBefore, 'the last spans', 5000, 50);
      expect(collector.requests.logs).toBe(logRequestsBefore);

      const spanIds = new Set(collector.spans.slice(spansBefore).map((s) => s.spanId));
      const files = fs.readdirSync(dir).sort();
      for (const service of SERVICE_NAMES) expect(files).toContain(`${service}.log`);
      // order-api logs most: past 32 KiB it was renamed to .1, and neither file is over the cap
      expect(files).toContain('order-api.log.1');
      expect(files.every((f) => /^[\w-]+\.log(\.1)?$/.test(f))).toBe(true);
      const lines: Record<string, unknown>[] = [];
      for (const f of files) {
        const text = fs.readFileSync(path.join(dir, f), 'utf8');
        expect(fs.statSync(path.join(dir, f)).size).toBeLessThanOrEqual(maxBytes);
        expect(text.endsWith('\n')).toBe(true);
        for (const l of text.slice(0, -1).split('\n')) {
          const rec = JSON.parse(l) as Record<string, unknown>;
          expect(rec.service).toBe(f.replace(/\.log(\.1)?$/, ''));
          lines.push(rec);
        }
      }
      expect(lines[0]).toEqual(
        expect.objectContaining({ time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/), level: expect.stringMatching(/^(DEBUG|INFO|WARN|ERROR)$/), message: expect.any(String) }),
      );
      const withTrace = lines.filter((l) => /^[0-9a-f]{32}$/.test(String(l.trace_id)) && /^[0-9a-f]{16}$/.test(String(l.span_id)));
      expect(withTrace.length).toBeGreaterThan(lines.length * 0.9);
      expect(withTrace.filter((l) => spanIds.has(String(l.span_id))).length).toBeGreaterThan(withTrace.length * 0.9);
      const withOrder = lines.filter((l) => typeof l['order.id'] === 'string');
      expect(withOrder.length).toBeGreaterThan(100);
      expect(withOrder.every((l) => String(l.message).includes(String(l['order.id'])) && typeof l['customer.id'] === 'string')).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stays bounded and stops cleanly when the endpoint is down', async () => {
    // A port nobody listens on: exports fail, processors drop, nothing throws.
    const dead = http.createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const port = (dead.address() as AddressInfo).port;
    await new Promise<void>((r) => dead.close(() => r()));
    const rejections: unknown[] = [];
    const onRejection = (e: unknown) => rejections.push(e);
    process.on('unhandledRejection', onRejection);
    try {
      const demo = await startDemo({ otlpEndpoint: `http://127.0.0.1:${port}`, ordersPerSecond: 30, stopDrainMs: 500 });
      await waitFor(() => demo.stats().ordersAccepted >= 3, 'some accepted orders', 10000, 50);
      const t0 = Date.now();
      await demo.stop();
      expect(Date.now() - t0).toBeLessThan(10000);
      expect(rejections).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  });

  it('rejects bad options', async () => {
    await expect(startDemo({ otlpEndpoint: 'nope' })).rejects.toThrow(/otlpEndpoint/);
    const notADir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'demo-logs-')), 'a-file');
    fs.writeFileSync(notADir, '');
    await expect(startDemo({ otlpEndpoint: endpoint, logDir: path.join(notADir, 'logs') })).rejects.toThrow(/cannot write demo log files in .*a-file\/logs: ENOTDIR/);
    fs.rmSync(path.dirname(notADir), { recursive: true, force: true });
    await expect(startDemo({ otlpEndpoint: endpoint, logDir: os.tmpdir(), logFileMaxBytes: 10 })).rejects.toThrow(/logFileMaxBytes/);
    await expect(startDemo({ otlpEndpoint: endpoint, ordersPerSecond: 0 })).rejects.toThrow(/ordersPerSecond/);
  });
});

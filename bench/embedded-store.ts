/**
 * Embedded store benchmark (a script, not a test).
 *
 *   npx tsc -p tsconfig.json && node dist/bench/embedded-store.js [spans=1000000] [--dir=/path] [--keep]
 *     [--page-size=16384] [--cache-mib=64] [--mmap-mib=256] [--logs=100000]
 *     [--indexed=order.id,customer.id,business.id] [--tag-search]
 *
 * Writes N realistic spans (20-span traces over 5 services, 10 attributes per
 * span, an order.id business key per trace) in batches of 1,000, then a
 * 1,000-span trace among them, and prints write throughput, getTrace and
 * findTraces latencies, then writes and searches --logs records, and prints
 * the database size. --indexed lists the attribute names the store indexes for
 * tag search (INDEXED_ATTRIBUTES plus the business keys; '*' = all; default
 * the business keys). --tag-search only times trace searches by tag
 * (1-hit business key, 1-hit other attribute, many-hit, no match) after writing.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { SpanBatch } from '../core/contracts/span-store';
import type { Attributes, LogRecord, Span, SpanKind } from '../core/model';
import { openEmbeddedStores } from '../storage/embedded';
import type { EmbeddedLogStore } from '../storage/embedded';

const args = process.argv.slice(2);
const total = Number(args.find((a) => /^\d+$/.test(a)) ?? 1_000_000);
const keep = args.includes('--keep');
const dirArg = args.find((a) => a.startsWith('--dir='))?.slice(6);
const tagSearch = args.includes('--tag-search');
const indexedArg = args.find((a) => a.startsWith('--indexed='))?.slice(10);
const indexedAttributes = indexedArg === undefined ? ['order.id', 'customer.id', 'business.id'] : indexedArg.split(',').filter(Boolean);
const BATCH = 1_000;
const SPANS_PER_TRACE = 20;
/** The trace in the middle of the history, whose tags are searched for. */
const MID_TRACE = Math.floor(total / SPANS_PER_TRACE / 2);
let midTraceId = '';

const SERVICES = ['gateway', 'order-service', 'payment-service', 'inventory-service', 'notification-service'];
const ROUTES = ['/orders', '/orders/{id}', '/payments', '/stock/{sku}', '/notify'];
const resources: Attributes[] = SERVICES.map((s, i) => ({
  'service.name': s,
  'service.version': '1.4.2',
  'host.name': `node-${i}`,
  'process.pid': 1000 + i,
  'telemetry.sdk.language': 'nodejs',
}));

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
let counter = 0;
const t0Us = Date.now() * 1000 - 3_600_000_000;

function makeTraceSpans(n: number, startUs: number): Span[] {
  const traceId = hex(16);
  const orderId = `ORD-${++counter}`;
  if (counter === MID_TRACE) midTraceId = traceId;
  const spans: Span[] = [];
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const svc = i === 0 ? 0 : 1 + ((i - 1) % (SERVICES.length - 1));
    const spanId = hex(8);
    ids.push(spanId);
    const parent = i === 0 ? '' : ids[Math.floor((i - 1) / 3)];
    const kind: SpanKind = i === 0 ? 'server' : i % 3 === 0 ? 'client' : 'internal';
    const status = i % 97 === 5 ? 'error' : 'unset';
    spans.push({
      traceId,
      spanId,
      parentSpanId: parent,
      service: SERVICES[svc],
      name: i === 0 ? 'POST /orders' : `${['GET', 'POST', 'SELECT', 'publish'][i % 4]} ${ROUTES[svc]}#${i % 7}`,
      kind,
      startUs: startUs + i * 150,
      durationUs: i === 0 ? n * 200 : 100 + ((i * 37) % 900),
      status: { code: status, message: status === 'error' ? 'upstream timeout' : '' },
      attributes: {
        'http.method': i % 2 ? 'GET' : 'POST',
        'http.route': ROUTES[svc],
        'http.status_code': status === 'error' ? 503 : 200,
        'net.peer.name': `${SERVICES[(svc + 1) % SERVICES.length]}.svc.cluster.local`,
        'order.id': orderId,
        'customer.id': `CUST-${counter % 5000}`,
        'thread.id': i % 16,
        'request.id': `${traceId.slice(0, 8)}-${i}`,
        'db.statement': i % 4 === 2 ? 'SELECT * FROM stock WHERE sku = ?' : '',
        'retry.count': i % 5,
      },
      resource: resources[svc],
      events: i % 10 === 3 ? [{ timeUs: startUs + i * 150 + 10, name: 'cache.miss', attributes: { key: `k${i}` } }] : [],
      links: [],
      scope: { name: '@opentelemetry/instrumentation-http', version: '0.215.0' },
    });
  }
  return spans;
}

function batchOf(spans: Span[]): SpanBatch {
  return {
    spans,
    businessKeys: spans
      .filter((s) => s.parentSpanId === '')
      .map((s) => ({ key: 'order.id', value: String(s.attributes['order.id']), traceId: s.traceId, timeUs: s.startUs })),
    traceLinks: [],
    messageIds: [],
  };
}

function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
const ms = (ns: bigint) => Number(ns) / 1e6;

async function timeIt(runs: number, fn: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    await fn();
    times.push(ms(process.hrtime.bigint() - t));
  }
  return { p50: pct(times, 50), p95: pct(times, 95) };
}

const WORDS = ['payment', 'order', 'declined', 'accepted', 'timeout', 'retry', 'inventory', 'reserved', 'customer', 'shipped', 'cache', 'miss', 'connection', 'reset', 'user', 'login', 'café', 'Überweisung'];

async function benchLogs(logs: EmbeddedLogStore, n: number): Promise<void> {
  if (n <= 0) return;
  let cpuUs = 0;
  let wallNs = 0n;
  const base = Date.now() * 1000;
  for (let i = 0; i < n; i += BATCH) {
    const records: LogRecord[] = [];
    for (let j = i; j < Math.min(n, i + BATCH); j++) {
      const svc = j % SERVICES.length;
      const words = Array.from({ length: 12 }, (_, k) => WORDS[(j * 7 + k * 13) % WORDS.length]).join(' ');
      records.push({
        id: `bench-log-${j}-${hex(4)}`,
        timeUs: base + j * 100,
        observedTimeUs: base + j * 100 + 5,
        service: SERVICES[svc],
        severityText: j % 50 === 0 ? 'ERROR' : 'INFO',
        severityNumber: j % 50 === 0 ? 17 : 9,
        body: `${words} ORD-${j % 10_000} took ${j % 997} ms`,
        traceId: j % 3 ? hex(16) : '',
        spanId: j % 3 ? hex(8) : '',
        attributes: { 'log.file.name': `${SERVICES[svc]}.log`, 'thread.name': `worker-${j % 8}` },
        resource: resources[svc],
        scope: { name: 'logback', version: '' },
      });
    }
    const t = process.hrtime.bigint();
    const c = process.cpuUsage();
    await logs.writeLogs({ logs: records, businessKeys: [] });
    const cpu = process.cpuUsage(c);
    cpuUs += cpu.user + cpu.system;
    wallNs += process.hrtime.bigint() - t;
  }
  const wallS = Number(wallNs) / 1e9;
  console.log(
    `logs write: ${n.toLocaleString()} records -> ${Math.round(n / wallS).toLocaleString()} logs/s (${Math.round(n / (cpuUs / 1e6)).toLocaleString()} per CPU-second)`,
  );
  const queries: [string, Parameters<EmbeddedLogStore['search']>[0]][] = [
    ['newest 50, no filter', { limit: 50 }],
    ['service + severity ERROR', { service: 'gateway', severity: 'error', limit: 50 }],
    ['text: 2 common terms', { text: { terms: ['payment', 'declined'], phrases: [] }, limit: 50 }],
    ['text: rare term ORD-1234', { text: { terms: ['ORD-1234'], phrases: [] }, limit: 50 }],
    ['text phrase + service', { service: 'gateway', text: { terms: [], phrases: ['retry user'] }, limit: 50 }],
  ];
  for (const [label, q] of queries) {
    const r = await timeIt(20, () => logs.search(q));
    const res = await logs.search(q);
    console.log(`  search ${label.padEnd(30)} p50 ${r.p50.toFixed(2).padStart(7)} ms  p95 ${r.p95.toFixed(2).padStart(7)} ms  (total ${res.total}${res.totalIsLowerBound ? '+' : ''})`);
  }
}

function dirSize(dir: string): number {
  return fs.readdirSync(dir).reduce((sum, f) => sum + fs.statSync(path.join(dir, f)).size, 0);
}

async function main(): Promise<void> {
  const dataDir = dirArg ?? fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-bench-'));
  const num = (name: string) => {
    const v = args.find((a) => a.startsWith(`--${name}=`));
    return v === undefined ? undefined : Number(v.split('=')[1]);
  };
  const { spans: store, logs: logStore } = openEmbeddedStores({
    dataDir,
    pageSize: num('page-size'),
    cacheSizeMiB: num('cache-mib'),
    mmapSizeMiB: num('mmap-mib'),
    indexedAttributes,
  });
  console.log(
    `embedded store bench: ${total.toLocaleString()} spans, batches of ${BATCH}, indexed attributes ${indexedAttributes.join(',') || '(none)'}, dir ${dataDir}`,
  );

  let written = 0;
  let storeNs = 0n;
  let storeCpuUs = 0;
  let pending: Span[] = [];
  let traceStart = t0Us;
  let bigTraceId = '';
  const wallStart = process.hrtime.bigint();
  let lastReport = wallStart;
  while (written < total) {
    if (!bigTraceId && written >= total / 2) {
      const big = makeTraceSpans(1_000, traceStart);
      bigTraceId = big[0].traceId;
      const t = process.hrtime.bigint();
      const c = process.cpuUsage();
      await store.writeSpans(batchOf(big));
      const cpu = process.cpuUsage(c);
      storeCpuUs += cpu.user + cpu.system;
      storeNs += process.hrtime.bigint() - t;
      written += big.length;
    }
    while (pending.length < BATCH) {
      pending.push(...makeTraceSpans(SPANS_PER_TRACE, traceStart));
      traceStart += 3_000; // ~330 traces/s of simulated time
    }
    const batch = batchOf(pending.slice(0, BATCH));
    pending = pending.slice(BATCH);
    const t = process.hrtime.bigint();
    const c = process.cpuUsage();
    await store.writeSpans(batch);
    const cpu = process.cpuUsage(c);
    storeCpuUs += cpu.user + cpu.system;
    const now = process.hrtime.bigint();
    storeNs += now - t;
    written += batch.spans.length;
    if (now - lastReport > 5_000_000_000n) {
      lastReport = now;
      console.log(`  ${written.toLocaleString()} spans, ${Math.round(written / (Number(storeNs) / 1e9)).toLocaleString()} spans/s in store`);
    }
  }
  const wallS = Number(process.hrtime.bigint() - wallStart) / 1e9;
  const storeS = Number(storeNs) / 1e9;
  console.log(`write: ${written.toLocaleString()} spans`);
  console.log(`  store time ${storeS.toFixed(1)} s -> ${Math.round(written / storeS).toLocaleString()} spans/s (writeSpans only)`);
  console.log(`  store CPU  ${(storeCpuUs / 1e6).toFixed(1)} s -> ${Math.round(written / (storeCpuUs / 1e6)).toLocaleString()} spans/s per core (user+sys; the machine may be shared)`);
  console.log(`  wall time  ${wallS.toFixed(1)} s -> ${Math.round(written / wallS).toLocaleString()} spans/s (incl. generating spans)`);

  if (tagSearch) {
    await benchTagSearch(store);
  } else {
    await benchReads(store, bigTraceId, traceStart);
    await benchLogs(logStore, num('logs') ?? 100_000);
  }
  await store.shutdown();
  await logStore.shutdown();
  const bytes = dirSize(dataDir);
  console.log(`database size: ${(bytes / 1024 / 1024).toFixed(1)} MiB (${(bytes / written).toFixed(0)} bytes/span)`);
  if (!keep && !dirArg) fs.rmSync(dataDir, { recursive: true, force: true });
}

type SpanStoreUnderTest = ReturnType<typeof openEmbeddedStores>['spans'];

/** Trace search by tag over the whole history (no window), limit 20, 50 runs each after 3 warm-ups. */
async function benchTagSearch(store: SpanStoreUnderTest): Promise<void> {
  const order = `ORD-${MID_TRACE}`;
  const requestId = `${midTraceId.slice(0, 8)}-7`;
  const tag = (key: string, value: string) => ({ key, value });
  const queries: [string, Parameters<SpanStoreUnderTest['findTraces']>[0]][] = [
    ['order.id, 1 hit (business key)', { attributes: [tag('order.id', order)], limit: 20 }],
    ['order.id + service, 1 hit', { service: 'payment-service', attributes: [tag('order.id', order)], limit: 20 }],
    ['request.id, 1 hit (not a business key)', { attributes: [tag('request.id', requestId)], limit: 20 }],
    ['customer.id + service, ~100 hits', { service: 'inventory-service', attributes: [tag('customer.id', 'CUST-17')], limit: 20 }],
    ['http.status_code=503 + service, many hits', { service: 'inventory-service', attributes: [tag('http.status_code', '503')], limit: 20 }],
    ['order.id, no match', { attributes: [tag('order.id', 'ORD-none')], limit: 20 }],
  ];
  console.log('tag search (findTraces, limit 20, whole history):');
  for (const [label, q] of queries) {
    for (let i = 0; i < 3; i++) await store.findTraces(q);
    const r = await timeIt(50, () => store.findTraces(q));
    const count = (await store.findTraces(q)).length;
    console.log(`  ${label.padEnd(44)} p50 ${r.p50.toFixed(2).padStart(8)} ms  p95 ${r.p95.toFixed(2).padStart(8)} ms  (${count} results)`);
  }
}

async function benchReads(store: SpanStoreUnderTest, bigTraceId: string, traceStart: number): Promise<void> {
  const g = await timeIt(200, () => store.getTrace(bigTraceId));
  const n = (await store.getTrace(bigTraceId)).length;
  console.log(`getTrace (1,000-span trace, got ${n}): p50 ${g.p50.toFixed(2)} ms, p95 ${g.p95.toFixed(2)} ms`);
  const small = (await store.findTraces({ service: 'gateway', limit: 1 }))[0];
  const gs = await timeIt(200, () => store.getTrace(small.traceId));
  console.log(`getTrace (20-span trace): p50 ${gs.p50.toFixed(2)} ms, p95 ${gs.p95.toFixed(2)} ms`);

  const midOrder = `ORD-${MID_TRACE}`;
  const windowEnd = t0Us + Math.floor((traceStart - t0Us) / 2);
  const someOperation = (await store.operations('order-service'))[0];
  const queries: [string, Parameters<typeof store.findTraces>[0]][] = [
    ['newest 20, no filter', { limit: 20 }],
    ['service', { service: 'payment-service', limit: 20 }],
    ['service + operation', { service: 'order-service', operation: someOperation, limit: 20 }],
    ['service + minDuration 4ms', { service: 'gateway', minDurationUs: 4_000, limit: 20 }],
    ['attribute order.id (one trace, mid-history)', { attributes: [{ key: 'order.id', value: midOrder }], limit: 20 }],
    ['attribute http.status_code=503 + service', { service: 'inventory-service', attributes: [{ key: 'http.status_code', value: '503' }], limit: 20 }],
    ['attribute with no match (worst case)', { attributes: [{ key: 'order.id', value: 'ORD-none' }], limit: 20 }],
    ['service + time window (mid-history)', { service: 'gateway', startUs: windowEnd - 60_000_000, endUs: windowEnd, limit: 20 }],
    ['unknown operation (worst case)', { service: 'gateway', operation: 'nope', limit: 20 }],
  ];
  console.log('findTraces (limit 20):');
  for (const [label, q] of queries) {
    const r = await timeIt(20, () => store.findTraces(q));
    const count = (await store.findTraces(q)).length;
    console.log(`  ${label.padEnd(46)} p50 ${r.p50.toFixed(2).padStart(8)} ms  p95 ${r.p95.toFixed(2).padStart(8)} ms  (${count} results)`);
  }
  const bk = await timeIt(200, () => store.tracesByBusinessKey('order.id', midOrder, {}, 10));
  console.log(`tracesByBusinessKey: p50 ${bk.p50.toFixed(3)} ms, p95 ${bk.p95.toFixed(3)} ms`);
  const sv = await timeIt(50, () => store.services());
  const ops = await timeIt(50, () => store.operations('order-service'));
  console.log(`services(): p50 ${sv.p50.toFixed(3)} ms; operations(): p50 ${ops.p50.toFixed(3)} ms`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});

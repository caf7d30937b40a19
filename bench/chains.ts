/**
 * Business-chain benchmark (a script, not a test).
 *
 *   npx tsc -p tsconfig.json && node dist/bench/chains.js [spans=2000000] [--traces-per-order=20]
 *     [--spans-per-trace=10] [--runs=200] [--dir=/path] [--keep]
 *
 * Writes N spans straight into the embedded store (no collector, no bus):
 * orders of --traces-per-order traces each, every trace joined to the next
 * by a messaging id or a span link (alternating), order.id on the first and
 * the middle trace only (so the walk has to follow the joins), one log line
 * per trace. Then times GET-chain assembly (ChainService.chain over the
 * stores: key lookup, walk, summaries, spans, analysis, logs) for random
 * orders, and the slow-chains list (limit 20).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { SpanBatch } from '../core/contracts/span-store';
import type { Attributes, LogRecord, MessageIdEntry, Span, TraceLinkEntry, BusinessKeyEntry } from '../core/model';
import { ChainService } from '../query-api/services/chain-service';
import { openEmbeddedStores } from '../storage/embedded';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const raw = args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  return raw === undefined ? fallback : Number(raw);
};
const total = Number(args.find((a) => /^\d+$/.test(a)) ?? 2_000_000);
const tracesPerOrder = flag('traces-per-order', 20);
const spansPerTrace = flag('spans-per-trace', 10);
const runs = flag('runs', 200);
const keep = args.includes('--keep');
const dirArg = args.find((a) => a.startsWith('--dir='))?.slice(6);

const SERVICES = ['order-api', 'fulfilment', 'inventory', 'billing', 'notification', 'shipping'];
const resources: Attributes[] = SERVICES.map((s, i) => ({ 'service.name': s, 'host.name': `node-${i}`, 'service.version': '2.1.0' }));
const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const orders = Math.max(1, Math.floor(total / (tracesPerOrder * spansPerTrace)));
const baseUs = Date.now() * 1000 - 30 * 60 * 1_000_000;

interface OrderData {
  batch: SpanBatch;
  logs: LogRecord[];
}

function makeOrder(n: number): OrderData {
  const value = `ORD-${n}`;
  const startUs = baseUs + n * 150; // orders 150 µs apart
  const spans: Span[] = [];
  const businessKeys: BusinessKeyEntry[] = [];
  const traceLinks: TraceLinkEntry[] = [];
  const messageIds: MessageIdEntry[] = [];
  const logs: LogRecord[] = [];
  let prev: { traceId: string; lastSpanId: string; endUs: number } | undefined;
  for (let t = 0; t < tracesPerOrder; t++) {
    const traceId = hex(16);
    const svc = t % SERVICES.length;
    const tStart = prev ? prev.endUs + 1_000 + (n % 7) * 10_000 : startUs; // a queue wait between traces
    const rootId = hex(8);
    const byLink = t % 2 === 0;
    const rootDuration = spansPerTrace * 1_000;
    const root: Span = {
      traceId,
      spanId: rootId,
      parentSpanId: '',
      service: SERVICES[svc],
      name: t === 0 ? 'POST /orders' : `stage-${t}`,
      kind: t === 0 ? 'server' : byLink ? 'internal' : 'consumer',
      startUs: tStart,
      durationUs: rootDuration,
      status: { code: 'unset', message: '' },
      attributes: t === 0 || t === tracesPerOrder >> 1 ? { 'order.id': value } : {},
      resource: resources[svc],
      events: [],
      links: prev && byLink ? [{ traceId: prev.traceId, spanId: prev.lastSpanId, attributes: {} }] : [],
      scope: { name: 'bench', version: '1' },
    };
    spans.push(root);
    if (root.attributes['order.id']) businessKeys.push({ key: 'order.id', value, traceId, timeUs: tStart });
    if (prev) {
      if (byLink) {
        traceLinks.push({ fromTraceId: traceId, fromSpanId: rootId, toTraceId: prev.traceId, toSpanId: prev.lastSpanId, kind: 'link', timeUs: tStart });
      } else {
        const messageId = `m-${n}-${t}`;
        messageIds.push({ messageId, traceId: prev.traceId, spanId: prev.lastSpanId, side: 'producer', timeUs: prev.endUs - 500 });
        messageIds.push({ messageId, traceId, spanId: rootId, side: 'consumer', timeUs: tStart });
      }
    }
    let lastSpanId = rootId;
    for (let i = 1; i < spansPerTrace; i++) {
      const spanId = hex(8);
      const last = i === spansPerTrace - 1;
      spans.push({
        traceId,
        spanId,
        parentSpanId: rootId,
        service: SERVICES[(svc + i) % SERVICES.length],
        name: last ? 'publish next' : `step-${i}`,
        kind: last ? 'producer' : 'client',
        startUs: tStart + i * 900,
        durationUs: 800,
        status: i === 3 && n % 50 === 0 ? { code: 'error', message: 'timeout' } : { code: 'unset', message: '' },
        attributes: { 'http.method': 'POST', 'http.status_code': 200, 'peer.service': SERVICES[(svc + i + 1) % SERVICES.length] },
        resource: resources[(svc + i) % SERVICES.length],
        events: [],
        links: [],
        scope: { name: 'bench', version: '1' },
      });
      lastSpanId = spanId;
    }
    logs.push({
      id: `bench-${traceId}`,
      timeUs: tStart + 100,
      observedTimeUs: tStart + 200,
      service: SERVICES[svc],
      severityText: 'INFO',
      severityNumber: 9,
      body: `stage ${t} done for order ${value}`,
      traceId,
      spanId: rootId,
      attributes: {},
      resource: resources[svc],
      scope: { name: 'bench', version: '1' },
    });
    prev = { traceId, lastSpanId, endUs: tStart + rootDuration };
  }
  return { batch: { spans, businessKeys, traceLinks, messageIds }, logs };
}

function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main(): Promise<void> {
  const dir = dirArg ?? fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-bench-chains-'));
  const { spans: spanStore, logs: logStore } = openEmbeddedStores({ dataDir: dir });
  await spanStore.start();
  await logStore.start();
  console.log(`chains bench: ${orders} orders × ${tracesPerOrder} traces × ${spansPerTrace} spans = ${orders * tracesPerOrder * spansPerTrace} spans into ${dir}`);

  const writeStart = process.hrtime.bigint();
  const ordersPerBatch = Math.max(1, Math.floor(5_000 / (tracesPerOrder * spansPerTrace)));
  for (let n = 0; n < orders; n += ordersPerBatch) {
    const group = Array.from({ length: Math.min(ordersPerBatch, orders - n) }, (_, i) => makeOrder(n + i));
    await spanStore.writeSpans({
      spans: group.flatMap((o) => o.batch.spans),
      businessKeys: group.flatMap((o) => o.batch.businessKeys),
      traceLinks: group.flatMap((o) => o.batch.traceLinks),
      messageIds: group.flatMap((o) => o.batch.messageIds),
    });
    await logStore.writeLogs({ logs: group.flatMap((o) => o.logs), businessKeys: [] });
    if ((n / ordersPerBatch) % 200 === 0 && n > 0) process.stdout.write(`  ${n}/${orders} orders\r`);
  }
  const writeS = Number(process.hrtime.bigint() - writeStart) / 1e9;
  const written = orders * tracesPerOrder * spansPerTrace;
  console.log(`wrote ${written} spans and ${orders * tracesPerOrder} logs in ${writeS.toFixed(1)} s (${Math.round(written / writeS)} spans/s)`);

  const service = new ChainService(spanStore, logStore, { maxTraces: 200 });
  const chainTimes: number[] = [];
  let traces = 0;
  for (let i = 0; i < runs; i++) {
    const n = Math.floor(Math.random() * orders);
    const t = process.hrtime.bigint();
    const chain = await service.chain('order.id', `ORD-${n}`, {});
    chainTimes.push(Number(process.hrtime.bigint() - t) / 1e6);
    traces = chain.traceCount;
    if (chain.traceCount !== tracesPerOrder || chain.truncated) throw new Error(`ORD-${n}: ${chain.traceCount} traces, truncated ${chain.truncated}`);
  }
  console.log(`GET chain (${traces} traces, ${traces * spansPerTrace} spans, ${traces} logs), ${runs} random orders: p50 ${pct(chainTimes, 50).toFixed(1)} ms, p95 ${pct(chainTimes, 95).toFixed(1)} ms, max ${Math.max(...chainTimes).toFixed(1)} ms`);

  const slowTimes: number[] = [];
  for (let i = 0; i < 10; i++) {
    const t = process.hrtime.bigint();
    await service.slowest('order.id', { startUs: baseUs, endUs: baseUs + 60 * 1_000_000 }, { limit: 20 });
    slowTimes.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  console.log(`GET chains/slow limit 20, window holding all ${orders} orders: p50 ${pct(slowTimes, 50).toFixed(1)} ms, p95 ${pct(slowTimes, 95).toFixed(1)} ms`);
  const size = fs.statSync(path.join(dir, 'chainscope.db')).size;
  console.log(`database ${(size / 2 ** 20).toFixed(0)} MiB; ${os.cpus().length} cores, node ${process.version}`);

  await spanStore.shutdown();
  await logStore.shutdown();
  if (!keep && !dirArg) fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});

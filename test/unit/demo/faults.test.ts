import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { startDemo } from '../../../demo';
import { FAULT_TARGETS } from '../../../demo/fault-targets';
import { FAULT_KINDS, faultsFromEnv, FaultSwitchboard, orderSlot, parseFaultSpec, readGroundTruth, type FaultSpec } from '../../../demo/faults';
import { waitFor } from '../../helpers/wait';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const root = require('@opentelemetry/otlp-transformer/build/src/generated/root.js');
const TraceReq = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

const tmpFile = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'demo-faults-')), 'ground-truth.jsonl');
const latency = (extra: Partial<FaultSpec> = {}): FaultSpec => ({
  kind: 'latency',
  service: 'inventory',
  operation: 'POST /inventory/reservations',
  addedMs: 500,
  ...extra,
});

describe('FaultSwitchboard', () => {
  it('fires a fault only while it is on, for its service, operation and kind', () => {
    const board = new FaultSwitchboard();
    expect(board.take('latency', 'inventory', 'POST /inventory/reservations', 'ORD-1')).toBeUndefined();
    const id = board.set(latency());
    expect(board.take('latency', 'inventory', 'POST /inventory/commit', 'ORD-1')).toBeUndefined();
    expect(board.take('latency', 'payment', 'POST /inventory/reservations', 'ORD-1')).toBeUndefined();
    expect(board.take('error', 'inventory', 'POST /inventory/reservations', 'ORD-1')).toBeUndefined();
    expect(board.take('latency', 'inventory', 'POST /inventory/reservations', undefined)).toBeUndefined();
    expect(board.take('latency', 'inventory', 'POST /inventory/reservations', 'ORD-1')?.addedMs).toBe(500);
    expect(board.list()).toEqual([expect.objectContaining({ id, kind: 'latency', hit: 1 })]);
    expect(board.clear(id)).toBe(true);
    expect(board.clear(id)).toBe(false);
    expect(board.take('latency', 'inventory', 'POST /inventory/reservations', 'ORD-2')).toBeUndefined();
    expect(board.list()).toEqual([]);
  });

  it('acts once per order and stops after maxOrders', () => {
    const board = new FaultSwitchboard();
    board.set(latency({ maxOrders: 2 }));
    const take = (order: string) => board.take('latency', 'inventory', 'POST /inventory/reservations', order) !== undefined;
    expect([take('ORD-1'), take('ORD-1'), take('ORD-2'), take('ORD-3')]).toEqual([true, false, true, false]);
    board.clearAll();
    board.set(latency({ id: 'again' }));
    expect(take('ORD-1')).toBe(true);
  });

  it('only touches orders of its slot, the same slot in every process', () => {
    const board = new FaultSwitchboard();
    board.set(latency({ slot: { index: 1, of: 3 } }));
    const ids = Array.from({ length: 60 }, (_, i) => `ORD-20261207-${100000 + i}`);
    const hit = ids.filter((o) => board.take('latency', 'inventory', 'POST /inventory/reservations', o));
    expect(hit.length).toBeGreaterThan(5);
    expect(hit).toEqual(ids.filter((o) => orderSlot(o, 3) === 1));
    expect(new Set(ids.map((o) => orderSlot(o, 3)))).toEqual(new Set([0, 1, 2]));
  });

  it('hits a share of orders with rate', () => {
    const draws = [0.1, 0.9, 0.2, 0.8];
    const board = new FaultSwitchboard(undefined, () => draws.shift() ?? 0);
    board.set(latency({ rate: 0.5 }));
    const hits = ['A', 'B', 'C', 'D'].map((o) => board.take('latency', 'inventory', 'POST /inventory/reservations', o) !== undefined);
    expect(hits).toEqual([true, false, true, false]);
  });

  it('writes one ground-truth line per touched order with kind, service, operation, destination and times', () => {
    const file = tmpFile();
    const board = new FaultSwitchboard(file);
    board.set({ id: 'backlog-1', kind: 'queueBacklog', service: 'fulfilment', operation: 'process order-events', addedMs: 1200 });
    board.take('queueBacklog', 'fulfilment', 'process order-events', 'ORD-7')!.record(1000, 2200, 'order-events');
    board.set(latency({ id: 'lat-1' }));
    board.take('latency', 'inventory', 'POST /inventory/reservations', 'ORD-8')!.record(3000, 3501);
    fs.appendFileSync(file, '{"torn":');
    expect(readGroundTruth(file)).toEqual([
      {
        orderId: 'ORD-7',
        faultId: 'backlog-1',
        kind: 'queueBacklog',
        service: 'fulfilment',
        operation: 'process order-events',
        destination: 'order-events',
        startMs: 1000,
        endMs: 2200,
        addedMs: 1200,
      },
      { orderId: 'ORD-8', faultId: 'lat-1', kind: 'latency', service: 'inventory', operation: 'POST /inventory/reservations', startMs: 3000, endMs: 3501, addedMs: 500 },
    ]);
    expect(readGroundTruth(path.join(path.dirname(file), 'missing.jsonl'))).toEqual([]);
  });

  it('counts a ground-truth line it cannot write instead of throwing', () => {
    const board = new FaultSwitchboard(path.join(tmpFile(), 'not-a-dir', 'x.jsonl'));
    board.set(latency());
    expect(() => board.take('latency', 'inventory', 'POST /inventory/reservations', 'ORD-1')!.record(1, 2)).not.toThrow();
    expect(board.groundTruthWriteErrors).toBe(1);
  });

  it.each([
    [null, /JSON object/],
    [{ ...latency(), kind: 'meteor' }, /kind must be one of/],
    [{ ...latency(), service: '' }, /service must be/],
    [{ ...latency(), operation: 'x'.repeat(201) }, /operation must be/],
    [{ ...latency(), addedMs: -1 }, /addedMs/],
    [{ ...latency(), addedMs: 'slow' }, /addedMs/],
    [{ ...latency(), rate: 2 }, /rate/],
    [{ ...latency(), maxOrders: 0 }, /maxOrders/],
    [{ ...latency(), slot: { index: 3, of: 3 } }, /slot/],
  ])('rejects a bad spec %j naming the field', (input, message) => {
    expect(() => parseFaultSpec(input)).toThrow(message);
  });

  it('reads DEMO_FAULTS as one spec or a list, naming the bad entry', () => {
    expect(faultsFromEnv(undefined)).toEqual([]);
    expect(faultsFromEnv(JSON.stringify(latency()))).toEqual([latency()]);
    expect(faultsFromEnv(JSON.stringify([latency(), { ...latency(), kind: 'error' }]))).toHaveLength(2);
    expect(() => faultsFromEnv('[{"kind":"latency"}')).toThrow(/not JSON/);
    expect(() => faultsFromEnv(JSON.stringify([latency(), { kind: 'nope' }]))).toThrow(/DEMO_FAULTS\[1\]: kind/);
  });
});

interface SeenSpan {
  service: string;
  name: string;
  orderId: string;
  durationMs: number;
  error: boolean;
}

/** An OTLP sink keeping each span's service, name, order and duration. */
function spanSink(): { spans: SeenSpan[]; listen(): Promise<string>; close(): Promise<void> } {
  const spans: SeenSpan[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        const decoded = TraceReq.decode(Buffer.concat(chunks));
        for (const rs of decoded.resourceSpans ?? []) {
          const service = String(rs.resource?.attributes?.find((a: { key: string }) => a.key === 'service.name')?.value?.stringValue ?? '');
          for (const ss of rs.scopeSpans ?? []) {
            for (const s of ss.spans ?? []) {
              const orderId = s.attributes?.find((a: { key: string }) => a.key === 'order.id')?.value?.stringValue ?? '';
              const durationMs = (Number(s.endTimeUnixNano) - Number(s.startTimeUnixNano)) / 1e6;
              spans.push({ service, name: s.name, orderId, durationMs, error: s.status?.code === 2 });
            }
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  return {
    spans,
    listen: () =>
      new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`))),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('demo with faults switched on', () => {
  it('every fault target fires in the span it names, writes its ground truth, and the control endpoint switches faults', async () => {
    const sink = spanSink();
    const endpoint = await sink.listen();
    const file = tmpFile();
    const targets = FAULT_KINDS.flatMap((kind) => FAULT_TARGETS[kind].map((t) => ({ kind, ...t })));
    const slots = targets.length + 1;
    const addedMs = 300;
    const demo = await startDemo({ otlpEndpoint: endpoint, ordersPerSecond: 40, naturalFaults: false, groundTruthFile: file, stopDrainMs: 3500 });
    try {
      // Control endpoint: a bad spec is a 400 naming the field; POST switches on, GET lists, DELETE switches off.
      const control = `http://127.0.0.1:${demo.ports.inventory}/_demo/faults`;
      const bad = await fetch(control, { method: 'POST', body: JSON.stringify({ kind: 'latency', addedMs: 10 }), headers: { 'content-type': 'application/json' } });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { message: string }).message).toMatch(/service/);
      const on = await fetch(control, { method: 'POST', body: JSON.stringify({ ...latency(), id: 'probe', slot: { index: 0, of: 1000 } }) });
      expect(on.status).toBe(201);
      expect(((await (await fetch(control)).json()) as { faults: { id: string }[] }).faults.map((f) => f.id)).toEqual(['probe']);
      expect((await fetch(`${control}?id=probe`, { method: 'DELETE' })).status).toBe(200);
      expect((await fetch(`${control}?id=probe`, { method: 'DELETE' })).status).toBe(404);
      expect(((await (await fetch(control)).json()) as { faults: unknown[] }).faults).toEqual([]);

      // Every target in a slot of its own, once.
      targets.forEach((t, i) => void demo.setFault({ ...t, id: `t${i}`, addedMs, maxOrders: 1, slot: { index: i, of: slots } }));
      await waitFor(() => new Set(readGroundTruth(file).map((g) => g.faultId)).size >= targets.length, 'every fault to touch an order', 40_000, 200);
      await demo.clearFaults();
    } finally {
      await demo.stop();
      await sink.close();
    }
    const truths = readGroundTruth(file);
    const fired = new Set(truths.map((g) => g.faultId));
    expect(targets.filter((_, i) => !fired.has(`t${i}`))).toEqual([]);
    for (const g of truths) {
      const i = Number(g.faultId.slice(1));
      expect(g).toMatchObject({ kind: targets[i].kind, service: targets[i].service, operation: targets[i].operation, addedMs });
      expect(orderSlot(g.orderId, slots)).toBe(i);
      expect(g.endMs - g.startMs).toBeGreaterThanOrEqual(addedMs - 2);
      if (g.kind === 'queueBacklog' || g.kind === 'consumerCrash') expect(g.destination).toBe(g.operation.replace('process ', ''));
      // The added time shows in the telemetry: the named span of that order is at least that long
      // (a backlog delays the consumer's start instead; a crash leaves a failed consumer span).
      const named = sink.spans.filter((s) => s.orderId === g.orderId && s.service === g.service && s.name === g.operation);
      expect(named.length).toBeGreaterThan(0);
      if (g.kind === 'consumerCrash') expect(named.some((s) => s.error)).toBe(true);
      else if (g.kind !== 'queueBacklog') expect(Math.max(...named.map((s) => s.durationMs))).toBeGreaterThanOrEqual(addedMs - 2);
      if (g.kind === 'error') expect(named.some((s) => s.error)).toBe(true);
    }
  }, 90_000);
});

describe('ground truth stays out of the analysis', () => {
  it('no file of the server (core, ingest, query-api, storage, collector, bus, bin) imports the demo faults', () => {
    const repo = path.resolve(__dirname, '..', '..', '..');
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (/\.ts$/.test(e.name) && /from '[./]*\/?demo\/(faults|fault-targets)'|ground-truth/.test(fs.readFileSync(p, 'utf8'))) offenders.push(path.relative(repo, p));
      }
    };
    for (const dir of ['core', 'ingest', 'query-api', 'storage', 'collector', 'bus', 'bin']) walk(path.join(repo, dir));
    expect(offenders).toEqual([]);
  });
});

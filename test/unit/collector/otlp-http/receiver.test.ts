import { MemoryBus } from '../../../../bus/memory/memory-bus';
import { OtlpHttpReceiver } from '../../../../collector/otlp-http/receiver';
import { OtlpPublisher } from '../../../../collector/publisher';
import { Counters } from '../../../../core/metrics';
import { otlpJsonTraces, randomSpanId, randomTraceId } from '../../../helpers/otlp-json';
import { openRawConnection, statusOf, type RawConnection } from '../../../helpers/raw-connection';
import { waitFor } from '../../../helpers/wait';

const KiB = 1024;
const MiB = 1024 * KiB;
const BODY_IDLE_MS = 1500;

function validBody() {
  return otlpJsonTraces([{ traceId: randomTraceId(), spanId: randomSpanId(), name: 'op', service: 'svc', startMs: Date.now(), durationMs: 5 }]);
}

describe('OTLP/HTTP receiver in-flight budget counts bytes received, not bytes declared', () => {
  let bus: MemoryBus;
  let receiver: OtlpHttpReceiver;
  let counters: Counters;
  let port: number;
  const open: RawConnection[] = [];

  beforeAll(async () => {
    bus = new MemoryBus({ capacityBytes: 64 * MiB, log: () => {} });
    await bus.subscribe('otlp_spans', 'ingest', async () => {});
    counters = new Counters();
    receiver = new OtlpHttpReceiver({
      host: '127.0.0.1',
      port: 0,
      maxRequestBytes: 2 * MiB,
      maxInflightBytes: 1 * MiB,
      bodyIdleTimeoutMs: BODY_IDLE_MS,
      connectionLimits: { headersTimeoutMs: 5000, requestTimeoutMs: 20_000, keepAliveTimeoutMs: 5000, maxConnections: 100 },
      publisher: new OtlpPublisher(bus, { spans: 'otlp_spans', logs: 'otlp_logs' }, 1 * MiB),
      counters,
      log: () => {},
    });
    port = await receiver.start();
  });
  afterAll(async () => {
    for (const c of open) c.socket.destroy();
    await receiver.shutdown();
    await bus.shutdown();
  });

  const send = () =>
    fetch(`http://127.0.0.1:${port}/v1/traces`, { method: 'POST', body: validBody(), headers: { 'Content-Type': 'application/json' } });

  /** A request that declares `declared` bytes and sends `sent` of them, then goes silent. */
  async function partialRequest(declared: number, sent: number): Promise<RawConnection> {
    const conn = await openRawConnection(port);
    open.push(conn);
    conn.socket.write(`POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-protobuf\r\nContent-Length: ${declared}\r\n\r\n`);
    if (sent > 0) conn.socket.write(Buffer.alloc(sent, 0x0a));
    return conn;
  }

  it('lets requests declaring more than the whole budget through while they send nothing', async () => {
    const idle = await Promise.all([0, 1, 2, 3].map(() => partialRequest(2 * MiB, 0)));
    for (let i = 0; i < 5; i++) expect((await send()).status).toBe(200);
    expect(receiver.bytesInFlight).toBe(0);
    const closedAfter = await Promise.all(idle.map((c) => c.closed));
    for (const c of idle) expect(statusOf(c.received())).toBe(408);
    for (const ms of closedAfter) expect(ms).toBeLessThan(BODY_IDLE_MS + 1000);
    expect(counters.get('chainscope_receiver_body_idle_timeouts_total')).toBe(4);
  });

  it('answers 503 and closes a request whose bytes would pass the budget; others still fit', async () => {
    const first = await partialRequest(1 * MiB, 600 * KiB);
    await waitFor(() => receiver.bytesInFlight >= 600 * KiB, 'the first request bytes to arrive');
    const second = await partialRequest(1 * MiB, 600 * KiB);
    await second.closed;
    expect(statusOf(second.received())).toBe(503);
    expect(second.received()).toMatch(/retry-after: 1/i);
    expect(counters.get('chainscope_receiver_requests_overloaded_total')).toBe(1);
    // 600 KiB held + a small request is within 1 MiB.
    expect((await send()).status).toBe(200);
    // The first goes silent: 408, and its bytes leave the budget.
    await first.closed;
    expect(statusOf(first.received())).toBe(408);
    expect(receiver.bytesInFlight).toBe(0);
  });

  it('413 at once for a declared Content-Length over MAX_REQUEST_BYTES, without waiting for the body', async () => {
    const started = Date.now();
    const big = await partialRequest(2 * MiB + 1, 0);
    await big.closed;
    expect(statusOf(big.received())).toBe(413);
    expect(Date.now() - started).toBeLessThan(500);
  });
});

import { percentile } from '../../../bench/stats';
import { startTestAllInOne, type TestAllInOne } from '../../helpers/all-in-one';
import { otlpJsonTraces, randomSpanId, randomTraceId } from '../../helpers/otlp-json';
import { openRawConnection, statusOf, type RawConnection } from '../../helpers/raw-connection';

// Small timeouts through the settings, so each attack is over in seconds.
const HEADERS_TIMEOUT_MS = 1000;
const BODY_IDLE_TIMEOUT_MS = 2000;
const REQUEST_TIMEOUT_MS = 4000;
// Deadlines are checked every HEADERS_TIMEOUT_MS/4; the rest is room for a busy 2-core machine.
const SLACK_MS = 1500;
const MiB = 1024 * 1024;

/**
 * A normal OTLP sender: one small valid request after another (about 50 a
 * second) until `stop` resolves; every status and latency recorded.
 */
async function normalSender(otlpUrl: string, stop: Promise<unknown>) {
  let stopped = false;
  void stop.then(() => (stopped = true));
  const statuses: number[] = [];
  const latenciesMs: number[] = [];
  while (!stopped) {
    const body = otlpJsonTraces([{ traceId: randomTraceId(), spanId: randomSpanId(), name: 'op', service: 'normal', startMs: Date.now(), durationMs: 3 }]);
    const started = performance.now();
    const res = await fetch(`${otlpUrl}/v1/traces`, { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });
    await res.arrayBuffer();
    latenciesMs.push(performance.now() - started);
    statuses.push(res.status);
    await new Promise((r) => setTimeout(r, 20));
  }
  return { statuses, latenciesMs };
}

/** Resolves when `all` does or after `ms`, whichever is first: a regression fails an assertion, not the test timeout. */
function byDeadline(all: Promise<unknown>, ms: number): Promise<unknown> {
  return Promise.race([all, new Promise((r) => setTimeout(r, ms).unref())]);
}

function describeLatency(what: string, latenciesMs: number[]): string {
  const f = (n: number) => n.toFixed(1);
  return `${what}: ${latenciesMs.length} requests, latency p50 ${f(percentile(latenciesMs, 50))} ms, p95 ${f(percentile(latenciesMs, 95))} ms, max ${f(Math.max(...latenciesMs))} ms`;
}

function describeClosing(what: string, closedAfterMs: number[]): string {
  return `${what}: ${closedAfterMs.length} closed by the server after ${Math.min(...closedAfterMs)}–${Math.max(...closedAfterMs)} ms (p50 ${percentile(closedAfterMs, 50)} ms)`;
}

const headers = (contentLength: number) =>
  `POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-protobuf\r\nContent-Length: ${contentLength}\r\n\r\n`;

describe('OTLP/HTTP receiver under idle and slow connections', () => {
  let app: TestAllInOne;
  beforeAll(async () => {
    app = await startTestAllInOne({
      // MAX_REQUEST_BYTES and MAX_INFLIGHT_BYTES keep their defaults (16 MiB, 64 MiB): the attack as found.
      httpHeadersTimeoutMs: HEADERS_TIMEOUT_MS,
      otlpHttpBodyIdleTimeoutMs: BODY_IDLE_TIMEOUT_MS,
      httpRequestTimeoutMs: REQUEST_TIMEOUT_MS,
      httpKeepAliveTimeoutMs: 10_000,
    });
  });
  // Whatever a failed test left open must not hold the receiver's shutdown.
  const attackers: RawConnection[] = [];
  afterAll(async () => {
    for (const c of attackers) c.socket.destroy();
    await app.dispose();
  });

  const port = () => Number(new URL(app.otlpUrl).port);
  const open = async (n: number) => {
    const connections = await Promise.all(Array.from({ length: n }, () => openRawConnection(port())));
    attackers.push(...connections);
    return connections;
  };
  const counter = (name: string) => app.counters.get(`chainscope_receiver_${name}`);

  it('four connections declaring 16 MiB and sending nothing (or a few bytes) do not take the budget from a normal sender', async () => {
    expect(app.config.maxInflightBytes).toBe(64 * MiB);
    const idle = await open(4);
    idle.forEach((a, i) => a.socket.write(headers(16 * MiB) + (i % 2 === 1 ? '\n\x05hello' : '')));
    const closedAfterMs = Promise.all(idle.map((a) => a.closed));

    const { statuses, latenciesMs } = await normalSender(app.otlpUrl, byDeadline(closedAfterMs, BODY_IDLE_TIMEOUT_MS + SLACK_MS));
    expect(statuses.length).toBeGreaterThan(10);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    const closed = await closedAfterMs;
    console.log(describeLatency('4 idle 16 MiB requests: normal sender', latenciesMs) + '; ' + describeClosing('attackers', closed));
    for (const a of idle) expect(statusOf(a.received())).toBe(408);
    for (const ms of closed) {
      expect(ms).toBeGreaterThanOrEqual(BODY_IDLE_TIMEOUT_MS - 50);
      expect(ms).toBeLessThan(BODY_IDLE_TIMEOUT_MS + SLACK_MS);
    }
    expect(counter('body_idle_timeouts_total')).toBe(4);
  });

  it('500 slow-loris connections (dribbled headers, silent, dribbled bodies) never cost a normal sender a 503 and are all closed in time', async () => {
    const baseline = await normalSender(app.otlpUrl, new Promise((r) => setTimeout(r, 1000)));
    console.log(describeLatency('no attack: normal sender', baseline.latenciesMs));
    const before = { headers: counter('header_timeouts_total'), requests: counter('request_timeouts_total') };
    const slowHeaders = headers(1000).replace('\r\n\r\n', '\r\nX-Padding: ' + 'p'.repeat(200) + '\r\n\r\n');
    // One byte every 300 ms: never idle long enough for an idle timeout, so only the deadlines can close them.
    const headerDribblers = await open(200);
    for (const c of headerDribblers) c.dribble(slowHeaders, 300);
    const silent = await open(100);
    const bodyDribblers = await open(200);
    for (const c of bodyDribblers) {
      c.socket.write(headers(1 * MiB));
      c.dribble('x'.repeat(1000), 300);
    }
    const all = [...headerDribblers, ...silent, ...bodyDribblers];
    expect(all).toHaveLength(500);
    const allClosed = Promise.all(all.map((c) => c.closed));

    const { statuses, latenciesMs } = await normalSender(app.otlpUrl, byDeadline(allClosed, REQUEST_TIMEOUT_MS + SLACK_MS));
    expect(statuses.length).toBeGreaterThan(20);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    const closed = {
      headers: await Promise.all(headerDribblers.map((c) => c.closed)),
      silent: await Promise.all(silent.map((c) => c.closed)),
      bodies: await Promise.all(bodyDribblers.map((c) => c.closed)),
    };
    console.log(
      [
        describeLatency('500 slow-loris connections: normal sender', latenciesMs),
        describeClosing('header dribblers', closed.headers),
        describeClosing('silent connections', closed.silent),
        describeClosing('body dribblers', closed.bodies),
      ].join('\n'),
    );

    for (const c of all) expect(statusOf(c.received())).toBe(408);
    for (const ms of [...closed.headers, ...closed.silent]) expect(ms).toBeLessThan(HEADERS_TIMEOUT_MS + SLACK_MS);
    for (const ms of closed.bodies) {
      expect(ms).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 50);
      expect(ms).toBeLessThan(REQUEST_TIMEOUT_MS + SLACK_MS);
    }
    expect(counter('header_timeouts_total') - before.headers).toBe(300);
    expect(counter('request_timeouts_total') - before.requests).toBe(200);
    expect(counter('connections_refused_total')).toBe(0);
  });

  it('the query API closes silent and header-dribbling connections after HTTP_HEADERS_TIMEOUT_MS and keeps answering', async () => {
    const apiPort = Number(new URL(app.apiUrl).port);
    const slow = await Promise.all(Array.from({ length: 20 }, () => openRawConnection(apiPort)));
    attackers.push(...slow);
    slow.slice(0, 10).forEach((c) => c.dribble('GET /api/services HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ' + 'p'.repeat(100), 200));
    const closed = Promise.all(slow.map((c) => c.closed));
    const res = await fetch(`${app.apiUrl}/api/services`);
    expect(res.status).toBe(200);
    const closedAfterMs = await closed;
    console.log(describeClosing('query API: silent and header-dribbling connections', closedAfterMs));
    for (const c of slow) expect(statusOf(c.received())).toBe(408);
    for (const ms of closedAfterMs) expect(ms).toBeLessThan(HEADERS_TIMEOUT_MS + SLACK_MS);
    expect(app.counters.get('chainscope_query_header_timeouts_total')).toBe(20);
  });
});

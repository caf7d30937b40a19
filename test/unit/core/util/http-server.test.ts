import type http from 'node:http';
import { Counters } from '../../../../core/metrics';
import {
  REFUSED_CONNECTION_GRACE_MS,
  boundedServerCounters,
  closeServer,
  createBoundedServer,
  listen,
  type HttpServerLimits,
} from '../../../../core/util/http-server';
import { openRawConnection, statusOf } from '../../../helpers/raw-connection';

const LIMITS: HttpServerLimits = { headersTimeoutMs: 400, requestTimeoutMs: 1200, keepAliveTimeoutMs: 300 };
// Node checks deadlines every headersTimeout/4 ms (100 here); a loaded test machine gets some more.
const SLACK_MS = 600;
const names = boundedServerCounters('test');

/** A server that reads the whole body, then answers 200. */
async function startServer(limits: HttpServerLimits) {
  const counters = new Counters();
  const handler: http.RequestListener = (req, res) => {
    req.resume();
    req.on('end', () => res.end('ok'));
  };
  const server = createBoundedServer(handler, limits, counters, 'test');
  const port = await listen(server, '127.0.0.1', 0);
  return { server, port, counters, stop: () => closeServer(server, { graceMs: 0 }) };
}

describe('createBoundedServer', () => {
  let running: Awaited<ReturnType<typeof startServer>>;
  beforeEach(async () => {
    running = await startServer(LIMITS);
  });
  afterEach(() => running.stop());

  it('closes a connection that sends nothing with 408 after headersTimeoutMs, counted as a header timeout', async () => {
    const conn = await openRawConnection(running.port);
    const after = await conn.closed;
    expect(statusOf(conn.received())).toBe(408);
    expect(after).toBeGreaterThanOrEqual(LIMITS.headersTimeoutMs - 50);
    expect(after).toBeLessThan(LIMITS.headersTimeoutMs + SLACK_MS);
    expect(running.counters.get(names.headerTimeouts)).toBe(1);
  });

  it('closes headers dribbled faster than any idle timeout once headersTimeoutMs has passed', async () => {
    const conn = await openRawConnection(running.port);
    conn.dribble('POST / HTTP/1.1\r\nHost: x\r\nX-Slow: ' + 'a'.repeat(200), 20);
    const after = await conn.closed;
    expect(statusOf(conn.received())).toBe(408);
    expect(after).toBeLessThan(LIMITS.headersTimeoutMs + SLACK_MS);
    expect(running.counters.get(names.headerTimeouts)).toBe(1);
  });

  it('closes a body dribbled byte by byte once requestTimeoutMs has passed, counted as a request timeout', async () => {
    const conn = await openRawConnection(running.port);
    conn.socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n');
    conn.dribble('b'.repeat(1000), 50);
    const after = await conn.closed;
    expect(statusOf(conn.received())).toBe(408);
    expect(after).toBeGreaterThanOrEqual(LIMITS.requestTimeoutMs - 50);
    expect(after).toBeLessThan(LIMITS.requestTimeoutMs + SLACK_MS);
    expect(running.counters.get(names.requestTimeouts)).toBe(1);
    expect(running.counters.get(names.headerTimeouts)).toBe(0);
  });

  it('serves a request, then closes the idle keep-alive connection after keepAliveTimeoutMs (plus the second Node adds)', async () => {
    const conn = await openRawConnection(running.port);
    conn.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const after = await conn.closed;
    expect(statusOf(conn.received())).toBe(200);
    expect(conn.received()).not.toContain('408');
    expect(after).toBeGreaterThanOrEqual(LIMITS.keepAliveTimeoutMs);
    expect(after).toBeLessThan(LIMITS.keepAliveTimeoutMs + 1000 + SLACK_MS);
    expect(running.counters.get(names.headerTimeouts)).toBe(0);
  });

  it('answers 400 to a malformed request and keeps serving', async () => {
    const bad = await openRawConnection(running.port);
    bad.socket.write('NOT HTTP AT ALL\r\n\r\n');
    await bad.closed;
    expect(statusOf(bad.received())).toBe(400);
    const res = await fetch(`http://127.0.0.1:${running.port}/`);
    expect(res.status).toBe(200);
  });
});

describe('createBoundedServer connection cap', () => {
  it('answers a connection past maxConnections 503 + Retry-After, cuts it, and serves again once one closes', async () => {
    const running = await startServer({ ...LIMITS, headersTimeoutMs: 5000, requestTimeoutMs: 5000, maxConnections: 3 });
    try {
      const held = await Promise.all([0, 1, 2].map(() => openRawConnection(running.port)));
      const extra = await openRawConnection(running.port);
      extra.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      const after = await extra.closed;
      expect(statusOf(extra.received())).toBe(503);
      expect(extra.received()).toMatch(/retry-after: 1/i);
      expect(after).toBeLessThan(REFUSED_CONNECTION_GRACE_MS + SLACK_MS);
      expect(running.counters.get(names.refused)).toBe(1);

      // A refused client that never sends a request is cut after the grace period too.
      const silent = await openRawConnection(running.port);
      expect(await silent.closed).toBeLessThan(REFUSED_CONNECTION_GRACE_MS + SLACK_MS);
      expect(running.counters.get(names.refused)).toBe(2);

      held[0].socket.destroy();
      await held[0].closed;
      const next = await openRawConnection(running.port);
      next.socket.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      await next.closed;
      expect(statusOf(next.received())).toBe(200);
      for (const h of held) h.socket.destroy();
    } finally {
      await running.stop();
    }
  });
});

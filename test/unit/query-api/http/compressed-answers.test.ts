import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import express from 'express';
import { startEmbeddedQueryApp, type EmbeddedQueryApp } from '../../../helpers/embedded-query-app';
import { BASE_US, makeTrace, spanBatch, uniq } from '../../../contract/fixtures';
import { sendJson } from '../../../../query-api/http/send-json';
import { compressAnswers } from '../../../../query-api/http/compress-answers';
import crypto from 'node:crypto';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A GET with node:http (fetch would decompress and hide the encoding). */
function get(url: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

const decoded = (a: Answer): unknown => {
  const enc = a.headers['content-encoding'];
  const raw = enc === 'br' ? zlib.brotliDecompressSync(a.body) : enc === 'gzip' ? zlib.gunzipSync(a.body) : a.body;
  return JSON.parse(raw.toString('utf8'));
};

/** Compressed and streamed answers through the real app over an embedded store. */
describe('compressed and streamed answers', () => {
  let app: EmbeddedQueryApp;
  let base: string;
  let plain: Answer;
  const service = uniq('big');
  const big = makeTrace({ service, spans: 2_000, startUs: BASE_US, durationUs: 10_000_000, overrides: (i) => ({ attributes: { 'http.route': `/items/${i}`, note: 'x'.repeat(40) } }) });
  const traceId = big[0].traceId;

  beforeAll(async () => {
    app = await startEmbeddedQueryApp('compress');
    await app.stores.spans.writeSpans(spanBatch(big));
    base = await app.listen();
    plain = await get(`${base}/api/traces/${traceId}`);
  });
  afterAll(() => app?.dispose());

  it.each([
    ['br', 'br'],
    ['gzip', 'gzip'],
    ['gzip, deflate, br', 'br'],
    ['gzip;q=1, br;q=0.5', 'gzip'],
  ])('answers Accept-Encoding %s with %s, the same JSON, much smaller', async (accept, encoding) => {
    const packed = await get(`${base}/api/traces/${traceId}`, { 'accept-encoding': accept });
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(packed.headers['content-encoding']).toBe(encoding);
    expect(packed.headers.vary).toMatch(/accept-encoding/i);
    expect(decoded(packed)).toEqual(decoded(plain));
    expect((decoded(plain) as { spans: unknown[] }).spans).toHaveLength(2_000);
    expect(packed.body.length * 5).toBeLessThan(plain.body.length);
  });

  it('streams a large answer (chunked, no Content-Length) and keeps small ones as they are', async () => {
    expect(plain.headers['transfer-encoding']).toBe('chunked');
    expect(plain.headers['content-length']).toBeUndefined();
    expect(plain.headers['content-type']).toBe('application/json; charset=utf-8');
    const small = await get(`${base}/api/settings`, { 'accept-encoding': 'gzip, br' });
    expect(small.status).toBe(200);
    expect(small.headers['content-encoding']).toBeUndefined();
  });

  it('never compresses the live tail (server-sent events)', async () => {
    const answer = await new Promise<http.IncomingMessage>((resolve, reject) => {
      http.get(`${base}/api/logs/tail`, { headers: { 'accept-encoding': 'gzip, br', accept: 'text/event-stream' } }, resolve).on('error', reject);
    });
    expect(answer.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(answer.headers['content-encoding']).toBeUndefined();
    answer.destroy();
  });
});

describe('sendJson', () => {
  it('stops writing when the client goes away, and never holds the whole text', async () => {
    const items = Array.from({ length: 300_000 }, (_, i) => ({ i, text: 'y'.repeat(50) }));
    let finished: Promise<void> = Promise.resolve();
    let wrote = 0;
    const server = express()
      .get('/', (_req, res) => {
        const write = res.write.bind(res);
        res.write = ((chunk: string, ...rest: never[]) => {
          wrote += Buffer.byteLength(chunk);
          return write(chunk, ...rest);
        }) as typeof res.write;
        finished = sendJson(res, { items });
      })
      .listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const total = JSON.stringify({ items }).length;
    // read one chunk, then go away
    await new Promise<void>((resolve, reject) => {
      http.get(url, (res) => res.once('data', () => {
        res.destroy();
        resolve();
      })).on('error', reject);
    });
    await finished;
    expect(wrote).toBeGreaterThan(0);
    expect(wrote).toBeLessThan(total / 2);
    await new Promise((resolve) => server.close(resolve));
  });
});

describe('sendJson behind the compression middleware', () => {
  it('waits for a slow reader through the compressor, with one drain listener for the whole answer, and sends it all', async () => {
    const items = Array.from({ length: 100_000 }, (_, i) => ({ i, text: crypto.randomUUID() }));
    let drainListeners = 0;
    let refusedWrites = 0;
    const server = express()
      .use(compressAnswers())
      .get('/', async (_req, res) => {
        // count what sendJson asks of the compressor-wrapped response
        const on = res.on.bind(res);
        res.on = ((type: string, listener: (...args: unknown[]) => void) => {
          if (type === 'drain') drainListeners++;
          return on(type, listener);
        }) as typeof res.on;
        const write = res.write.bind(res);
        res.write = ((chunk: never) => {
          const ok = write(chunk);
          if (!ok) refusedWrites++;
          return ok;
        }) as typeof res.write;
        await sendJson(res, { items });
      })
      .listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      const packed = await new Promise<Buffer>((resolve, reject) => {
        http.get(url, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
          expect(res.headers['content-encoding']).toBe('gzip');
          const chunks: Buffer[] = [];
          // a slow reader: pause after every chunk
          res.on('data', (c: Buffer) => {
            chunks.push(c);
            res.pause();
            setTimeout(() => res.resume(), 1);
          });
          res.on('end', () => resolve(Buffer.concat(chunks)));
          res.on('error', reject);
        }).on('error', reject);
      });
      expect(JSON.parse(zlib.gunzipSync(packed).toString('utf8'))).toEqual({ items });
      // it had to wait many times, and never added a listener per wait (the compressor keeps them)
      expect(refusedWrites).toBeGreaterThan(10);
      expect(drainListeners).toBe(1);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

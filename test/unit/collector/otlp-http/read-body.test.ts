import http from 'node:http';
import zlib from 'node:zlib';
import { BodyIdleTimeoutError, readBody, type ReadBodyOptions } from '../../../../collector/otlp-http/read-body';
import { OverloadedError, PayloadTooLargeError } from '../../../../core/errors';
import { closeServer, listen } from '../../../../core/util/http-server';
import { openRawConnection } from '../../../helpers/raw-connection';

interface Outcome {
  body?: Buffer;
  error?: unknown;
  afterMs: number;
  /** Sizes onBytes was told, in order. */
  held: number[];
}

/** A server that runs readBody on each request with `options` and hands the outcome to the test. */
async function withReader(options: Omit<ReadBodyOptions, 'onBytes'> & { refuseAfterBytes?: number }, run: (port: number, outcome: Promise<Outcome>) => Promise<void>) {
  let deliver!: (o: Outcome) => void;
  const outcome = new Promise<Outcome>((r) => (deliver = r));
  const server = http.createServer(async (req, res) => {
    const started = Date.now();
    const held: number[] = [];
    const onBytes = (n: number) => {
      if (options.refuseAfterBytes !== undefined && held.reduce((a, b) => a + b, 0) + n > options.refuseAfterBytes) {
        throw new OverloadedError('budget spent');
      }
      held.push(n);
    };
    try {
      const body = await readBody(req, { ...options, onBytes });
      deliver({ body, afterMs: Date.now() - started, held });
    } catch (error) {
      deliver({ error, afterMs: Date.now() - started, held });
    }
    res.writeHead(200, { Connection: 'close' }).end();
  });
  const port = await listen(server, '127.0.0.1', 0);
  try {
    await run(port, outcome);
  } finally {
    await closeServer(server, { graceMs: 0 });
  }
}

const post = (port: number, body: Buffer, headers: Record<string, string> = {}) =>
  fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body, headers }).then((r) => r.arrayBuffer());

describe('readBody', () => {
  it('refuses a declared Content-Length over the limit at once, before any byte arrives', async () => {
    await withReader({ limitBytes: 1000, idleTimeoutMs: 5000 }, async (port, outcome) => {
      const conn = await openRawConnection(port);
      conn.socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1001\r\n\r\n');
      const { error, afterMs, held } = await outcome;
      expect(error).toBeInstanceOf(PayloadTooLargeError);
      expect(afterMs).toBeLessThan(500);
      expect(held).toEqual([]);
      conn.socket.destroy();
    });
  });

  it('tells onBytes what arrived, chunk by chunk, never what Content-Length declared', async () => {
    await withReader({ limitBytes: 1 << 20, idleTimeoutMs: 5000 }, async (port, outcome) => {
      const conn = await openRawConnection(port);
      conn.socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n' + 'a'.repeat(10));
      conn.socket.end(); // 10 of 1000 bytes, then the client gives up
      const { error, held } = await outcome;
      expect(error).toBeDefined();
      expect(held.reduce((a, b) => a + b, 0)).toBe(10);
    });
  });

  it('counts decompressed bytes for gzip bodies and returns the whole body', async () => {
    const plain = Buffer.from('x'.repeat(200_000));
    await withReader({ limitBytes: 1 << 20, idleTimeoutMs: 5000 }, async (port, outcome) => {
      await post(port, zlib.gzipSync(plain), { 'Content-Encoding': 'gzip' });
      const { body, held } = await outcome;
      expect(body?.equals(plain)).toBe(true);
      expect(held.reduce((a, b) => a + b, 0)).toBe(plain.length);
    });
  });

  it('stops with the error onBytes throws', async () => {
    await withReader({ limitBytes: 1 << 20, idleTimeoutMs: 5000, refuseAfterBytes: 50_000 }, async (port, outcome) => {
      await post(port, Buffer.alloc(200_000, 1)).catch(() => undefined);
      const { error, held } = await outcome;
      expect(error).toBeInstanceOf(OverloadedError);
      expect(held.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(50_000);
    });
  });

  it('fails with BodyIdleTimeoutError when the body stops arriving for idleTimeoutMs', async () => {
    await withReader({ limitBytes: 1 << 20, idleTimeoutMs: 300 }, async (port, outcome) => {
      const conn = await openRawConnection(port);
      conn.socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc');
      const { error, afterMs } = await outcome;
      expect(error).toBeInstanceOf(BodyIdleTimeoutError);
      expect(afterMs).toBeGreaterThanOrEqual(290);
      expect(afterMs).toBeLessThan(1000);
      conn.socket.destroy();
    });
  });

  it('does not time out a body that keeps arriving, however slowly in total', async () => {
    await withReader({ limitBytes: 1 << 20, idleTimeoutMs: 300 }, async (port, outcome) => {
      const conn = await openRawConnection(port);
      conn.socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 12\r\n\r\n');
      conn.dribble('abcdefghijkl', 100); // 1.2 s in all, never 300 ms silent
      const { body, error, afterMs } = await outcome;
      expect(error).toBeUndefined();
      expect(body?.toString()).toBe('abcdefghijkl');
      expect(afterMs).toBeGreaterThan(900);
      conn.socket.destroy();
    });
  });
});

import type { IncomingMessage } from 'node:http';
import zlib from 'node:zlib';
import { ChainscopeError, PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../../core/errors';

/** The client stopped sending its body (HTTP 408; the connection is closed). */
export class BodyIdleTimeoutError extends ChainscopeError {}

export interface ReadBodyOptions {
  /** Largest body, on the wire and after decompression. */
  limitBytes: number;
  /** No byte of body for this long fails the read with BodyIdleTimeoutError. */
  idleTimeoutMs: number;
  /**
   * Told the size of each piece of body as it is held (decompressed), before
   * it is kept; throwing (e.g. OverloadedError) stops the read with that error.
   */
  onBytes?: (bytes: number) => void;
}

/**
 * Reads a request body into one Buffer, decompressing gzip/deflate, and gives
 * up as soon as either the wire bytes or the decompressed bytes pass
 * `limitBytes`: a gzip bomb is cut off after `limitBytes` of output, never
 * inflated whole. A declared Content-Length over the limit fails at once,
 * before any byte is read. A client that goes silent mid-body fails after
 * `idleTimeoutMs`. The request stream is left paused, not destroyed, so the
 * caller can still answer (413, 408) before closing the connection.
 */
export function readBody(req: IncomingMessage, options: ReadBodyOptions): Promise<Buffer> {
  const { limitBytes, idleTimeoutMs, onBytes } = options;
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) {
    return Promise.reject(
      new PayloadTooLargeError(`request body of ${declared} bytes exceeds the limit of ${limitBytes} bytes`, limitBytes),
    );
  }
  const encoding = String(req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  let inflater: zlib.Gunzip | zlib.Inflate | null;
  try {
    inflater = decompressorFor(encoding);
  } catch (err) {
    return Promise.reject(err);
  }

  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let wireBytes = 0;
    let outputBytes = 0;
    let settled = false;

    const idle = setTimeout(() => {
      fail(new BodyIdleTimeoutError(`no request body bytes for ${idleTimeoutMs} ms (read ${wireBytes} so far)`));
    }, idleTimeoutMs);
    idle.unref();

    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(idle);
      req.pause();
      req.removeAllListeners('data');
      inflater?.destroy();
      reject(err);
    };
    const succeed = () => {
      if (settled) return;
      settled = true;
      clearTimeout(idle);
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, outputBytes));
    };
    const collect = (chunk: Buffer) => {
      outputBytes += chunk.length;
      if (outputBytes > limitBytes) {
        fail(
          new PayloadTooLargeError(
            `request body exceeds the limit of ${limitBytes} bytes${inflater ? ' after decompression' : ''}`,
            limitBytes,
          ),
        );
        return;
      }
      try {
        onBytes?.(chunk.length);
      } catch (err) {
        fail(err);
        return;
      }
      chunks.push(chunk);
    };

    req.on('error', fail);
    req.on('aborted', () => fail(new ValidationError('client aborted the request')));
    req.on('data', (chunk: Buffer) => {
      wireBytes += chunk.length;
      idle.refresh();
    });
    if (!inflater) {
      req.on('data', collect);
      req.on('end', succeed);
      return;
    }
    const z = inflater;
    z.on('data', collect);
    z.on('end', succeed);
    z.on('error', (err) => fail(new ValidationError(`request body is not valid ${encoding} data: ${err.message}`)));
    req.on('data', (chunk: Buffer) => {
      if (wireBytes > limitBytes) {
        fail(new PayloadTooLargeError(`compressed request body exceeds the limit of ${limitBytes} bytes`, limitBytes));
        return;
      }
      z.write(chunk);
    });
    req.on('end', () => z.end());
  });
}

function decompressorFor(encoding: string): zlib.Gunzip | zlib.Inflate | null {
  switch (encoding) {
    case 'identity':
    case '':
      return null;
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip();
    case 'deflate':
      return zlib.createInflate();
    default:
      throw new UnsupportedMediaTypeError(`unsupported Content-Encoding "${encoding}" (use gzip, deflate or none)`);
  }
}

import type { IncomingMessage } from 'node:http';
import zlib from 'node:zlib';
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../../core/errors';

/**
 * Reads a request body into one Buffer, decompressing gzip/deflate, and gives
 * up as soon as either the wire bytes or the decompressed bytes pass
 * `limitBytes`: a gzip bomb is cut off after `limitBytes` of output, never
 * inflated whole. The request stream is left paused, not destroyed, so the
 * caller can still answer (413) before closing the connection.
 */
export function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
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

    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      req.pause();
      req.removeAllListeners('data');
      inflater?.destroy();
      reject(err);
    };
    const succeed = () => {
      if (settled) return;
      settled = true;
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
      chunks.push(chunk);
    };

    req.on('error', fail);
    req.on('aborted', () => fail(new ValidationError('client aborted the request')));
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
      wireBytes += chunk.length;
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

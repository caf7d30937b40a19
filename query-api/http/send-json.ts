import type { Response } from 'express';
import { jsonPieces } from './json-pieces';

/** Pieces are gathered into writes of about this size. */
const WRITE_BYTES = 64 * 1024;

/**
 * Answers with `body` as JSON, written as it is serialised: the whole text of a
 * large answer (a 20,000-span trace is ~8 MB) is never held at once, and a slow
 * reader holds the writer back (backpressure) instead of memory filling up.
 * Byte-for-byte what res.json would send. A client that goes away stops it.
 */
export async function sendJson(res: Response, body: unknown, status = 200): Promise<void> {
  res.status(status);
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  let buffered = '';
  for (const piece of jsonPieces(body)) {
    buffered += piece;
    if (buffered.length < WRITE_BYTES) continue;
    if (!(await write(res, buffered))) return;
    buffered = '';
  }
  res.end(buffered);
}

/** Writes a chunk, waiting for 'drain' when the socket's buffer is full; false when the client is gone. */
function write(res: Response, chunk: string): Promise<boolean> {
  if (res.destroyed || res.writableEnded) return Promise.resolve(false);
  if (res.write(chunk)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(ok);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    res.on('drain', onDrain);
    res.on('close', onClose);
  });
}

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
  // One listener each for the whole answer: the compression middleware hands 'drain' listeners to its
  // compressor, where removing them again is not possible, so none are added per wait.
  let wake: (() => void) | undefined;
  const resume = () => {
    const waiting = wake;
    wake = undefined;
    waiting?.();
  };
  res.on('drain', resume);
  res.on('close', resume);
  let buffered = '';
  for (const piece of jsonPieces(body)) {
    buffered += piece;
    if (buffered.length < WRITE_BYTES) continue;
    if (gone(res)) return;
    if (!res.write(buffered)) await new Promise<void>((resolve) => (wake = resolve));
    buffered = '';
  }
  if (!gone(res)) res.end(buffered);
}

/** The client went away (or the answer was ended elsewhere). */
const gone = (res: Response) => res.destroyed || res.writableEnded;

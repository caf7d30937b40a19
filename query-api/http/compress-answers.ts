import compression from 'compression';
import type { RequestHandler } from 'express';

/** Answers smaller than this go as they are (compressing them costs more than it saves). */
export const COMPRESS_THRESHOLD_BYTES = 1024;

/**
 * Compressed answers as the client asks (`Accept-Encoding`: br or gzip, br
 * preferred at quality 4 — about gzip's speed, smaller answers), for every
 * compressible type from 1 KiB. Server-sent events (the live tail) are never
 * compressed: a compressor holds back what it has not filled a block with,
 * and a tail line must reach the browser when it is written.
 */
export function compressAnswers(): RequestHandler {
  return compression({
    threshold: COMPRESS_THRESHOLD_BYTES,
    filter: (req, res) => {
      const type = String(res.getHeader('Content-Type') ?? '');
      if (type.startsWith('text/event-stream')) return false;
      return compression.filter(req, res);
    },
  });
}

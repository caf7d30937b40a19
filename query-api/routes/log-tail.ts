import { Router, type Response } from 'express';
import { parseTextQuery } from '../../core/text-query';
import { optionalString, type Query } from '../params';
import type { LogView } from '../services/log-service';
import type { LogTailService, TailFilter } from '../services/log-tail-service';

export const TAIL_HEARTBEAT_MS = 15_000;

/** The same filter /api/logs applies, without time window and paging. */
function tailFilter(query: Query): TailFilter {
  const q = optionalString(query, 'q');
  return {
    text: q === undefined ? undefined : parseTextQuery(q),
    service: optionalString(query, 'service'),
    severity: optionalString(query, 'severity'),
  };
}

function writeEvent(res: Response, event: string, data: unknown, id?: string): void {
  // JSON has no raw newlines, so one `data:` line carries it whole.
  res.write(`${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

/**
 * GET /logs/tail?q= — Server-Sent Events: `event: log` with a log line as JSON
 * for each new matching line (oldest first), `event: dropped` when one poll
 * found more than it may send, `event: problem` when a poll failed, and a
 * comment line every 15 s so proxies keep the stream open.
 */
export function logTailRouter(tails: LogTailService, options: { heartbeatMs?: number } = {}): Router {
  const router = Router();
  router.get('/logs/tail', (req, res) => {
    const filter = tailFilter(req.query as Query);
    let heartbeat: NodeJS.Timeout | undefined;
    let handle: { stop(): void } | undefined;
    const close = () => {
      if (heartbeat) clearInterval(heartbeat);
      handle?.stop();
      if (!res.writableEnded) res.end();
    };
    // Throws (→ 503 with Retry-After) before any header is sent when too many tails are open.
    handle = tails.open(filter, {
      lines: (logs: LogView[]) => {
        for (const log of logs) writeEvent(res, 'log', log, `${log.timeUs}-${log.id}`);
      },
      dropped: (count, atLeast) => writeEvent(res, 'dropped', { count, atLeast }),
      problem: (message) => writeEvent(res, 'problem', { error: message }),
    });
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    res.write('retry: 2000\n: tail open\n\n');
    heartbeat = setInterval(() => res.write(': heartbeat\n\n'), options.heartbeatMs ?? TAIL_HEARTBEAT_MS);
    heartbeat.unref();
    res.on('close', close);
    res.on('error', close);
  });
  return router;
}

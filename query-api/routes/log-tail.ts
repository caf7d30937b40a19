import { Router, type Response } from 'express';
import { LOGQL_LIMITS, LogQuerySyntaxError, parseLogQuery } from '../../core/logql';
import { optionalString, spanIdParam, traceIdParam, type Query } from '../params';
import type { LogView } from '../services/log-service';
import type { LogTailService, TailFilter } from '../services/log-tail-service';

export const TAIL_HEARTBEAT_MS = 15_000;

/** The same filters /api/logs applies (q in the query language, the single-field ones), without time window and paging. */
function tailFilter(query: Query): TailFilter {
  const q = optionalString(query, 'q', LOGQL_LIMITS.length);
  const traceId = optionalString(query, 'traceId');
  const spanId = optionalString(query, 'spanId');
  return {
    filter: q === undefined ? undefined : parseLogQuery(q),
    service: optionalString(query, 'service'),
    severity: optionalString(query, 'severity'),
    traceId: traceId === undefined ? undefined : traceIdParam(traceId),
    spanId: spanId === undefined ? undefined : spanIdParam(spanId),
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
    let filter: TailFilter;
    try {
      filter = tailFilter(req.query as Query);
    } catch (err) {
      // like /api/logs: where the query went wrong and what was expected there, for the query box
      if (err instanceof LogQuerySyntaxError) return void res.status(400).json(err.toJSON());
      throw err;
    }
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

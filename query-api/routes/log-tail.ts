import { Router, type Response } from 'express';
import type { LogCursor } from '../../core/contracts/log-store';
import type { TailDroppedEvent } from '../../core/wire';
import { ValidationError } from '../../core/errors';
import { LOGQL_LIMITS, parseLogQuery } from '../../core/logql';
import { MAX_SERVICE_NAME_LENGTH, optionalString, spanIdParam, traceIdParam, type Query } from '../params';
import type { LogTailService, TailFilter, TailLine } from '../services/log-tail-service';

export const TAIL_HEARTBEAT_MS = 15_000;

/** The same filters /api/logs applies (q in the query language, the single-field ones), without time window and paging. */
function tailFilter(query: Query): TailFilter {
  const q = optionalString(query, 'q', LOGQL_LIMITS.length);
  const traceId = optionalString(query, 'traceId');
  const spanId = optionalString(query, 'spanId');
  return {
    filter: q === undefined ? undefined : parseLogQuery(q),
    service: optionalString(query, 'service', MAX_SERVICE_NAME_LENGTH),
    severity: optionalString(query, 'severity'),
    traceId: traceId === undefined ? undefined : traceIdParam(traceId),
    spanId: spanId === undefined ? undefined : spanIdParam(spanId),
  };
}

/** The `id:` of a `log` event: where a tail resumed after it starts. */
export function tailEventId(after: LogCursor): string {
  return `${after.timeUs}-${after.id}`;
}

/** `<timeUs>-<log id>`, as tailEventId writes it; log ids are letters, digits, _ . : - (at most 128). */
const EVENT_ID = /^(\d{1,17})-([0-9A-Za-z_.:-]{1,128})$/;

/**
 * The Last-Event-ID header a reconnecting EventSource sends: absent or empty
 * = a new tail; an id this route wrote = resume after it; anything else is a
 * 400 (it never came from this API, and starting afresh would hide a gap).
 */
export function resumeCursor(header: string | undefined): LogCursor | undefined {
  const raw = header?.trim();
  if (!raw) return undefined;
  const m = EVENT_ID.exec(raw);
  const timeUs = m ? Number(m[1]) : NaN;
  if (!m || !Number.isSafeInteger(timeUs)) {
    const shown = raw.length > 60 ? `${raw.slice(0, 60)}…` : raw;
    throw new ValidationError(`Last-Event-ID must be the id of an event this tail sent (<timeUs>-<log id>), got "${shown}"`, 'Last-Event-ID');
  }
  return { timeUs, id: m[2] };
}

function writeEvent(res: Response, event: string, data: unknown, id?: string): void {
  // JSON has no raw newlines, so one `data:` line carries it whole.
  res.write(`${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

/**
 * GET /logs/tail?q= — Server-Sent Events: `event: log` with a log line as JSON
 * for each new matching line (oldest first, `id:` to resume after it),
 * `event: dropped` when matching lines were skipped (one poll found more than
 * it may send, or a resumed gap reached too far back), `event: problem` when a
 * poll failed, and a comment line every 15 s so proxies keep the stream open.
 * A `Last-Event-ID` header (EventSource sends it when it reconnects) resumes
 * after that line.
 */
export function logTailRouter(tails: LogTailService, options: { heartbeatMs?: number } = {}): Router {
  const router = Router();
  router.get('/logs/tail', (req, res) => {
    // a syntax error in q is a 400 with where it went wrong (the error middleware), before the stream starts
    const filter = tailFilter(req.query as Query);
    const resumeAfter = resumeCursor(req.get('Last-Event-ID'));
    let heartbeat: NodeJS.Timeout | undefined;
    let handle: { stop(): void } | undefined;
    const close = () => {
      if (heartbeat) clearInterval(heartbeat);
      handle?.stop();
      if (!res.writableEnded) res.end();
    };
    // Throws (→ 503 with Retry-After) before any header is sent when too many tails are open.
    handle = tails.open(
      filter,
      {
        lines: (lines: TailLine[]) => {
          for (const { log, after } of lines) writeEvent(res, 'log', log, tailEventId(after));
        },
        dropped: (count, atLeast, reason) => writeEvent(res, 'dropped', { count, atLeast, reason } satisfies TailDroppedEvent),
        problem: (message) => writeEvent(res, 'problem', { error: message }),
      },
      resumeAfter,
    );
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

import { Router, type Response } from 'express';
import { OverloadedError } from '../../core/errors';
import type { DashboardData, DashboardList } from '../../core/wire';
import { dashboardIdParam, optionalDurationUs, optionalTimeUs, type Query } from '../params';
import type { DashboardService } from '../services/dashboard-service';
import type { IncidentService } from '../services/incident-service';

/** Open dashboard streams at most (a wall screen holds one); more are a 503 with Retry-After. */
export const MAX_DASHBOARD_STREAMS = 200;
/** A stream's `refresh` may ask for 1 s .. 10 min (default: the dashboard's). */
export const MIN_STREAM_REFRESH_US = 1_000_000;
export const MAX_STREAM_REFRESH_US = 600_000_000;
/** The `retry:` a stream tells EventSource; the screen backs off by itself beyond it. */
export const STREAM_RETRY_MS = 2000;

function writeEvent(res: Response, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

/** `incidents`: the incidents a screen's time series shade, sent on its stream (none without). */
export function dashboardsRouter(dashboards: DashboardService, incidents?: Pick<IncidentService, 'list' | 'listVersion'>): Router {
  const router = Router();
  let openStreams = 0;

  router.get('/dashboards', (_req, res) => {
    res.json({ dashboards: dashboards.list() } satisfies DashboardList);
  });

  router.get('/dashboards/:id', (req, res) => {
    res.json(dashboards.get(dashboardIdParam(req.params.id)));
  });

  router.get('/dashboards/:id/data', async (req, res) => {
    const id = dashboardIdParam(req.params.id);
    const endUs = optionalTimeUs(req.query as Query, 'end');
    res.json(await dashboards.data(id, endUs === undefined ? undefined : Math.floor(endUs / 1000)));
  });

  /**
   * Server-Sent Events: `event: data` with every panel's data (DashboardData) at
   * once and then every refresh, `event: problem` when a refresh failed as a
   * whole, `event: incidents` (IncidentsAnswer) before the first data and then
   * before the data of a refresh when they changed. One stream per screen; the server computes, the
   * screen only draws (it makes no other request while it runs).
   */
  router.get('/dashboards/:id/stream', (req, res) => {
    const id = dashboardIdParam(req.params.id);
    const refreshUs = optionalDurationUs(req.query as Query, 'refresh', MAX_STREAM_REFRESH_US);
    const refreshMs = Math.max(MIN_STREAM_REFRESH_US, refreshUs ?? dashboards.refreshMs(id) * 1000) / 1000;
    if (openStreams >= MAX_DASHBOARD_STREAMS) throw new OverloadedError(`${MAX_DASHBOARD_STREAMS} dashboard streams are open`, 5);
    openStreams++;
    let timer: NodeJS.Timeout | undefined;
    let closed = false;
    let incidentsSent: string | null = null;
    const close = () => {
      if (closed) return;
      closed = true;
      openStreams--;
      if (timer) clearTimeout(timer);
      if (!res.writableEnded) res.end();
    };
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    res.write(`retry: ${STREAM_RETRY_MS}\n: dashboard ${id}\n\n`);
    // the next refresh is timed from the end of this one, so a slow store never stacks refreshes
    const push = async () => {
      try {
        const data: DashboardData = await dashboards.data(id, undefined, refreshMs);
        // the incidents just before the data they are drawn with
        if (incidents && !closed) {
          const answer = incidents.list();
          const version = incidents.listVersion(answer);
          if (version !== incidentsSent) writeEvent(res, 'incidents', answer);
          incidentsSent = version;
        }
        if (!closed) writeEvent(res, 'data', { ...data, refreshMs });
      } catch (err) {
        if (!closed) writeEvent(res, 'problem', { error: (err as Error).message });
      }
      if (!closed) {
        timer = setTimeout(push, refreshMs);
        timer.unref();
      }
    };
    res.on('close', close);
    res.on('error', close);
    void push();
  });

  return router;
}

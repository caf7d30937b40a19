import { apiUrl } from '../api';
import type { DashboardData, IncidentsAnswer } from '../../../core/wire';
import { backoffMs } from './screenOptions';

export interface StreamState {
  connected: boolean;
  /** When the screen last lost the server (ms since the epoch); null while data flows. */
  staleSinceMs: number | null;
  /** When the next reconnect attempt starts; null while connected. */
  retryAtMs: number | null;
}

export interface StreamHandlers {
  data(data: DashboardData): void;
  /** The incidents time series shade: before the first data, then before a refresh's data when they changed. */
  incidents(answer: IncidentsAnswer): void;
  state(state: StreamState): void;
}

/**
 * One Server-Sent Events stream for a screen (/api/dashboards/<id>/stream).
 * When it breaks — the server is gone, or no data came for `silenceMs` — the
 * screen keeps what it has and tries again after 1 s, 2 s, 4 s … 30 s (with
 * jitter, so a wall of screens does not reconnect at once), without a reload.
 * EventSource's own retry is not used: it retries at a fixed pace for ever,
 * and not at all after some failures. Returns a function that closes it.
 */
export function openScreenStream(id: string, refreshMs: number | null, silenceMs: number, on: StreamHandlers): () => void {
  const url = apiUrl(`dashboards/${encodeURIComponent(id)}/stream`, refreshMs ? { refresh: `${refreshMs}ms` } : {});
  let source: EventSource | null = null;
  let attempt = 0;
  let staleSinceMs: number | null = null;
  let lastHeardMs = Date.now();
  let retry: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const open = () => {
    retry = undefined;
    lastHeardMs = Date.now();
    const es = new EventSource(url);
    source = es;
    es.addEventListener('data', (event) => {
      lastHeardMs = Date.now();
      let data: DashboardData;
      try {
        data = JSON.parse((event as MessageEvent<string>).data) as DashboardData;
      } catch {
        return;
      }
      attempt = 0;
      staleSinceMs = null;
      on.state({ connected: true, staleSinceMs: null, retryAtMs: null });
      on.data(data);
    });
    es.addEventListener('incidents', (event) => {
      lastHeardMs = Date.now();
      try {
        on.incidents(JSON.parse((event as MessageEvent<string>).data) as IncidentsAnswer);
      } catch {
        // a broken event changes nothing: the screen keeps the incidents it has
      }
    });
    es.addEventListener('problem', () => {
      lastHeardMs = Date.now();
    });
    es.onerror = () => broken();
  };

  const broken = () => {
    if (closed || !source) return;
    source.close();
    source = null;
    staleSinceMs ??= Date.now();
    const wait = backoffMs(attempt++, Math.random());
    on.state({ connected: false, staleSinceMs, retryAtMs: Date.now() + wait });
    retry = setTimeout(open, wait);
  };

  // a server that keeps the connection but stops sending (a hung store, a proxy) counts as gone too
  const watchdog = setInterval(() => {
    if (source && Date.now() - lastHeardMs > silenceMs) broken();
  }, 1000);

  open();
  return () => {
    closed = true;
    clearInterval(watchdog);
    if (retry) clearTimeout(retry);
    source?.close();
    source = null;
  };
}

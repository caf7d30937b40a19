import { apiUrl } from '../api';
import { clockSeconds } from '../numberText';
import { errorBox, h, replace } from '../dom';
import { formatHash, navigate, type Route } from '../route';
import type { DashboardData, DashboardList, DashboardView, Incident } from '../../../core/wire';
import { drawPanel } from './screenPanels';
import { gridArea } from './screenLayout';
import { durationMs, MAX_REFRESH_MS, MIN_REFRESH_MS, nextInPlaylist, screenOptions, shortSpan, type ScreenOptions } from './screenOptions';
import { openScreenStream, type StreamState } from './screenStream';
import { addScreenStyles } from './screenStyles';

/** No data for this many refresh periods: the server counts as gone. */
const SILENT_REFRESHES = 3;

async function getJson<T>(path: string, signal: AbortSignal): Promise<T> {
  const res = await fetch(apiUrl(path), { signal, headers: { accept: 'application/json' } });
  // AUTH=tokens and no (or an expired) session: the server's login page
  if (res.status === 401) location.assign(new URL('login', document.baseURI).href);
  const body = (await res.json().catch(() => ({}))) as T & { error?: string };
  if (!res.ok) throw new Error(`${res.status} ${body.error ?? res.statusText}`);
  return body;
}

/** #/screens: the dashboards, each a link to its wall screen. */
function renderIndex(root: HTMLElement, signal: AbortSignal): void {
  replace(root, h('h1', null, 'Wall screens'), h('p', { class: 'muted' }, 'Loading…'));
  getJson<DashboardList>('dashboards', signal)
    .then((list) =>
      replace(
        root,
        h('h1', null, 'Wall screens'),
        h('p', { class: 'muted' }, 'Dashboards from dashboards/ and DASHBOARDS_DIR. Kiosk mode hides the navigation; the screen updates itself.'),
        h('ul', { class: 'screen-index' }, ...list.dashboards.map((d) =>
          h('li', null, h('a', { href: `${formatHash(['screens', d.id])}?kiosk=1&theme=dark` }, d.title), ' — ', d.description, ' ', h('a', { href: formatHash(['screens', d.id]) }, '(with navigation)')),
        )),
      ),
    )
    .catch((err) => signal.aborted || replace(root, errorBox(err)));
}

/**
 * #/screens/<id>?kiosk=1&refresh=10s&theme=dark&playlist=a,b&every=60s — a
 * dashboard on a wall: the grid fills the viewport (no scrolling), the server
 * pushes every panel's data over one stream, and when the server goes away
 * the last data stays, greyed, with "stale since …" until it comes back.
 */
export function renderScreen(root: HTMLElement, route: Route, signal: AbortSignal): () => void {
  addScreenStyles();
  const id = route.path[1];
  if (!id) {
    renderIndex(root, signal);
    return () => undefined;
  }
  const options = screenOptions(id, route.params);
  document.body.classList.toggle('kiosk', options.kiosk);
  const cleanups: (() => void)[] = [() => document.body.classList.remove('kiosk')];
  const cleanup = () => cleanups.forEach((f) => f());
  replace(root, h('p', { class: 'muted' }, 'Loading…'));
  getJson<DashboardView>(`dashboards/${encodeURIComponent(id)}`, signal)
    .then((dashboard) => {
      if (signal.aborted) return;
      cleanups.push(mountScreen(root, dashboard, options, route));
    })
    .catch((err) => signal.aborted || replace(root, errorBox(err)));
  return cleanup;
}

function mountScreen(root: HTMLElement, dashboard: DashboardView, options: ScreenOptions, route: Route): () => void {
  const status = h('div', { class: 'screen-status', attrs: { 'aria-live': 'polite' } });
  const grid = h('div', { class: 'screen-grid' });
  grid.style.gridTemplateColumns = `repeat(${dashboard.columns}, minmax(0, 1fr))`;
  grid.style.gridTemplateRows = `repeat(${dashboard.rows}, minmax(0, 1fr))`;
  const bodies = new Map<string, HTMLElement>();
  for (const panel of dashboard.panels) {
    const body = h('div', { class: 'panel-body' }, h('p', { class: 'screen-empty' }, 'Waiting for data…'));
    bodies.set(panel.id, body);
    const section = h('section', { class: `screen-panel panel-${panel.type}`, data: { panel: panel.id } }, h('h2', null, panel.title), body);
    section.style.gridArea = gridArea(panel);
    grid.appendChild(section);
  }
  const screen = h(
    'div',
    { class: `screen theme-${options.theme}`, data: { dashboard: dashboard.id } },
    h('header', { class: 'screen-head' }, h('h1', null, dashboard.title), h('span', { class: 'screen-desc' }, dashboard.description), status),
    grid,
  );
  replace(root, screen);

  let last: DashboardData | null = null;
  let receivedMs = 0;
  // the incidents shaded on time-series panels: the stream sends them before its first data and when they change (none without an evaluator)
  let incidents: readonly Incident[] = [];
  let state: StreamState = { connected: false, staleSinceMs: null, retryAtMs: null };
  const drawStatus = () => {
    const now = Date.now();
    const parts: (string | HTMLElement)[] = [];
    if (state.staleSinceMs !== null) {
      parts.push(h('span', { class: 'stale-note' }, `stale since ${clockSeconds(state.staleSinceMs * 1000)} (${shortSpan(now - state.staleSinceMs)})`));
      parts.push(state.retryAtMs !== null ? `retrying in ${shortSpan(state.retryAtMs - now)}` : 'reconnecting…');
    } else if (last) {
      parts.push(`updated ${clockSeconds(last.generatedAtUs)} · next in ${shortSpan(receivedMs + last.refreshMs - now)}`);
    } else parts.push('connecting…');
    replace(status, ...parts);
    screen.classList.toggle('stale', state.staleSinceMs !== null);
  };

  const refreshMs = options.refreshMs ?? durationMs(dashboard.refresh, MIN_REFRESH_MS, MAX_REFRESH_MS) ?? 10_000;
  const close = openScreenStream(dashboard.id, options.refreshMs, SILENT_REFRESHES * refreshMs + 5_000, {
    data(data) {
      last = data;
      receivedMs = Date.now();
      drawPanels(data);
      drawStatus();
    },
    // drawn with the data that follows them on the stream
    incidents(answer) {
      incidents = answer.incidents;
    },
    state(next) {
      state = next;
      drawStatus();
    },
  });
  function drawPanels(data: DashboardData): void {
    for (const panel of dashboard.panels) {
      const body = bodies.get(panel.id)!;
      const result = data.panels[panel.id];
      if (!result) continue;
      // a panel that failed this time keeps its last drawing, with the reason under it
      if (result.ok) drawPanel(body, panel, result.data, incidents);
      else {
        body.querySelector('.panel-error')?.remove();
        body.appendChild(h('p', { class: 'panel-error' }, result.error));
      }
    }
  }
  const tick = setInterval(drawStatus, 1000);
  let rotate: ReturnType<typeof setTimeout> | undefined;
  if (options.playlist.length > 1) {
    rotate = setTimeout(() => navigate(`${formatHash(['screens', nextInPlaylist(options.playlist, dashboard.id)])}?${route.params.toString()}`), options.everyMs);
  }
  return () => {
    close();
    clearInterval(tick);
    if (rotate) clearTimeout(rotate);
  };
}

import { api } from './api';
import { errorBox, replace } from './dom';
import { parseHash, type Route } from './route';
import { loadSettings } from './settings';
import { renderChainCompare } from './views/chainCompare';
import { renderChainPage } from './views/chainPage';
import { renderHome } from './views/home';
import { renderIncidentPage } from './views/incidentPage';
import { renderIncidents } from './views/incidentsPage';
import { renderScreen } from './screens/screenPage';
import { renderLogSearch } from './views/logSearch';
import { renderMetricsPage } from './views/metricsPage';
import { renderSlowOrders } from './views/slowOrders';
import { renderTopologyPage } from './views/topologyPage';
import { renderTracePage } from './views/tracePage';
import { renderTraceSearch } from './views/traceSearch';

/** A view draws into `root`; it may return a cleanup run when the route changes. */
export type View = (root: HTMLElement, route: Route, signal: AbortSignal) => void | (() => void);

function pick(route: Route): { view: View; nav: string } | null {
  const [first, second, third] = route.path;
  if (first === undefined || first === 'home') return { view: renderHome, nav: 'home' };
  if (first === 'traces') return { view: renderTraceSearch, nav: 'traces' };
  if (first === 'trace' && second) return { view: renderTracePage, nav: 'traces' };
  if (first === 'logs') return { view: renderLogSearch, nav: 'logs' };
  if (first === 'chains' && second === 'compare') return { view: renderChainCompare, nav: 'slow' };
  if (first === 'chain' && second && third) return { view: renderChainPage, nav: 'home' };
  if (first === 'topology') return { view: renderTopologyPage, nav: 'topology' };
  if (first === 'slow') return { view: renderSlowOrders, nav: 'slow' };
  if (first === 'metrics') return { view: renderMetricsPage, nav: 'metrics' };
  if (first === 'screens') return { view: renderScreen, nav: 'screens' };
  if (first === 'incidents') return { view: renderIncidents, nav: 'incidents' };
  if (first === 'incident' && second) return { view: renderIncidentPage, nav: 'incidents' };
  return null;
}

let current: { abort: AbortController; cleanup?: () => void } | null = null;

function render(): void {
  const root = document.getElementById('app')!;
  if (current) {
    current.abort.abort();
    current.cleanup?.();
  }
  const abort = new AbortController();
  current = { abort };
  const route = parseHash(location.hash);
  const chosen = pick(route);
  for (const a of document.querySelectorAll<HTMLAnchorElement>('[data-nav]')) {
    a.classList.toggle('active', a.dataset.nav === chosen?.nav);
  }
  replace(root);
  if (!chosen) {
    replace(root, errorBox(new Error(`No page at ${location.hash}`)));
    return;
  }
  try {
    current.cleanup = chosen.view(root, route, abort.signal) || undefined;
  } catch (err) {
    replace(root, errorBox(err));
  }
}

function checkHealth(): void {
  const badge = document.getElementById('health');
  // a wall screen in kiosk mode hides the top bar with the badge, and its stream tells when the server is gone: no request of its own
  if (!badge || document.body.classList.contains('kiosk')) return;
  api
    .health()
    .then((h) => {
      badge.textContent = h.status === 'ok' ? 'API ok' : `API ${h.status}`;
      badge.title = (h.problems ?? []).join('\n');
      badge.className = `health ${h.status === 'ok' ? 'ok' : 'bad'}`;
    })
    .catch((err: Error) => {
      badge.textContent = 'API down';
      badge.title = err.message;
      badge.className = 'health bad';
    });
}

window.addEventListener('hashchange', render);
window.addEventListener('DOMContentLoaded', () => {
  if (!location.hash) history.replaceState(null, '', '#/');
  // the key pickers need the configured business keys before the first view draws
  void loadSettings().then(render);
  checkHealth();
  // a full disk or a failing store shows up without a reload
  setInterval(checkHealth, 30_000);
});

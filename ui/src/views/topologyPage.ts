import { insightApi, isAbort, type RatedTopology, type RateWindow, type TopologyEdge, type TopologyNode } from '../api';
import { errorBox, h, nameSpan, replace } from '../dom';
import { formatHash, navigate, replaceHash, type Route } from '../route';
import { drawRedCharts } from './redCharts';
import { redOverlay } from './redOverlay';
import { liveRefresh, refreshSeconds } from './liveRefresh';
import { renderServicesTable, type ServiceSort, type ServiceSortKey } from './servicesTable';
import { DEFAULT_WINDOW, statsStepSeconds, WINDOWS } from './topologyWindows';
import { drawTopology, edgeId, msText, pct, rateText, type TopologyGraph } from './topologyGraph';
import { THRESHOLDS, type ColorMode } from './topologyLayout';

const SORT_KEYS: readonly ServiceSortKey[] = ['service', 'rate', 'errors', 'p50', 'p95', 'p99'];

/** #/topology?range=1h&color=errors|p95[&node=<id>|&edge=<source→target>][&refresh=10|30|60][&live=0][&sort=p95[&asc=1]] */
export function renderTopologyPage(root: HTMLElement, route: Route, signal: AbortSignal): () => void {
  const params = route.params;
  const win = WINDOWS.find((w) => w.value === params.get('range')) ?? WINDOWS.find((w) => w.value === DEFAULT_WINDOW)!;
  let mode: ColorMode = params.get('color') === 'p95' ? 'p95' : 'errors';
  let end = Date.now();
  let start = end - win.ms;
  const windowSeconds = win.ms / 1000;
  const sortKey = SORT_KEYS.find((k) => k === params.get('sort')) ?? 'rate';
  let sort: ServiceSort = { key: sortKey, desc: params.get('asc') !== '1' };

  const hashWith = (changes: Record<string, string | null>) => {
    const p = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v === null) p.delete(k);
      else p.set(k, v);
    }
    return formatHash(['topology'], p);
  };

  const windowButtons = h(
    'div',
    { class: 'seg', attrs: { role: 'group', 'aria-label': 'Time window' } },
    ...WINDOWS.map((w) =>
      h(
        'button',
        { class: w === win ? 'active' : undefined, attrs: { type: 'button', 'data-range': w.value, 'aria-pressed': w === win ? 'true' : 'false' }, on: { click: () => navigate(hashWith({ range: w.value })) } },
        w.label,
      ),
    ),
  );
  const modeButtons = h('div', { class: 'seg', attrs: { role: 'group', 'aria-label': 'Colour by' } });
  const legendBox = h('span', { class: 'legend topo-legend' });
  const drawModeControls = () => {
    replace(
      modeButtons,
      ...(['errors', 'p95'] as const).map((m) =>
        h(
          'button',
          {
            class: m === mode ? 'active' : undefined,
            attrs: { type: 'button', 'data-color': m, 'aria-pressed': m === mode ? 'true' : 'false' },
            on: {
              click: () => {
                mode = m;
                params.set('color', m);
                replaceHash(formatHash(['topology'], params));
                graph?.setColorMode(m);
                drawModeControls();
              },
            },
          },
          m === 'errors' ? 'Error rate' : 'p95 latency',
        ),
      ),
    );
    const t = THRESHOLDS[mode];
    const fmt = (v: number) => (mode === 'errors' ? pct(v) : msText(v));
    replace(
      legendBox,
      h('span', { class: 'legend-item' }, h('span', { class: 'swatch health-ok' }), `< ${fmt(t.warn)}`),
      h('span', { class: 'legend-item' }, h('span', { class: 'swatch health-warn' }), `${fmt(t.warn)} – ${fmt(t.bad)}`),
      h('span', { class: 'legend-item' }, h('span', { class: 'swatch health-bad' }), `≥ ${fmt(t.bad)}`),
      h('span', { class: 'legend-item muted' }, '○ service  ⌸ database  ▭ queue  ◇ external  ┄ async  width = calls/s'),
    );
  };
  drawModeControls();

  const stage = h('div', { class: 'topo-stage' }, h('div', { class: 'status-line' }, 'Loading topology…'));
  const rateNote = h('div', { class: 'topo-rate-note muted' });
  const servicesBox = h('div', { class: 'services-box' }, h('p', { class: 'muted' }, 'Loading services…'));
  const live = liveRefresh({
    seconds: refreshSeconds(params.get('refresh')),
    paused: params.get('live') === '0',
    refresh: () => load(),
    onChange: (state) => {
      params.set('refresh', String(state.seconds));
      if (state.paused) params.set('live', '0');
      else params.delete('live');
      replaceHash(formatHash(['topology'], params));
    },
  });
  const side = h('aside', { class: 'topo-side empty', attrs: { 'aria-label': 'Details' } }, h('p', { class: 'muted' }, 'Click a node for its RED charts, or an edge for its calls. Drag nodes to pin them; double-click to release.'));
  replace(
    root,
    h(
      'section',
      { class: 'panel topo-toolbar' },
      h('span', { class: 'field-label' }, 'Window'),
      windowButtons,
      h('span', { class: 'field-label' }, 'Colour by'),
      modeButtons,
      legendBox,
      live.element,
    ),
    h(
      'div',
      { class: 'topo-body' },
      h('section', { class: 'panel topo-main' }, stage, rateNote),
      h('div', { class: 'topo-column' }, h('section', { class: 'panel services-panel', attrs: { 'aria-label': 'Services' } }, h('h3', null, 'Services'), servicesBox), side),
    ),
  );

  let graph: TopologyGraph | null = null;
  let topo: RatedTopology | null = null;
  let sideAbort: AbortController | null = null;

  const clearSide = () => {
    sideAbort?.abort();
    side.className = 'topo-side empty';
    replace(side, h('p', { class: 'muted' }, 'Click a node for its RED charts, or an edge for its calls.'));
    graph?.select(null);
    params.delete('node');
    params.delete('edge');
    replaceHash(formatHash(['topology'], params));
  };

  const showNode = (node: TopologyNode) => {
    sideAbort?.abort();
    sideAbort = new AbortController();
    graph?.select('node', node.id);
    params.delete('edge');
    params.set('node', node.id);
    replaceHash(formatHash(['topology'], params));
    side.className = 'topo-side';
    const inEdges = topo?.edges.filter((e) => e.target === node.id) ?? [];
    const outEdges = topo?.edges.filter((e) => e.source === node.id) ?? [];
    const charts = h('div', { class: 'red-charts' });
    const ops = h('div', { class: 'ops-box' });
    replace(
      side,
      h('div', { class: 'detail-head' }, h('h2', { class: 'detail-title' }, nameSpan(node.id)), h('button', { class: 'close', attrs: { type: 'button', 'aria-label': 'Close' }, on: { click: clearSide } }, '×')),
      h('div', { class: 'detail-tags' }, h('span', { class: `chip kind-chip kind-${node.kind}` }, node.kind)),
      metricFacts(node.calls, rateOf(node), node.errorRate, node),
      node.kind === 'service' ? h('p', null, h('a', { href: formatHash(['traces'], new URLSearchParams({ service: node.id, range: win.value })) }, 'Search traces of ', nameSpan(node.id), ' →')) : null,
      edgeList('Called by', inEdges, (e) => e.source, showEdge),
      edgeList('Calls', outEdges, (e) => e.target, showEdge),
      node.kind === 'service' ? h('div', { class: 'detail-section' }, h('h3', null, 'RED over time'), charts) : null,
      node.kind === 'service' ? h('div', { class: 'detail-section' }, h('h3', null, 'Slowest operations'), ops) : null,
    );
    if (node.kind !== 'service') return;
    charts.appendChild(h('p', { class: 'muted' }, 'Loading…'));
    const signalSide = sideAbort.signal;
    Promise.all([insightApi.serviceStats(node.id, { start, end, step: statsStepSeconds(win.ms) }, signalSide), redOverlay(node.id, start, end, signalSide)])
      .then(([stats, overlay]) => {
        drawRedCharts(charts, stats.series, overlay);
        const sorted = [...stats.operations].sort((a, b) => (b.p95Ms ?? -1) - (a.p95Ms ?? -1)).slice(0, 10);
        replace(
          ops,
          sorted.length
            ? h(
                'table',
                { class: 'results ops-table' },
                h('thead', null, h('tr', null, ...['Operation', 'Calls', 'Err', 'p50', 'p95', 'p99'].map((c, i) => h('th', { class: i ? 'num' : undefined }, c)))),
                h(
                  'tbody',
                  null,
                  ...sorted.map((o) =>
                    h(
                      'tr',
                      null,
                      h('td', null, h('a', { href: formatHash(['traces'], new URLSearchParams({ service: node.id, operation: o.name, range: win.value })) }, nameSpan(o.name))),
                      h('td', { class: 'num' }, o.calls),
                      h('td', { class: `num${o.errors ? ' err-text' : ''}` }, pct(o.errorRate)),
                      h('td', { class: 'num' }, msText(o.p50Ms)),
                      h('td', { class: 'num' }, msText(o.p95Ms)),
                      h('td', { class: 'num' }, msText(o.p99Ms)),
                    ),
                  ),
                ),
              )
            : h('p', { class: 'muted' }, 'No operations in this window.'),
        );
      })
      .catch((err) => {
        if (isAbort(err)) return;
        replace(charts, errorBox(err));
        replace(ops);
      });
  };

  const showEdge = (edge: TopologyEdge) => {
    sideAbort?.abort();
    graph?.select('edge', edgeId(edge));
    params.delete('node');
    params.set('edge', edgeId(edge));
    replaceHash(formatHash(['topology'], params));
    side.className = 'topo-side';
    const errorRate = edge.calls > 0 ? edge.errors / edge.calls : 0;
    replace(
      side,
      h(
        'div',
        { class: 'detail-head' },
        h('h2', { class: 'detail-title' }, nameSpan(edge.source), ' → ', nameSpan(edge.target)),
        h('button', { class: 'close', attrs: { type: 'button', 'aria-label': 'Close' }, on: { click: clearSide } }, '×'),
      ),
      h('div', { class: 'detail-tags' }, h('span', { class: 'chip' }, edge.kind === 'async' ? 'async (messaging)' : 'sync call')),
      metricFacts(edge.calls, rateOf(edge), errorRate, edge, edge.errors),
      h(
        'p',
        null,
        h('a', { class: 'edge-traces', href: formatHash(['traces'], new URLSearchParams({ service: edge.source, range: win.value })) }, 'Search traces from ', nameSpan(edge.source), ' →'),
      ),
    );
  };

  /** Rate of a node or edge as the API last sent it (over the rate window). */
  const rateOf = (x: TopologyNode | TopologyEdge): number => {
    const rated = x as (TopologyNode | TopologyEdge) & { ratePerSec?: number };
    return rated.ratePerSec ?? x.calls / windowSeconds;
  };
  const drawServices = (overview: Awaited<ReturnType<typeof insightApi.servicesOverview>>) =>
    renderServicesTable(servicesBox, overview, {
      sort,
      selected: params.get('node'),
      onSort: (next) => {
        sort = next;
        params.set('sort', next.key);
        if (next.desc) params.delete('asc');
        else params.set('asc', '1');
        replaceHash(formatHash(['topology'], params));
        drawServices(overview);
      },
      onPick: (service) => {
        const n = topo?.nodes.find((x) => x.id === service);
        if (n) showNode(n);
      },
    });

  /** Loads (or reloads) the window ending now: the map keeps its places, the selection stays. */
  const load = async (): Promise<void> => {
    end = Date.now();
    start = end - win.ms;
    try {
      const [next, overview] = await Promise.all([
        insightApi.topology({ start, end }, signal),
        insightApi.servicesOverview({ start, end, step: statsStepSeconds(win.ms) }, signal).catch((err: unknown) => err as Error),
      ]);
      topo = next;
      rateNote.textContent = rateNoteText(topo.rate);
      if (overview instanceof Error) {
        if (!isAbort(overview)) replace(servicesBox, errorBox(overview));
      } else {
        drawServices(overview);
      }
      if (!topo.nodes.length) {
        graph?.stop();
        graph = null;
        replace(stage, h('p', { class: 'empty' }, 'No calls in this window. Pick a longer window or send some traffic.'));
        return;
      }
      graph?.stop();
      if (!graph) replace(stage);
      graph = drawTopology(stage, topo, { windowSeconds, colorMode: mode, onNode: showNode, onEdge: showEdge, onBackground: clearSide });
      const wantedNode = params.get('node');
      const wantedEdge = params.get('edge');
      const n = wantedNode ? topo.nodes.find((x) => x.id === wantedNode) : undefined;
      const e = wantedEdge ? topo.edges.find((x) => edgeId(x) === wantedEdge) : undefined;
      // the selection stays, its panel showing the new figures
      if (n) showNode(n);
      else if (e) showEdge(e);
    } catch (err) {
      if (!isAbort(err)) replace(stage, errorBox(err));
    }
  };
  void load().then(() => live.loaded());

  return () => {
    live.stop();
    graph?.stop();
    sideAbort?.abort();
  };
}

/** "rates: calls/s over the 5 min before 12:34" */
function rateNoteText(rate: RateWindow): string {
  const minutes = Math.round(rate.seconds / 60);
  const until = new Date(rate.endUs / 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  const span = rate.seconds >= 60 && Number.isInteger(rate.seconds / 60) ? `${minutes} min` : `${Math.round(rate.seconds)} s`;
  return `Rates: calls per second over the ${span} before ${until} (the minute in progress is left out).`;
}

function metricFacts(calls: number, ratePerSec: number, errorRate: number | null, lat: { p50Ms: number | null; p95Ms: number | null; p99Ms: number | null }, errors?: number): HTMLElement {
  const f = (label: string, value: string, cls?: string) => h('div', { class: `fact${cls ? ` ${cls}` : ''}` }, h('span', { class: 'fact-label' }, label), h('span', { class: 'fact-value' }, value));
  return h(
    'div',
    { class: 'facts topo-facts' },
    f('Calls', String(calls)),
    f('Rate', rateText(ratePerSec)),
    errors !== undefined ? f('Errors', String(errors), errors ? 'error' : undefined) : null,
    f('Error rate', pct(errorRate), errorRate ? 'error' : undefined),
    f('p50', msText(lat.p50Ms)),
    f('p95', msText(lat.p95Ms)),
    f('p99', msText(lat.p99Ms)),
  );
}

function edgeList(title: string, edges: TopologyEdge[], other: (e: TopologyEdge) => string, open: (e: TopologyEdge) => void): HTMLElement | null {
  if (!edges.length) return null;
  return h(
    'div',
    { class: 'detail-section' },
    h('h3', null, title),
    h(
      'ul',
      { class: 'links' },
      ...edges.map((e) =>
        h(
          'li',
          null,
          h('a', { href: '#', on: { click: (ev) => (ev.preventDefault(), open(e)) } }, nameSpan(other(e))),
          h('span', { class: 'muted' }, ` · ${e.kind} · ${e.calls} calls · ${e.errors} errors · p95 ${msText(e.p95Ms)}`),
        ),
      ),
    ),
  );
}

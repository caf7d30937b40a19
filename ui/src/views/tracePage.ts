import { api, isAbort, type Trace } from '../api';
import { errorBox, h, nameSpan, replace } from '../dom';
import { serviceColors } from '../colors';
import { formatDuration, formatTime } from '../format';
import { formatHash, replaceHash, type Route } from '../route';
import { buildTree, type TraceTree, type TreeNode } from '../traceTree';
import { logsHref } from '../logsLink';
import { renderSpanDetail } from './spanDetail';
import { createTraceFindBar } from './traceFindBar';
import { createTraceMinimap, type TraceMinimap } from './traceMinimap';
import { createWaterfall, type Waterfall } from './waterfall';

export function renderTracePage(root: HTMLElement, route: Route, signal: AbortSignal): () => void {
  const traceId = route.path[1];
  const status = h('div', { class: 'status-line' }, `Loading trace ${traceId}…`);
  replace(root, status);
  let mounted: Mounted | null = null;
  let detailAbort: AbortController | null = null;

  api
    .trace(traceId, signal)
    .then((trace) => {
      mounted = mount(root, trace, route.params.get('span'), signal, (c) => (detailAbort = c));
    })
    .catch((err) => {
      if (isAbort(err)) return;
      replace(root, errorBox(err), h('p', null, h('a', { href: '#/traces' }, '← Back to trace search')));
    });

  return () => {
    mounted?.destroy();
    detailAbort?.abort();
  };
}

interface Mounted {
  destroy(): void;
}

function mount(
  root: HTMLElement,
  trace: Trace,
  initialSpan: string | null,
  signal: AbortSignal,
  trackDetailRequest: (c: AbortController) => void,
): Mounted | null {
  if (!trace.spans?.length) {
    replace(root, errorBox(new Error(`Trace ${trace.traceId} has no spans`)));
    return null;
  }
  const tree = buildTree(trace.spans);
  const colors = serviceColors(tree.services);
  const detail = h('aside', { class: 'detail', attrs: { 'aria-label': 'Span details' } });
  const showPlaceholder = () => {
    detail.classList.add('empty');
    replace(detail, h('p', { class: 'muted' }, 'Click a span to see its attributes, events, links and logs.'));
  };
  showPlaceholder();

  let detailAbort: AbortController | null = null;
  signal.addEventListener('abort', () => detailAbort?.abort(), { once: true });
  const onSelect = (node: TreeNode, eventIndex?: number) => {
    findBar.setCursor(node.index);
    detailAbort?.abort();
    detailAbort = new AbortController();
    trackDetailRequest(detailAbort);
    detail.classList.remove('empty');
    renderSpanDetail(detail, node.span, {
      traceStartUs: tree.startUs,
      traceDurationUs: tree.endUs - tree.startUs,
      color: colors(node.span.service),
      signal: detailAbort.signal,
      logsHref: logsHref({ traceId: trace.traceId, spanId: node.span.spanId }, tree.startUs, tree.endUs),
      focusEventIndex: eventIndex,
      onClose: () => {
        waterfall.select(null);
        showPlaceholder();
        replaceHash(formatHash(['trace', trace.traceId]));
      },
    });
    const p = new URLSearchParams({ span: node.span.spanId });
    replaceHash(formatHash(['trace', trace.traceId], p));
  };

  const hasCriticalPath = tree.order.some((n) => n.span.criticalPath);
  let minimap: TraceMinimap | null = null;
  const waterfall: Waterfall = createWaterfall({ tree, colors, onSelect, criticalPath: hasCriticalPath, onRowsInView: (first, last) => minimap?.showRows(first, last) });
  minimap = createTraceMinimap({ tree, colors, onWindow: (w) => waterfall.setWindow(w) });
  let shownMatches: readonly number[] = [];
  let matchIds: ReadonlySet<string> = new Set();
  const findBar = createTraceFindBar({
    tree,
    onGo: (position) => {
      const node = tree.order[position];
      waterfall.select(node.span.spanId, true);
      onSelect(node);
    },
    onMatches: (positions, current) => {
      // Stepping keeps the same list: only a new search rebuilds the set and redraws the minimap (100,000 matches at worst).
      if (positions !== shownMatches) {
        shownMatches = positions;
        matchIds = new Set(positions.map((p) => tree.order[p].span.spanId));
        minimap?.showMatches(positions);
      }
      waterfall.highlight(matchIds, current === undefined ? null : tree.order[current].span.spanId);
    },
  });
  const criticalToggle = h('input', {
    attrs: { type: 'checkbox', name: 'critical-path', checked: hasCriticalPath, disabled: !hasCriticalPath },
    on: { change: () => waterfall.showCriticalPath(criticalToggle.checked) },
  });
  const toolbar = h(
    'div',
    { class: 'wf-toolbar' },
    h('button', { attrs: { type: 'button' }, on: { click: () => waterfall.expandAll() } }, 'Expand all'),
    h('button', { attrs: { type: 'button' }, on: { click: () => waterfall.collapseAll() } }, 'Collapse all'),
    h('label', { class: 'check cp-toggle', title: 'Highlight the stretches of each span that held up the trace' }, criticalToggle, 'show critical path'),
    legend(tree, colors),
    h(
      'span',
      { class: 'trace-actions' },
      h('a', { href: logsHref({ traceId: trace.traceId }, tree.startUs, tree.endUs), class: 'trace-logs-link' }, 'Logs of this trace'),
      h('a', { href: `/api/traces/${encodeURIComponent(trace.traceId)}/otlp`, class: 'trace-download', attrs: { download: `trace-${trace.traceId}.otlp.json`, title: 'The stored spans as an OTLP/JSON export request' } }, 'Download OTLP/JSON'),
    ),
  );
  const warnings = trace.warnings;
  replace(
    root,
    header(trace.traceId, tree),
    Array.isArray(warnings) && warnings.length
      ? h('ul', { class: 'trace-warnings', attrs: { 'aria-label': 'Warnings' } }, ...warnings.map((w) => h('li', null, String(w))))
      : null,
    toolbar,
    findBar.element,
    minimap.element,
    h('div', { class: 'trace-body' }, h('div', { class: 'waterfall' }, waterfall.element), detail),
  );
  waterfall.refresh();
  minimap.refresh();
  if (initialSpan) {
    const node = tree.order.find((n) => n.span.spanId === initialSpan);
    if (node) {
      waterfall.select(initialSpan, true);
      onSelect(node);
    }
  }
  return {
    destroy() {
      waterfall.destroy();
      minimap?.destroy();
      findBar.destroy();
    },
  };
}

function header(traceId: string, tree: TraceTree): HTMLElement {
  const rootSpan = tree.root?.span;
  const maxDepth = tree.order.reduce((m, n) => Math.max(m, n.depth), 0);
  const fact = (label: string, value: string | Node, cls?: string) =>
    h('div', { class: `fact ${cls ?? ''}` }, h('span', { class: 'fact-label' }, label), h('span', { class: 'fact-value' }, value));
  return h(
    'section',
    { class: 'trace-header' },
    h('h1', null, rootSpan ? nameSpan(rootSpan.service, 'svc') : null, ' ', rootSpan ? nameSpan(rootSpan.name) : traceId),
    h(
      'div',
      { class: 'facts' },
      fact('Trace ID', h('span', { class: 'mono' }, traceId)),
      fact('Start', formatTime(tree.startUs)),
      fact('Duration', formatDuration(tree.endUs - tree.startUs)),
      fact('Spans', String(tree.order.length)),
      fact('Depth', String(maxDepth + 1)),
      fact('Services', String(tree.services.length)),
      fact('Errors', String(tree.errorCount), tree.errorCount ? 'error' : ''),
    ),
  );
}

function legend(tree: TraceTree, colors: (s: string) => string): HTMLElement {
  const counts = new Map<string, number>();
  for (const n of tree.order) counts.set(n.span.service, (counts.get(n.span.service) ?? 0) + 1);
  const skewed = tree.order.reduce((n, node) => n + (node.span.skewAdjustedUs ? 1 : 0), 0);
  return h(
    'div',
    { class: 'legend', attrs: { 'aria-label': 'Legend' } },
    ...tree.services.map((s) =>
      h('span', { class: 'legend-item' }, h('span', { class: 'swatch', style: { background: colors(s) } }), nameSpan(s), h('span', { class: 'muted' }, ` ${counts.get(s) ?? 0}`)),
    ),
    h('span', { class: 'legend-item legend-critical' }, h('span', { class: 'cp-swatch' }), 'critical path'),
    skewed ? h('span', { class: 'legend-item legend-skew' }, h('span', { class: 'skew-icon' }, '±'), 'clock skew corrected', h('span', { class: 'muted' }, ` ${skewed}`)) : null,
  );
}

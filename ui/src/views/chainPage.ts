import { insightApi, isAbort, type Chain, type LogLine, type ChainSpan, type ChainTrace } from '../api';
import { serviceColors } from '../colors';
import { errorBox, h, nameSpan, replace, valueText } from '../dom';
import { spanPanelHead } from './spanPanelHead';
import { formatClock, formatDuration, formatTime, severityClass, shortId } from '../format';
import { formatHash, type Route } from '../route';
import { spanKey } from './chainLayout';
import { compareHref } from './chainCompare';
import { createChainTimeline, type ChainTimeline } from './chainTimeline';
import { criticalSpanKeys } from './chainTimelineScene';
import { chainHref } from './home';
import { businessKeys } from '../settings';
import { bottleneckText, timeBar, timeLegend } from './waitKinds';

export function spanHref(traceId: string, spanId: string): string {
  return formatHash(['trace', traceId], new URLSearchParams({ span: spanId }));
}

function fact(label: string, value: Node | string, cls?: string): HTMLElement {
  return h('div', { class: `fact${cls ? ` ${cls}` : ''}` }, h('span', { class: 'fact-label' }, label), h('span', { class: 'fact-value' }, value));
}

/** #/chain/<key>/<value>[?start=&end=]: everything that happened to one business key value. */
export function renderChainPage(root: HTMLElement, route: Route, signal: AbortSignal): () => void {
  const key = route.path[1];
  // A value with an unencoded "/" arrives as several segments.
  const value = route.path.slice(2).join('/');
  const status = h('div', { class: 'status-line' }, `Loading the chain of ${key} ${value}…`);
  replace(root, status);
  let timeline: ChainTimeline | null = null;
  let resizeTimer = 0;
  const onResize = () => {
    clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(() => timeline?.resize(), 150);
  };
  window.addEventListener('resize', onResize);

  void (async () => {
    try {
      const chain = await insightApi.chain(key, value, { start: route.params.get('start') ?? undefined, end: route.params.get('end') ?? undefined }, signal);
      timeline = drawChain(root, chain, route);
    } catch (err) {
      if (isAbort(err)) return;
      replace(
        root,
        h(
          'section',
          { class: 'panel' },
          h('h1', { class: 'chain-title' }, nameSpan(key), ' ', nameSpan(value, 'mono')),
          errorBox(err),
          h('p', { class: 'muted' }, 'Try another value from ', h('a', { href: '#/' }, 'Home'), ' or pick one from ', h('a', { href: '#/slow' }, 'Slow orders'), '.'),
        ),
      );
    }
  })();

  return () => {
    window.removeEventListener('resize', onResize);
    clearTimeout(resizeTimer);
  };
}

function drawChain(root: HTMLElement, chain: Chain, route: Route): ChainTimeline {
  const services = [...new Set(chain.spans.map((s) => s.service))].sort();
  const colors = serviceColors(services);
  const critical = criticalSpanKeys(chain.criticalPath);
  const detail = h('aside', { class: 'chain-detail empty', attrs: { 'aria-label': 'Span details' } }, h('p', { class: 'muted' }, 'Click a span to see its details.'));

  const showSpan = (span: ChainSpan | null) => {
    if (!span) {
      detail.className = 'chain-detail empty';
      replace(detail, h('p', { class: 'muted' }, 'Click a span to see its details.'));
      return;
    }
    detail.className = 'chain-detail';
    renderChainSpanDetail(detail, span, chain, {
      color: colors(span.service),
      critical: critical.has(spanKey(span.traceId, span.spanId)),
      onClose: () => showSpan(null),
    });
  };
  const timeline = createChainTimeline(chain, { colors, onSelect: showSpan });

  const stages = chain.stages ?? [];
  const bottleneck = chain.bottleneck;
  const header = h(
    'section',
    { class: 'trace-header chain-header' },
    h(
      'div',
      { class: 'chain-title-row' },
      h('h1', { class: 'chain-title' }, nameSpan(chain.key, 'muted'), ' ', nameSpan(chain.value)),
      keySwitch(chain),
      h('a', { class: 'compare-link', href: compareHref(chain.key, chain.value), title: 'Against a typical order of the same journey, or another order' }, 'Compare with…'),
    ),
    h(
      'div',
      { class: 'facts' },
      fact('End to end', h('span', null, formatDuration(chain.durationUs), timeBar(chain, chain.durationUs)), 'end-to-end'),
      fact('Working', chain.workingUs === undefined ? '–' : formatDuration(chain.workingUs), 'working'),
      fact('Waiting', chain.waitingUs === undefined ? '–' : waitingText(chain), 'waiting'),
      fact('Traces', String(chain.traceCount ?? chain.traces.length)),
      fact('Spans', String(chain.spans.length)),
      fact('Started', formatTime(chain.startUs)),
      fact('Stages', stages.length ? h('span', null, ...stages.map((s) => h('span', { class: 'chip stage-chip' }, nameSpan(s.name), ` · ${formatDuration(s.endUs - s.startUs)}`))) : '–'),
      fact('Bottleneck', bottleneck ? bottleneckText(bottleneck, true) : '–', 'bottleneck'),
      fact('Errors', String(chain.errorCount ?? chain.errors?.length ?? 0), (chain.errorCount ?? chain.errors?.length) ? 'error' : undefined),
      fact('Logs', String(chain.logs?.length ?? 0)),
    ),
    h('div', { class: 'chain-time-legend' }, timeLegend()),
    chain.truncated
      ? h('div', { class: 'warn-box', attrs: { role: 'status' } }, `This chain was cut at ${chain.traceCount} traces: more traces are linked to it than the server follows. The timeline shows the first ones found.`)
      : null,
    chain.logsTruncated ? h('div', { class: 'warn-box', attrs: { role: 'status' } }, 'Some traces had more logs than shown here; open a trace for all of its logs.') : null,
    chain.errors?.length ? errorList(chain, (traceId, spanId) => timeline.select(traceId, spanId)) : null,
  );

  const legend = h(
    'div',
    { class: 'legend chain-services' },
    ...services.map((s) => h('span', { class: 'legend-item' }, h('span', { class: 'swatch', style: { background: colors(s) } }), nameSpan(s))),
  );
  const logsPanel = h('section', { class: 'panel chain-logs' }, h('div', { class: 'panel-head' }, h('h2', { class: 'section-title' }, `Logs (${chain.logs?.length ?? 0})`)), logTable(chain.logs ?? [], (traceId, spanId) => timeline.select(traceId, spanId)));

  replace(
    root,
    header,
    h('div', { class: 'chain-body' }, h('section', { class: 'panel chain-main' }, legend, timeline.element), detail),
    logsPanel,
  );
  timeline.resize();
  const wanted = route.params.get('span');
  const wantedTrace = route.params.get('trace');
  if (wanted && wantedTrace) timeline.select(wantedTrace, wanted);
  return timeline;
}

/** Total waiting with its parts: queue, intended, unknown gap (only those present). */
function waitingText(chain: Chain): HTMLElement {
  const parts: string[] = [];
  if (chain.queueWaitUs) parts.push(`queue ${formatDuration(chain.queueWaitUs)}`);
  if (chain.intendedWaitUs) parts.push(`intended ${formatDuration(chain.intendedWaitUs)}`);
  if (chain.gapUs) parts.push(`unknown gap ${formatDuration(chain.gapUs)}`);
  return h('span', null, formatDuration(chain.waitingUs ?? 0), parts.length ? h('span', { class: 'muted' }, ` (${parts.join(', ')})`) : null);
}

/** Other business keys seen on the chain's spans: quick jumps, e.g. from an order to its customer. */
function keySwitch(chain: Chain): HTMLElement | null {
  const links: HTMLElement[] = [];
  for (const k of businessKeys()) {
    if (k === chain.key) continue;
    const values = new Set<string>();
    for (const s of chain.spans) {
      const v = s.attributes?.[k];
      if (typeof v === 'string' || typeof v === 'number') values.add(String(v));
      if (values.size > 3) break;
    }
    for (const v of values) links.push(h('a', { class: 'chip', href: chainHref(k, v) }, `${k} `, nameSpan(v)));
  }
  return links.length ? h('div', { class: 'key-switch' }, h('span', { class: 'muted' }, 'Related: '), ...links) : null;
}

function errorList(chain: Chain, select: (traceId: string, spanId: string) => void): HTMLElement {
  const shown = chain.errors.slice(0, 8);
  return h(
    'ul',
    { class: 'chain-errors' },
    ...shown.map((e) =>
      h(
        'li',
        null,
        h('span', { class: 'err-icon' }, '!'),
        ' ',
        h(
          'a',
          { href: spanHref(e.traceId, e.spanId), on: { click: (ev) => (ev.preventDefault(), select(e.traceId, e.spanId)) } },
          nameSpan(e.service, 'svc'),
          ' ',
          nameSpan(e.name),
        ),
        e.message ? h('span', { class: 'muted' }, ` — ${e.message}`) : null,
      ),
    ),
    chain.errors.length > shown.length ? h('li', { class: 'muted' }, `and ${chain.errors.length - shown.length} more`) : null,
  );
}

function kv(rows: Array<[Node | string, Node | string]>, cls?: string): HTMLElement {
  return h('table', { class: `kv${cls ? ` ${cls}` : ''}` }, h('tbody', null, ...rows.map(([k, v]) => h('tr', null, h('th', null, k), h('td', null, v)))));
}

export function renderChainSpanDetail(panel: HTMLElement, span: ChainSpan, chain: Chain, ctx: { color: string; critical: boolean; onClose(): void }): void {
  const trace = chain.traces.find((t) => t.traceId === span.traceId);
  const attrs = Object.entries(span.attributes ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const logs = (chain.logs ?? []).filter((l) => l.traceId === span.traceId && l.spanId === span.spanId);
  const joins = (chain.joins ?? []).filter((j) => (j.fromTraceId === span.traceId && j.fromSpanId === span.spanId) || (j.toTraceId === span.traceId && j.toSpanId === span.spanId));
  replace(
    panel,
    ...spanPanelHead(
      span,
      ctx.color,
      ctx.onClose,
      ctx.critical ? h('span', { class: 'badge cp-badge' }, 'critical path') : null,
    ),
    h('p', null, h('a', { class: 'open-trace', href: spanHref(span.traceId, span.spanId) }, 'Open in the trace view →')),
    kv(
      [
        ['Trace', h('span', null, ...(trace ? traceNames(trace) : []), h('span', { class: 'muted' }, span.traceId))],
        ['Span ID', span.spanId],
        ['Parent', span.parentSpanId || '(root)'],
        ['Start', `+${formatDuration(span.startUs - chain.startUs)} in the chain (${formatTime(span.startUs)})`],
        ['Duration', formatDuration(span.durationUs)],
        ['Status', span.status?.message ? `${span.status.code}: ${span.status.message}` : (span.status?.code ?? 'unset')],
      ],
      'span-facts',
    ),
    joins.length
      ? h(
          'div',
          { class: 'detail-section' },
          h('h3', null, 'Joins'),
          h(
            'ul',
            { class: 'links' },
            ...joins.map((j) => {
              const outgoing = j.fromTraceId === span.traceId && j.fromSpanId === span.spanId;
              const other = outgoing ? { t: j.toTraceId, s: j.toSpanId } : { t: j.fromTraceId, s: j.fromSpanId };
              return h(
                'li',
                null,
                `${outgoing ? 'continues in' : 'continues from'} (${j.kind}${j.waitUs ? `, waited ${formatDuration(j.waitUs)}` : ''}) `,
                h('a', { class: 'mono', href: spanHref(other.t, other.s) }, `${shortId(other.t)}/${shortId(other.s)}`),
              );
            }),
          ),
        )
      : null,
    h(
      'div',
      { class: 'detail-section' },
      h('h3', null, `Attributes (${attrs.length})`),
      attrs.length ? kv(attrs.map(([k, v]) => [nameSpan(k), valueText(v)])) : h('p', { class: 'muted' }, 'None'),
    ),
    h(
      'div',
      { class: 'detail-section' },
      h('h3', null, `Logs (${logs.length})`),
      logs.length
        ? h(
            'ul',
            { class: 'log-lines' },
            ...logs.map((l) => h('li', { class: 'log-line' }, sevBadge(l), ' ', h('span', { class: 'offset' }, formatClock(l.timeUs)), ' ', h('span', { class: 'log-body' }, valueText(l.body)))),
          )
        : h('p', { class: 'muted' }, 'No logs for this span.'),
    ),
  );
}

/** A trace's stage (unless it only repeats the root) and root service and name, as names. */
function traceNames(trace: ChainTrace): Array<Node | string> {
  const stage = trace.stage && trace.stage !== `${trace.rootService}: ${trace.rootName}` ? [nameSpan(trace.stage), ' · '] : [];
  return [...stage, nameSpan(trace.rootService), ': ', nameSpan(trace.rootName), ' '];
}

function sevBadge(l: LogLine): HTMLElement {
  const text = l.severityText || l.severity || '';
  const cls = severityClass(l.severityNumber ?? 0, text);
  return h('span', { class: `sev sev-${cls}` }, text || (l.severityNumber ? String(l.severityNumber) : '–'));
}

function logTable(logs: LogLine[], select: (traceId: string, spanId: string) => void): HTMLElement {
  if (!logs.length) return h('p', { class: 'empty' }, 'No logs for this chain.');
  const ordered = [...logs].sort((a, b) => a.timeUs - b.timeUs);
  return h(
    'table',
    { class: 'results logs chain-log-table' },
    h('thead', null, h('tr', null, ...['Time', 'Severity', 'Service', 'Message', 'Trace'].map((c) => h('th', null, c)))),
    h(
      'tbody',
      null,
      ...ordered.map((l) =>
        h(
          'tr',
          { class: 'log-row chain-log-row', data: { logId: l.id ?? '' } },
          h('td', { class: 'nowrap mono' }, formatClock(l.timeUs)),
          h('td', null, sevBadge(l)),
          h('td', { class: 'nowrap' }, nameSpan(l.service)),
          h(
            'td',
            { class: 'log-body', on: l.traceId && l.spanId ? { click: () => select(l.traceId, l.spanId) } : undefined, title: l.spanId ? 'Click to show its span' : undefined },
            valueText(l.body),
          ),
          h(
            'td',
            { class: 'nowrap' },
            l.traceId ? h('a', { class: 'trace-link mono', href: l.spanId ? spanHref(l.traceId, l.spanId) : formatHash(['trace', l.traceId]), title: l.traceId }, shortId(l.traceId) + '…') : '',
          ),
        ),
      ),
    ),
  );
}

import type { ServicesOverview } from '../api';
import { h, nameSpan, replace } from '../dom';
import { visibleText } from '../safeText';
import { msText, pct, rateText } from './topologyGraph';
import { sortServices, sparkPath, type ServiceSort, type ServiceSortKey } from './servicesTableLayout';

export type { ServiceSort, ServiceSortKey };

/**
 * The services table beside the topology map: one row per service with its
 * rate (calls/s over the rate window), error rate and p50/p95/p99 over the
 * window, sparklines of rate, errors and p95 per step; sortable by any column.
 * Order and sparkline geometry are pure (servicesTableLayout.ts).
 */

const SVG = 'http://www.w3.org/2000/svg';
const SPARK = { width: 40, height: 16 };

function sparkline(values: (number | null)[], label: string): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', 'svc-spark');
  svg.setAttribute('width', String(SPARK.width));
  svg.setAttribute('height', String(SPARK.height));
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  const path = document.createElementNS(SVG, 'path');
  path.setAttribute('d', sparkPath(values, SPARK.width, SPARK.height));
  svg.appendChild(path);
  return svg;
}

const COLUMNS: { key: ServiceSortKey; label: string; title: string }[] = [
  { key: 'service', label: 'Service', title: 'Service name' },
  { key: 'rate', label: 'Rate', title: 'Calls per second over the rate window' },
  { key: 'errors', label: 'Error %', title: 'Share of calls that failed, over the window' },
  { key: 'p50', label: 'p50', title: 'Median latency over the window' },
  { key: 'p95', label: 'p95', title: '95th percentile latency over the window' },
  { key: 'p99', label: 'p99', title: '99th percentile latency over the window' },
];

export interface ServicesTableOptions {
  sort: ServiceSort;
  onSort(sort: ServiceSort): void;
  onPick(service: string): void;
  selected?: string | null;
}

/** Draws (or redraws) the table into `container`. */
export function renderServicesTable(container: HTMLElement, overview: ServicesOverview, opts: ServicesTableOptions): void {
  if (!overview.services.length) {
    replace(container, h('p', { class: 'muted' }, 'No services in this window.'));
    return;
  }
  const head = h(
    'tr',
    null,
    ...COLUMNS.map((c) => {
      const active = opts.sort.key === c.key;
      const next: ServiceSort = { key: c.key, desc: active ? !opts.sort.desc : c.key !== 'service' };
      return h(
        'th',
        { class: c.key === 'service' ? undefined : 'num', attrs: { 'aria-sort': active ? (opts.sort.desc ? 'descending' : 'ascending') : 'none' } },
        h('button', { class: `sort-button${active ? ' active' : ''}`, title: c.title, attrs: { type: 'button' }, data: { sort: c.key }, on: { click: () => opts.onSort(next) } }, c.label, active ? (opts.sort.desc ? ' ▾' : ' ▴') : ''),
      );
    }),
  );
  const rows = sortServices(overview.services, opts.sort).map((r) =>
    h(
      'tr',
      { class: r.service === opts.selected ? 'selected' : undefined, data: { service: r.service } },
      h('td', { class: 'svc-name' }, h('button', { class: 'link-button', attrs: { type: 'button' }, on: { click: () => opts.onPick(r.service) } }, nameSpan(r.service))),
      h('td', { class: 'num' }, sparkline(r.series.map((p) => p.ratePerSec), `rate of ${visibleText(r.service)} per step`), h('span', { class: 'svc-value' }, rateText(r.ratePerSec))),
      h('td', { class: `num${r.errors ? ' err-text' : ''}` }, sparkline(r.series.map((p) => p.errorRate), `error rate of ${visibleText(r.service)} per step`), h('span', { class: 'svc-value' }, pct(r.errorRate))),
      h('td', { class: 'num' }, msText(r.p50Ms)),
      h('td', { class: 'num' }, sparkline(r.series.map((p) => p.p95Ms), `p95 of ${visibleText(r.service)} per step`), h('span', { class: 'svc-value' }, msText(r.p95Ms))),
      h('td', { class: 'num' }, msText(r.p99Ms)),
    ),
  );
  replace(
    container,
    h('table', { class: 'results services-table' }, h('thead', null, head), h('tbody', null, ...rows)),
    overview.truncated ? h('p', { class: 'muted' }, `The ${overview.services.length} busiest services are shown.`) : null,
  );
}

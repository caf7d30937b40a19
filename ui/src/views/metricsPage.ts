import { ApiError, isAbort, metricsApi, type MetricLabel, type MetricNameInfo, type Query } from '../api';
import { errorBox, h, option, replace } from '../dom';
import { formatHash, navigate, type Route } from '../route';
import { resolveRange, timeRangeControl } from '../timerange';
import { drawMetricChart } from './metricChart';
import { valueCaption } from './metricChartLayout';

const DEFAULT_RANGE = '1h';
const FUNCTIONS = [
  ['auto', 'auto (rate for counters and histograms)'],
  ['rate', 'rate per second'],
  ['value', 'value'],
  ['avg', 'average (histograms)'],
  ['quantile', 'quantile (histograms)'],
] as const;
const STEPS = ['', '10s', '30s', '1m', '5m', '15m', '1h'];

/**
 * #/metrics?name=&groupBy=a,b&fn=&quantile=&step=&range=: an OTLP metric as a
 * line chart, one line per group of the chosen labels. The metric list and
 * the label keys come from GET /api/metrics; names, labels and values are
 * telemetry and reach the page as text only.
 */
export function renderMetricsPage(root: HTMLElement, route: Route, signal: AbortSignal): void {
  const params = route.params;
  const name = h('select', { attrs: { name: 'name', 'aria-label': 'Metric' } });
  const wanted = params.get('name') ?? '';
  const groupBy = new Set((params.get('groupBy') ?? '').split(',').filter((k) => k !== ''));
  const fn = h('select', { attrs: { name: 'fn', 'aria-label': 'Function' } });
  for (const [value, label] of FUNCTIONS) fn.appendChild(option(value, label, (params.get('fn') ?? 'auto') === value));
  const quantile = h('input', { attrs: { name: 'quantile', type: 'number', min: 0, max: 1, step: 0.01, class: 'num', 'aria-label': 'Quantile' } });
  quantile.value = params.get('quantile') ?? '0.95';
  const step = h('select', { attrs: { name: 'step', 'aria-label': 'Step' } });
  for (const s of STEPS) step.appendChild(option(s, s || 'auto', (params.get('step') ?? '') === s));
  const range = timeRangeControl(params, DEFAULT_RANGE);
  const labelBox = h('div', { class: 'metric-labels', attrs: { 'aria-label': 'Group by' } });
  const formError = h('div');
  const form = h(
    'form',
    { class: 'search-form', attrs: { 'aria-label': 'Metric query' } },
    h('label', { class: 'field' }, h('span', null, 'Metric'), name),
    h('label', { class: 'field' }, h('span', null, 'Function'), fn),
    h('label', { class: 'field' }, h('span', null, 'Quantile'), quantile),
    h('label', { class: 'field' }, h('span', null, 'Step'), step),
    range.element,
    h('button', { class: 'primary', attrs: { type: 'submit' } }, 'Show'),
  );
  const caption = h('div', { class: 'result-summary' });
  const chart = h('div', { class: 'metric-chart-box' }, h('div', { class: 'status-line' }, 'Loading…'));
  replace(root, h('section', { class: 'panel' }, form, h('div', { class: 'field' }, h('span', null, 'Group by'), labelBox), formError), h('section', { class: 'panel' }, caption, chart));

  const submit = (nextName = name.value) => {
    const next = new URLSearchParams();
    try {
      if (nextName) next.set('name', nextName);
      const keys = [...labelBox.querySelectorAll<HTMLInputElement>('input:checked')].map((b) => b.value);
      // a key of another metric is dropped when the metric changes
      if (nextName === wanted && keys.length) next.set('groupBy', keys.join(','));
      if (fn.value !== 'auto') next.set('fn', fn.value);
      if (fn.value === 'quantile' && quantile.value) next.set('quantile', quantile.value);
      if (step.value) next.set('step', step.value);
      range.write(next);
      resolveRange(next, DEFAULT_RANGE);
      navigate(formatHash(['metrics'], next));
    } catch (err) {
      replace(formError, errorBox(err));
    }
  };
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submit();
  });
  name.addEventListener('change', () => submit(name.value));

  metricsApi
    .names(signal)
    .then((names) => {
      fillNames(name, names, wanted);
      if (!names.length) {
        replace(chart, h('p', { class: 'muted' }, 'No OTLP metric stored yet: point an SDK or a Collector at /v1/metrics (README, "Sending telemetry").'));
        return;
      }
      const chosen = wanted && names.some((n) => n.name === wanted) ? wanted : names[0].name;
      name.value = chosen;
      return Promise.all([metricsApi.labels(chosen, signal), loadSeries(chosen)]).then(([labels]) => fillLabels(labelBox, labels, groupBy));
    })
    .catch((err) => {
      if (isAbort(err)) return;
      replace(chart, errorBox(err));
    });

  function loadSeries(metric: string): Promise<void> {
    let window: { start?: number; end?: number };
    try {
      window = resolveRange(params, DEFAULT_RANGE);
    } catch (err) {
      replace(formError, errorBox(err));
      return Promise.resolve();
    }
    const query: Query = { name: metric, start: window.start, end: window.end, groupBy: [...groupBy].join(','), fn: params.get('fn') ?? undefined, quantile: params.get('quantile') ?? undefined, step: params.get('step') ?? undefined };
    return metricsApi.series(query, signal).then(
      (answer) => {
        const q = Number(params.get('quantile') ?? '0.95');
        replace(caption, valueCaption(answer, q), answer.kind ? h('span', { class: 'muted' }, ` · ${answer.kind}, ${answer.series.length} series, step ${answer.stepUs / 1e6}s`) : null, answer.truncated ? h('span', { class: 'warn' }, ' · truncated: narrow the window or group by fewer labels') : null);
        drawMetricChart(chart, answer);
      },
      (err) => {
        if (isAbort(err)) return;
        // a 400 names the parameter: show it beside the form, not as a broken chart
        replace(err instanceof ApiError && err.status === 400 ? formError : chart, errorBox(err));
        if (err instanceof ApiError && err.status === 400) replace(chart);
      },
    );
  }
}

function fillNames(select: HTMLSelectElement, names: MetricNameInfo[], wanted: string): void {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n.name)) continue;
    seen.add(n.name);
    select.appendChild(option(n.name, `${n.name} (${n.kind}${n.unit ? `, ${n.unit}` : ''})`, n.name === wanted));
  }
}

function fillLabels(box: HTMLElement, labels: MetricLabel[], checked: ReadonlySet<string>): void {
  replace(
    box,
    ...labels.map((l) => {
      const input = h('input', { attrs: { type: 'checkbox', name: 'groupBy', value: l.key } });
      input.checked = checked.has(l.key);
      const values = l.values.slice(0, 5).join(', ') + (l.values.length > 5 ? ', …' : '');
      return h('label', { class: 'metric-label', title: `${l.key}: ${l.values.join(', ')}` }, input, h('span', { class: 'metric-key' }, l.key), h('span', { class: 'muted' }, ` ${values}`));
    }),
  );
}

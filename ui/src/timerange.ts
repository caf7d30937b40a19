import { h, option } from './dom';

/** Relative ranges offered in the forms; `custom` uses the start/end inputs. */
export const RANGES: Array<{ value: string; label: string; ms: number }> = [
  { value: '15m', label: 'Last 15 minutes', ms: 15 * 60_000 },
  { value: '1h', label: 'Last hour', ms: 3_600_000 },
  { value: '6h', label: 'Last 6 hours', ms: 6 * 3_600_000 },
  { value: '24h', label: 'Last 24 hours', ms: 24 * 3_600_000 },
  { value: '7d', label: 'Last 7 days', ms: 7 * 24 * 3_600_000 },
];

export interface TimeRangeControl {
  element: HTMLElement;
  /** Writes range/start/end into params. */
  write(params: URLSearchParams): void;
}

/** Converts the range params to API start/end (epoch ms); validation errors are thrown as text. */
export function resolveRange(params: URLSearchParams, defaultRange: string, now = Date.now()): { start?: number; end?: number } {
  const range = params.get('range') || defaultRange;
  if (range === 'custom') {
    const start = parseLocal(params.get('start'));
    const end = parseLocal(params.get('end'));
    if (start !== undefined && end !== undefined && start > end) throw new Error('Time range: start is after end');
    return { start, end };
  }
  const r = RANGES.find((x) => x.value === range) ?? RANGES.find((x) => x.value === defaultRange)!;
  return { start: now - r.ms, end: now };
}

function parseLocal(v: string | null): number | undefined {
  if (!v) return undefined;
  const t = new Date(v).getTime();
  if (Number.isNaN(t)) throw new Error(`Time range: cannot read "${v}"`);
  return t;
}

export function timeRangeControl(params: URLSearchParams, defaultRange: string): TimeRangeControl {
  const current = params.get('range') || defaultRange;
  const select = h('select', { attrs: { name: 'range', 'aria-label': 'Time range' } });
  for (const r of RANGES) select.appendChild(option(r.value, r.label, r.value === current));
  select.appendChild(option('custom', 'Custom…', current === 'custom'));
  const start = h('input', { attrs: { type: 'datetime-local', name: 'start', step: '1', 'aria-label': 'Start' } });
  const end = h('input', { attrs: { type: 'datetime-local', name: 'end', step: '1', 'aria-label': 'End' } });
  start.value = params.get('start') ?? '';
  end.value = params.get('end') ?? '';
  const custom = h('span', { class: 'custom-range' }, start, ' – ', end);
  const sync = () => (custom.hidden = select.value !== 'custom');
  select.addEventListener('change', sync);
  sync();
  return {
    element: h('label', { class: 'field' }, h('span', null, 'Time'), h('span', { class: 'inline' }, select, custom)),
    write(p) {
      p.set('range', select.value);
      if (select.value === 'custom') {
        if (start.value) p.set('start', start.value);
        if (end.value) p.set('end', end.value);
      }
    },
  };
}

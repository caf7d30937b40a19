import type { ChainBottleneck, WaitKind } from '../api';
import { h, nameSpan } from '../dom';
import { formatDuration } from '../format';

/** One look per part of a chain's time, shared by the slow-orders bars, the chain header and the timeline. */
export interface TimeLook {
  label: string;
  /** Plain colour (bars, SVG fills). */
  fill: string;
  /** Ink of a hatch or label. */
  ink: string;
  /** CSS background for a swatch or an HTML bar. */
  background: string;
  help: string;
}

const hatch = (paper: string, ink: string) => `repeating-linear-gradient(45deg, ${paper} 0 3px, ${ink} 3px 5px)`;

export const WORKING_LOOK: TimeLook = {
  label: 'working',
  fill: '#3b82f6',
  ink: '#1d4ed8',
  background: '#3b82f6',
  help: 'some span of the critical path was running',
};

export const WAIT_LOOKS: Record<WaitKind, TimeLook> = {
  queue: { label: 'queue wait', fill: '#fff4d6', ink: '#e0a526', background: hatch('#fff4d6', '#e0a526'), help: 'a message waited between publish and consume' },
  intended: {
    label: 'intended delay',
    fill: '#eef0f3',
    ink: '#9ca3af',
    background: hatch('#eef0f3', '#9ca3af'),
    help: 'a scheduled delay listed in CHAIN_EXPECTED_WAITS; never the bottleneck',
  },
  gap: { label: 'unknown gap', fill: '#f3e8ff', ink: '#a855f7', background: hatch('#f3e8ff', '#a855f7'), help: 'no span and no join explains this time' },
};

export const waitLook = (kind: WaitKind | undefined): TimeLook => WAIT_LOOKS[kind ?? 'queue'] ?? WAIT_LOOKS.queue;

/** A legend of working time and the three wait kinds. */
export function timeLegend(cls = ''): HTMLElement {
  const item = (look: TimeLook) =>
    h('span', { class: 'legend-item', title: look.help, data: { legend: look.label } }, h('span', { class: 'swatch', style: { background: look.background } }), look.label);
  return h('span', { class: `legend time-legend${cls ? ` ${cls}` : ''}`, attrs: { 'aria-label': 'Legend' } }, item(WORKING_LOOK), ...Object.values(WAIT_LOOKS).map(item));
}

/** "payment POST /charge", or for a wait "queue wait on orders.created before fulfilment process" — as text nodes. */
export function bottleneckText(b: ChainBottleneck | null | undefined, withTime = false): HTMLElement {
  if (!b) return h('span', { class: 'muted' }, 'none');
  const time = withTime && b.selfUs ? h('span', { class: 'muted' }, ` (${formatDuration(b.selfUs)} on the critical path)`) : null;
  const estimated = b.estimated ? h('span', { class: 'muted', title: 'The trace was too big to load here; named from its summary. Open the order for the exact answer.' }, ' ≈') : null;
  if (b.kind !== 'wait') return h('span', { class: 'bottleneck-name' }, nameSpan(b.service, 'svc'), ' ', nameSpan(b.operation), estimated, time);
  const look = waitLook(b.waitKind);
  return h(
    'span',
    { class: 'bottleneck-name bottleneck-wait' },
    h('span', { class: 'swatch', style: { background: look.background } }),
    ` ${look.label}`,
    b.destination ? h('span', null, ' on ', nameSpan(b.destination)) : null,
    b.service || b.operation ? h('span', { class: 'muted' }, ' before ') : null,
    b.service ? nameSpan(b.service, 'svc') : null,
    b.operation ? h('span', null, ' ', nameSpan(b.operation)) : null,
    estimated,
    time,
  );
}

/** A bar split into working and waiting by kind, its width a share of `scaleUs`. */
export function timeBar(t: { durationUs: number; workingUs?: number; queueWaitUs?: number; intendedWaitUs?: number; gapUs?: number }, scaleUs: number, hideIntended = false): HTMLElement {
  const parts: Array<[TimeLook, number]> = [
    [WORKING_LOOK, t.workingUs ?? t.durationUs],
    [WAIT_LOOKS.queue, t.queueWaitUs ?? 0],
    [WAIT_LOOKS.intended, hideIntended ? 0 : (t.intendedWaitUs ?? 0)],
    [WAIT_LOOKS.gap, t.gapUs ?? 0],
  ];
  const scale = Math.max(1, scaleUs);
  return h(
    'span',
    { class: 'time-bar', attrs: { role: 'img', 'aria-label': parts.filter(([, us]) => us > 0).map(([l, us]) => `${l.label} ${formatDuration(us)}`).join(', ') } },
    ...parts
      .filter(([, us]) => us > 0)
      .map(([look, us]) =>
        h('span', { class: 'time-bar-part', data: { part: look.label }, title: `${look.label}: ${formatDuration(us)}`, style: { width: `${Math.max(0.5, (100 * us) / scale)}%`, background: look.background } }),
      ),
  );
}

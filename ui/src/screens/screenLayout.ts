import type { Thresholds } from '../../../core/wire';
import { wholeText } from '../numberText';
import { largestOrZero } from '../views/servicesTableLayout';

/** Pure helpers of the wall screen's panels: threshold colours, value formats. Tested in test/unit/ui/screen-layout.test.ts. */

export type Level = 'ok' | 'warn' | 'critical' | 'none';

/** Where `value` stands against `t` (at or past warn / critical; `below`: smaller is worse); none without a value or thresholds. */
export function thresholdLevel(value: number | null | undefined, t: Thresholds | undefined): Level {
  if (value === null || value === undefined || !Number.isFinite(value) || !t) return 'none';
  const past = (limit: number) => ((t.direction ?? 'above') === 'above' ? value >= limit : value <= limit);
  return past(t.critical) ? 'critical' : past(t.warn) ? 'warn' : 'ok';
}

/** How a measure reads on a wall: large, short, with its unit (numberText.ts: no number goes through V8's number-string cache). */
export function formatMeasure(value: number | null | undefined, unit: 'ms' | 'ratio' | 'rate' | 'count' | 'perMinute'): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  switch (unit) {
    case 'ms':
      return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${wholeText(value)} ms`;
    case 'ratio':
      return value >= 0.9995 && value < 1 ? '99.9 %' : `${(value * 100).toFixed(value === 0 || value === 1 ? 0 : value > 0.99 || value < 0.01 ? 2 : 1)} %`;
    case 'rate':
      return value >= 100 ? `${wholeText(value)}/s` : value >= 1 ? `${value.toFixed(1)}/s` : `${value.toFixed(2)}/s`;
    case 'perMinute':
      return value >= 100 ? wholeText(value) : value.toFixed(1);
    case 'count':
      return value >= 10_000 ? `${(value / 1000).toFixed(0)}k` : wholeText(value);
  }
}

/** The CSS grid placement of a panel (x, y from 0; w, h in cells). */
export function gridArea(p: { x: number; y: number; w: number; h: number }): string {
  return `${p.y + 1} / ${p.x + 1} / span ${p.h} / span ${p.w}`;
}

/** Bars of a funnel: each stage's width relative to the first (the widest), in [0, 1]. */
export function funnelWidths(counts: readonly number[]): number[] {
  const top = Math.max(0, ...counts);
  return counts.map((c) => (top > 0 ? c / top : 0));
}

/** The `d` of a line through `values` on a shared scale 0..top (null breaks the line) in a width × height box. */
export function chartPath(values: readonly (number | null)[], width: number, height: number, top: number): string {
  const x = (i: number) => (values.length === 1 ? width / 2 : (i / (values.length - 1)) * width);
  const y = (v: number) => (top > 0 ? height - 1 - (Math.min(v, top) / top) * (height - 2) : height - 1);
  let d = '';
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) return;
    const prev = values[i - 1];
    d += `${prev === null || prev === undefined || !Number.isFinite(prev) ? 'M' : 'L'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
  });
  return d;
}

/** A round top for a chart's value axis: the next 1, 2, 5 × 10^n at or above the largest value (1 when all are 0 or absent). */
export function niceTop(values: readonly (number | null)[]): number {
  const top = largestOrZero(values);
  if (top <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(top));
  return p >= top ? p : 2 * p >= top ? 2 * p : 5 * p >= top ? 5 * p : 10 * p;
}

/** The change from `previous` to `value` as a signed share ("▲ 12 %", "▼ 3.5 %", "= 0 %"); null when either is missing or previous is 0. */
export function deltaText(value: number | null, previous: number | null): string | null {
  if (value === null || previous === null || !Number.isFinite(value) || !Number.isFinite(previous) || previous === 0) return null;
  const share = (value - previous) / Math.abs(previous);
  const pct = Math.abs(share) * 100;
  const shown = pct >= 10 ? pct.toFixed(0) : pct.toFixed(1);
  return `${share > 0 ? '▲' : share < 0 ? '▼' : '='} ${shown} %`;
}

/**
 * Where incidents lie on a chart whose `count` points run evenly from `firstUs` to `lastUs` across
 * `width` (chartPath's x): one [x, width] per span, clipped to the chart, at least 1 wide; none outside it.
 */
export function spanBands(spans: readonly { startMs: number; endMs: number }[], firstUs: number, lastUs: number, width: number): { x: number; width: number }[] {
  if (!(lastUs > firstUs)) return [];
  const x = (ms: number) => Math.min(width, Math.max(0, ((ms * 1000 - firstUs) / (lastUs - firstUs)) * width));
  return spans.filter((s) => s.endMs * 1000 >= firstUs && s.startMs * 1000 <= lastUs).map((s) => ({ x: x(s.startMs), width: Math.max(1, x(s.endMs) - x(s.startMs)) }));
}

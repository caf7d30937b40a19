/** The topology page's windows and the step its RED charts ask for. */

export interface TopologyWindow {
  value: string;
  label: string;
  ms: number;
}

export const WINDOWS: TopologyWindow[] = [
  { value: '15m', label: '15m', ms: 15 * 60_000 },
  { value: '1h', label: '1h', ms: 3_600_000 },
  { value: '6h', label: '6h', ms: 6 * 3_600_000 },
  { value: '24h', label: '24h', ms: 24 * 3_600_000 },
];
export const DEFAULT_WINDOW = '1h';

/** About this many points per chart. */
const TARGET_POINTS = 60;
const MINUTE_MS = 60_000;

/**
 * The `step` of /api/services/:service/stats for a window, in seconds: the
 * API takes whole minutes only (the store rolls calls up per minute), so this
 * is the smallest whole number of minutes, at least one, giving at most about
 * TARGET_POINTS points.
 */
export function statsStepSeconds(windowMs: number): number {
  const minutes = Math.max(1, Math.ceil(windowMs / TARGET_POINTS / MINUTE_MS));
  return minutes * 60;
}

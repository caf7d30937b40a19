/**
 * What a wall-screen URL asks for (#/screens/<id>?kiosk=1&refresh=10s&theme=dark&playlist=a,b&every=60s),
 * read once per route. Pure: tested in test/unit/ui/screen-options.test.ts.
 */

import { wholeText } from '../numberText';

export interface ScreenOptions {
  /** No navigation chrome: the screen is the whole page. */
  kiosk: boolean;
  theme: 'dark' | 'light';
  /** The stream's refresh; null: the dashboard's own. */
  refreshMs: number | null;
  /** Dashboards to rotate through (the route's id first when the list does not hold it). */
  playlist: string[];
  /** Time on each dashboard of the playlist. */
  everyMs: number;
}

export const MIN_REFRESH_MS = 1_000;
export const MAX_REFRESH_MS = 600_000;
export const DEFAULT_PLAYLIST_MS = 60_000;
export const MIN_PLAYLIST_MS = 5_000;
const MAX_PLAYLIST = 20;
const DASHBOARD_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** `500ms`, `10s`, `1m` → ms within [min, max]; null when absent or not a duration. */
export function durationMs(raw: string | null, min: number, max: number): number | null {
  const m = raw ? /^\s*(\d{1,7})\s*(ms|s|m)?\s*$/.exec(raw) : null;
  if (!m) return null;
  const ms = Number(m[1]) * (m[2] === 'm' ? 60_000 : m[2] === 'ms' ? 1 : 1_000);
  return Math.min(max, Math.max(min, ms));
}

export function screenOptions(id: string, params: URLSearchParams): ScreenOptions {
  const flag = (name: string) => ['1', 'true', 'yes', 'on'].includes((params.get(name) ?? '').toLowerCase());
  const listed = (params.get('playlist') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => DASHBOARD_ID.test(s));
  const playlist = [...new Set(listed.length && !listed.includes(id) ? [id, ...listed] : listed)].slice(0, MAX_PLAYLIST);
  return {
    kiosk: flag('kiosk'),
    theme: params.get('theme') === 'light' ? 'light' : 'dark',
    refreshMs: durationMs(params.get('refresh'), MIN_REFRESH_MS, MAX_REFRESH_MS),
    playlist,
    everyMs: durationMs(params.get('every'), MIN_PLAYLIST_MS, 24 * 3_600_000) ?? DEFAULT_PLAYLIST_MS,
  };
}

/** The dashboard after `current` in the playlist (wrapping); `current` when the list has fewer than two. */
export function nextInPlaylist(playlist: readonly string[], current: string): string {
  if (playlist.length < 2) return current;
  const i = playlist.indexOf(current);
  return playlist[(i + 1) % playlist.length];
}

/** Wait before reconnect attempt `attempt` (0-based): 1 s doubling to 30 s, with up to 20 % jitter (`random` in [0, 1)). */
export function backoffMs(attempt: number, random: number): number {
  const base = Math.min(30_000, 1_000 * 2 ** Math.min(attempt, 10));
  return Math.round(base * (1 + 0.2 * random));
}

/** "12s", "3m 05s", "2h 10m": how long ago, for "stale since …" and the countdown. */
export function shortSpan(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${wholeText(s)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${wholeText(m)}m ${wholeText(s % 60).padStart(2, '0')}s`;
  return `${wholeText(Math.floor(m / 60))}h ${wholeText(m % 60).padStart(2, '0')}m`;
}

import { h, option } from '../dom';

/** Refresh intervals offered, in seconds. */
export const REFRESH_SECONDS = [10, 30, 60] as const;
export const DEFAULT_REFRESH_SECONDS = 30;

export interface LiveRefreshOptions {
  seconds: number;
  paused: boolean;
  /** Fetches and redraws; the next refresh is timed from when it settles, so two never overlap. */
  refresh(): Promise<void>;
  /** The interval or the pause changed (to keep them in the URL). */
  onChange(state: { seconds: number; paused: boolean }): void;
  now?: () => number;
}

export interface LiveRefresh {
  element: HTMLElement;
  /** The data was just loaded (the first load, or a refresh): the next one is due an interval from now. */
  loaded(): void;
  stop(): void;
}

/** The interval a URL asks for, or the default. */
export function refreshSeconds(raw: string | null): number {
  const n = Number(raw);
  return (REFRESH_SECONDS as readonly number[]).includes(n) ? n : DEFAULT_REFRESH_SECONDS;
}

/** "Refresh every [30s] [Pause] · updated 12:34:56 · next in 25 s": a page that reloads its data on its own until paused. */
export function liveRefresh(opts: LiveRefreshOptions): LiveRefresh {
  const now = opts.now ?? Date.now;
  let seconds = opts.seconds;
  let paused = opts.paused;
  let dueAt = 0;
  let updatedAt = 0;
  let running = false;
  let stopped = false;
  const select = h('select', { attrs: { name: 'refresh', 'aria-label': 'Refresh interval' } }, ...REFRESH_SECONDS.map((s) => option(String(s), s < 60 ? `${s}s` : `${s / 60}m`, s === seconds)));
  const pause = h('button', { class: 'live-pause', attrs: { type: 'button', 'aria-pressed': String(paused) } }, paused ? 'Resume' : 'Pause');
  const status = h('span', { class: 'live-status muted', attrs: { 'aria-live': 'off' } });
  const element = h('span', { class: 'live-refresh', data: { state: paused ? 'paused' : 'live' } }, h('span', { class: 'field-label' }, 'Refresh every'), select, pause, status);

  const clock = (t: number) => new Date(t).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const show = () => {
    element.dataset.state = paused ? 'paused' : running ? 'loading' : 'live';
    pause.textContent = paused ? 'Resume' : 'Pause';
    pause.setAttribute('aria-pressed', String(paused));
    const updated = updatedAt ? `updated ${clock(updatedAt)}` : '';
    const next = paused ? 'paused' : running ? 'refreshing…' : `next in ${Math.max(0, Math.ceil((dueAt - now()) / 1000))} s`;
    status.textContent = [updated, next].filter(Boolean).join(' · ');
  };
  const tick = () => {
    if (stopped) return;
    if (!paused && !running && dueAt && now() >= dueAt) void run();
    show();
  };
  const run = async () => {
    running = true;
    show();
    try {
      await opts.refresh();
    } finally {
      running = false;
      if (!stopped) api.loaded();
    }
  };
  const timer = window.setInterval(tick, 1000);
  select.addEventListener('change', () => {
    seconds = Number(select.value);
    if (updatedAt) dueAt = updatedAt + seconds * 1000;
    opts.onChange({ seconds, paused });
    show();
  });
  pause.addEventListener('click', () => {
    paused = !paused;
    opts.onChange({ seconds, paused });
    if (!paused && updatedAt && now() >= updatedAt + seconds * 1000) void run();
    show();
  });
  const api: LiveRefresh = {
    element,
    loaded() {
      updatedAt = now();
      dueAt = updatedAt + seconds * 1000;
      show();
    },
    stop() {
      stopped = true;
      window.clearInterval(timer);
    },
  };
  show();
  return api;
}

/**
 * Labels for a time axis's ticks that never repeat (pure, no DOM, no D3). The
 * label precision follows the step between ticks, not the width of the window:
 * ticks every 30 s in a 5-minute window get seconds, where a minute format would
 * print every label twice. Should labels still repeat (a clock change), ticks are
 * thinned to every N-th, the smallest N whose labels are all distinct.
 */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY_MS = 86_400_000;

type Precision = 'day' | 'day-minute' | 'minute' | 'second' | 'millisecond';
const FINER: Record<Precision, Precision | undefined> = {
  day: 'day-minute',
  'day-minute': 'second',
  minute: 'second',
  second: 'millisecond',
  millisecond: undefined,
};

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Local time of `ms` at a precision: 10:05, 10:05:30, 10:05:30.250, Jan 05, Jan 05 10:05. */
export function formatTick(ms: number, precision: Precision): string {
  const d = new Date(ms);
  const day = `${MONTHS[d.getMonth()]} ${pad(d.getDate())}`;
  const minute = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  switch (precision) {
    case 'day':
      return day;
    case 'day-minute':
      return `${day} ${minute}`;
    case 'minute':
      return minute;
    case 'second':
      return `${minute}:${pad(d.getSeconds())}`;
    case 'millisecond':
      return `${minute}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
  }
}

function precisionFor(ticks: readonly number[]): Precision {
  let step = Infinity;
  for (let i = 1; i < ticks.length; i++) step = Math.min(step, ticks[i] - ticks[i - 1]);
  const sameDay = new Date(ticks[0]).toDateString() === new Date(ticks[ticks.length - 1]).toDateString();
  if (step % 1000 !== 0 || step < 1000) return 'millisecond';
  if (step % 60_000 !== 0) return 'second';
  if (step >= DAY_MS && step % DAY_MS === 0) return 'day';
  return sameDay ? 'minute' : 'day-minute';
}

const distinct = (labels: readonly string[]) => new Set(labels).size === labels.length;

/** The ticks (epoch ms, ascending) to draw and their labels, all distinct. */
export function timeTickLabels(ticks: readonly number[]): { ticks: number[]; labels: string[] } {
  if (ticks.length === 0) return { ticks: [], labels: [] };
  if (ticks.length === 1) return { ticks: [...ticks], labels: [formatTick(ticks[0], 'second')] };
  let precision: Precision | undefined = precisionFor(ticks);
  let last: { ticks: number[]; labels: string[] } | undefined;
  while (precision !== undefined) {
    const labels = ticks.map((t) => formatTick(t, precision!));
    if (distinct(labels)) return { ticks: [...ticks], labels };
    last = { ticks: [...ticks], labels };
    precision = FINER[precision];
  }
  // still repeating at millisecond precision: every N-th tick
  for (let every = 2; every <= ticks.length; every++) {
    const keep = last!.ticks.map((t, i) => ({ t, label: last!.labels[i] })).filter((_, i) => i % every === 0);
    if (distinct(keep.map((k) => k.label))) return { ticks: keep.map((k) => k.t), labels: keep.map((k) => k.label) };
  }
  return { ticks: [ticks[0]], labels: [last!.labels[0]] };
}

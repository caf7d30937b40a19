import { formatTick, timeTickLabels } from '../../../ui/src/views/timeTicks';

const at = (h: number, m: number, s = 0, ms = 0, day = 5) => new Date(2026, 0, day, h, m, s, ms).getTime();
const every = (from: number, stepMs: number, n: number) => Array.from({ length: n }, (_, i) => from + i * stepMs);

describe('timeTickLabels', () => {
  it.each([
    ['30 s steps in a few minutes (minute labels would repeat)', every(at(10, 0), 30_000, 8), ['10:00:00', '10:00:30', '10:01:00']],
    ['1 min steps', every(at(10, 0), 60_000, 6), ['10:00', '10:01', '10:02']],
    ['5 s steps', every(at(10, 0, 55), 5_000, 6), ['10:00:55', '10:01:00', '10:01:05']],
    ['200 ms steps', every(at(10, 0, 59, 800), 200, 5), ['10:00:59.800', '10:01:00.000', '10:01:00.200']],
    ['3 h steps across midnight', every(at(21, 0), 3 * 3_600_000, 4), ['Jan 05 21:00', 'Jan 06 00:00', 'Jan 06 03:00']],
    ['day steps', every(at(0, 0), 86_400_000, 4), ['Jan 05', 'Jan 06', 'Jan 07']],
  ])('%s: distinct labels as precise as the step', (_name, ticks, firstLabels) => {
    const out = timeTickLabels(ticks);
    expect(out.ticks).toEqual(ticks);
    expect(out.labels.slice(0, 3)).toEqual(firstLabels);
    expect(new Set(out.labels).size).toBe(out.labels.length);
  });

  it('thins to every N-th tick when labels still repeat at millisecond precision', () => {
    // two ticks in the same millisecond (fractions of a ms are not printed)
    const ticks = [at(10, 0), at(10, 0) + 0.25, at(10, 0) + 1, at(10, 0) + 1.25];
    const out = timeTickLabels(ticks);
    expect(out.ticks).toEqual([ticks[0], ticks[2]]);
    expect(out.labels).toEqual(['10:00:00.000', '10:00:00.001']);
  });

  it('handles no tick and one tick', () => {
    expect(timeTickLabels([])).toEqual({ ticks: [], labels: [] });
    expect(timeTickLabels([at(9, 5, 7)])).toEqual({ ticks: [at(9, 5, 7)], labels: ['09:05:07'] });
    expect(formatTick(at(9, 5, 7, 42), 'millisecond')).toBe('09:05:07.042');
  });
});

import { backoffMs, durationMs, nextInPlaylist, screenOptions, shortSpan } from '../../../ui/src/screens/screenOptions';

describe('wall-screen URL options', () => {
  it.each<[string, object]>([
    ['kiosk=1&refresh=10s&theme=dark', { kiosk: true, theme: 'dark', refreshMs: 10_000, playlist: [], everyMs: 60_000 }],
    ['', { kiosk: false, theme: 'dark', refreshMs: null, playlist: [], everyMs: 60_000 }],
    ['kiosk=true&theme=light&refresh=1m', { kiosk: true, theme: 'light', refreshMs: 60_000 }],
    // out of bounds: clamped to 1 s .. 10 min; nonsense: the dashboard's own
    ['refresh=100ms', { refreshMs: 1_000 }],
    ['refresh=90m', { refreshMs: 600_000 }],
    ['refresh=soon&kiosk=maybe&theme=<b>', { refreshMs: null, kiosk: false, theme: 'dark' }],
    ['playlist=logs,order-center&every=30s', { playlist: ['service-health', 'logs', 'order-center'], everyMs: 30_000 }],
    ['playlist=order-center,service-health,BAD!,order-center&every=1s', { playlist: ['order-center', 'service-health'], everyMs: 5_000 }],
  ])('%s', (query, expected) => {
    expect(screenOptions('service-health', new URLSearchParams(query))).toMatchObject(expected);
  });

  it('rotates through the playlist and wraps', () => {
    expect(nextInPlaylist(['a', 'b', 'c'], 'a')).toBe('b');
    expect(nextInPlaylist(['a', 'b', 'c'], 'c')).toBe('a');
    expect(nextInPlaylist(['a'], 'a')).toBe('a');
    expect(nextInPlaylist([], 'x')).toBe('x');
  });

  it('backs off 1 s, 2 s, 4 s … up to 30 s, with at most 20 % jitter', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 20].map((a) => backoffMs(a, 0))).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
    expect(backoffMs(0, 0.999)).toBe(1_200);
  });

  it('reads durations and writes short spans', () => {
    expect(durationMs('2s', 0, 1e9)).toBe(2_000);
    expect(durationMs('500ms', 0, 1e9)).toBe(500);
    expect(durationMs('7', 0, 1e9)).toBe(7_000);
    expect(durationMs(null, 0, 1e9)).toBeNull();
    expect([0, 12_400, 65_000, 3_725_000].map(shortSpan)).toEqual(['0s', '12s', '1m 05s', '1h 02m']);
  });
});

import { localInputTime, logsHref, LOGS_MARGIN_MS } from '../../../ui/src/logsLink';
import { parseHash } from '../../../ui/src/route';

describe('logs of a trace or span', () => {
  const traceId = 'ab'.repeat(16);
  const startUs = Date.UTC(2026, 0, 31, 12, 0, 0) * 1000;
  const endUs = startUs + 2_500_000;

  it('opens log search with trace_id / span_id in the query and a window around the trace', () => {
    const span = parseHash(logsHref({ traceId, spanId: '12'.repeat(8) }, startUs, endUs));
    expect(span.path).toEqual(['logs']);
    expect(span.params.get('q')).toBe(`trace_id:${traceId} span_id:${'12'.repeat(8)}`);
    expect(span.params.get('range')).toBe('custom');
    expect(new Date(span.params.get('start')!).getTime()).toBe(startUs / 1000 - LOGS_MARGIN_MS);
    expect(new Date(span.params.get('end')!).getTime()).toBe(Math.ceil(endUs / 1000 / 1000) * 1000 + LOGS_MARGIN_MS);
    expect(parseHash(logsHref({ traceId }, startUs, endUs)).params.get('q')).toBe(`trace_id:${traceId}`);
  });

  it('writes local time as a datetime-local input reads it back', () => {
    const ms = Date.UTC(2026, 5, 1, 3, 4, 5);
    expect(localInputTime(ms)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    expect(new Date(localInputTime(ms)).getTime()).toBe(ms);
  });
});

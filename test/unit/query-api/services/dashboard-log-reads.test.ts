import type { LogRecord } from '../../../../core/model';
import type { DashboardData, ErrorBurstRow } from '../../../../core/wire';
import { createDashboardService } from '../../../../query-api/services/dashboard-service';
import { makeLog } from '../../../contract/fixtures';
import { startEmbeddedQueryApp, type EmbeddedQueryApp } from '../../../helpers/embedded-query-app';
import { recordedStore } from '../../../helpers/recorded-store';

/**
 * The Service health screen's log reads: a fixed number a refresh, however many services log errors (the
 * error-bursts panel reads every service's minutes and messages at once, not a facet read and then a histogram
 * and a search per service).
 */
describe('Service health: log-store reads per refresh', () => {
  let app: EmbeddedQueryApp;
  const minute = 60_000;
  const endMs = Math.floor(Date.now() / minute) * minute - 30 * minute;

  /** `services` services logging errors in the last 15 minutes: service i logs i + 1 errors of two messages. */
  function errors(prefix: string, services: number): LogRecord[] {
    return Array.from({ length: services }, (_, i) =>
      Array.from({ length: i + 1 }, (_, k) =>
        makeLog({ service: `${prefix}-${i}`, timeUs: (endMs - (k + 1) * minute) * 1000, severityText: 'ERROR', severityNumber: 17, body: k % 3 === 2 ? 'rare' : `failed in ${prefix}-${i}` }),
      ),
    ).flat();
  }

  async function refresh(endAtMs: number): Promise<{ logCalls: string[]; rows: ErrorBurstRow[]; windows: { startUs: number; endUs: number }[]; data: DashboardData }> {
    const logs = recordedStore(app.stores.logs);
    const dashboards = createDashboardService(app.stores.spans, logs.store, { chains: { businessKeys: ['order.id'] } });
    const data = await dashboards.data('service-health', endAtMs);
    const bursts = data.panels['error-bursts'];
    if (!bursts.ok || bursts.data.kind !== 'error-bursts') throw new Error(`error-bursts: ${JSON.stringify(bursts)}`);
    const windows = logs.calls.map((c) => c.args[0] as { startUs: number; endUs: number });
    return { logCalls: logs.calls.map((c) => c.method), rows: bursts.data.rows, windows, data };
  }

  beforeAll(async () => {
    app = await startEmbeddedQueryApp('dashboard-log-reads');
  });
  afterAll(() => app?.dispose());

  it('reads the logs the same number of times with 2 and with 8 erring services, the bursts in one read', async () => {
    await app.stores.logs.writeLogs({ logs: errors('two', 2), businessKeys: [] });
    const two = await refresh(endMs);
    expect(two.rows.map((r) => [r.service, r.count])).toEqual([
      ['two-1', 2],
      ['two-0', 1],
    ]);
    // an hour later, in minutes of their own: 8 services, of which the panel shows 5
    const laterMs = endMs + 60 * minute;
    await app.stores.logs.writeLogs({ logs: errors('eight', 8).map((l) => ({ ...l, timeUs: l.timeUs + 60 * minute * 1000 })), businessKeys: [] });
    const eight = await refresh(laterMs);
    expect(eight.rows.map((r) => [r.service, r.count])).toEqual([
      ['eight-7', 8],
      ['eight-6', 7],
      ['eight-5', 6],
      ['eight-4', 5],
      ['eight-3', 4],
    ]);
    expect(eight.logCalls).toEqual(two.logCalls);
    expect(eight.logCalls.filter((m) => m === 'bursts')).toEqual(['bursts']);
    expect(eight.logCalls.length).toBeLessThanOrEqual(2);
    // the panel's rows: minutes over its 15-minute window, the most frequent message of each
    const top = eight.rows[0];
    expect(top.series).toHaveLength(16);
    expect(top.series.reduce((n, p) => n + (p.value ?? 0), 0)).toBe(8);
    expect([top.topMessage, top.topMessageCount]).toEqual(['failed in eight-7', 6]);
  });

  it('reads the log panels over the whole minutes their window touches, the first and the last counted whole', async () => {
    // a window ending half a minute into a minute: it starts half a minute into its first minute
    const endAtMs = endMs + 3 * 60 * minute + 30_000;
    const firstMinuteMs = endAtMs - 30_000 - 15 * minute;
    const error = (atMs: number, body: string) => makeLog({ service: 'edges', timeUs: atMs * 1000, severityText: 'ERROR', severityNumber: 17, body });
    const logs = [error(firstMinuteMs - 1, 'the minute before'), error(firstMinuteMs + 5_000, 'before the window, in its first minute'), error(endAtMs - 1_000, 'in the window')];
    logs.push(error(endAtMs + 10_000, 'after the window end, in its last minute'), error(endAtMs + 30_000, 'the minute after'));
    await app.stores.logs.writeLogs({ logs, businessKeys: [] });
    const { rows, windows, data } = await refresh(endAtMs);
    for (const w of windows) expect([w.startUs % (minute * 1000), (w.endUs + 1) % (minute * 1000)]).toEqual([0, 0]);
    expect(rows.map((r) => [r.service, r.count])).toEqual([['edges', 3]]);
    expect(rows[0].series[0]).toEqual({ tUs: firstMinuteMs * 1000, value: 1 });
    expect(rows[0].series[rows[0].series.length - 1]).toEqual({ tUs: (endAtMs - 30_000) * 1000, value: 2 });
    const rate = data.panels['error-rate'];
    if (!rate.ok || rate.data.kind !== 'log-rate') throw new Error('error-rate');
    // the 1-hour panel: the minute before the 15-minute window is inside it
    expect(rate.data.series.find((s) => s.level === 'ERROR')!.points.reduce((n, p) => n + (p.value ?? 0), 0)).toBe(4);
  });
});

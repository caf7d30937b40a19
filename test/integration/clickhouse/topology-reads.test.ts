import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import type { ClickHouseClient } from '@clickhouse/client';
import { MINUTE_US } from '../../../core/topology';
import { ClickHouseSpanStore } from '../../../storage/clickhouse';
import { selectRows } from '../../../storage/clickhouse/connection';
import { ClickHouseTopology } from '../../../storage/clickhouse/topology-store';
import { makeTrace, spanBatch, uniq } from '../../contract/fixtures';
import { describeWithEngines, ENGINE_ADDRESSES, uniqueName } from '../../helpers/engines';
import { waitFor } from '../../helpers/wait';

/**
 * What a refreshing screen sends to ClickHouse: summarized minutes are kept between reads under their summary
 * version (topology-minute-cache.ts), so a second refresh of the same minutes sends the marks, the service names
 * and the aliases only, and a late span still shows. The statements are counted on a real server.
 */
describeWithEngines(['clickhouse'], 'ClickHouse topology reads of a refreshing screen', () => {
  const url = ENGINE_ADDRESSES.clickhouse();
  const database = uniqueName('chainscope_topology_reads');
  const services = [uniq('checkout'), uniq('payments')];
  // whole minutes well in the past, so they are over (quietSeconds 0 below: summarized once the clock passes the last write)
  const t0 = Math.floor((Date.now() * 1000 - 30 * MINUTE_US) / MINUTE_US) * MINUTE_US;
  const window = { startUs: t0, endUs: t0 + 10 * MINUTE_US - 1 };
  let admin: ClickHouseClient;
  let store: ClickHouseSpanStore;
  let statements: string[] = [];

  const kindOf = (query: string) =>
    query.includes('topology_minute_marks')
      ? 'marks'
      : query.includes('topology_aliases')
        ? 'aliases'
        : /DISTINCT service FROM/.test(query)
          ? 'services'
          : /c AS calls, e AS errors/.test(query)
            ? 'summarized minute rows'
            : query.replace(/\s+/g, ' ').slice(0, 80);
  /** A topology store handle of its own (nothing kept yet) that records every statement it sends. */
  const handle = () =>
    new ClickHouseTopology(
      database,
      async <T>(query: string, what: string) => {
        statements.push(kindOf(query));
        return selectRows<T>(admin, query, what);
      },
      async (table, values) => {
        await admin.insert({ table: `${database}.${table}`, values, format: 'JSONEachRow' });
      },
      async (query) => {
        await admin.command({ query });
      },
      0,
    );
  const refresh = (t: ClickHouseTopology) => Promise.all([t.topology(window), t.servicesStats(services, window, MINUTE_US), t.latencyMinutes(window)]);
  const write = async (minute: number, service: string, error = false) => {
    await store.writeSpans(spanBatch(makeTrace({ service, startUs: t0 + minute * MINUTE_US + 1_000, durationUs: 20_000 + minute * 1_000, overrides: (i) => (i === 0 && error ? { status: { code: 'error' as const, message: 'declined' } } : {}) })));
  };
  const serverPastLastWrite = () =>
    waitFor(async () => {
      const [row] = await selectRows<{ last: string; now: string }>(
        admin,
        `SELECT max(at) AS last, toUInt32(now()) AS now FROM \`${database}\`.topology_minute_marks WHERE kind = 0`,
        'test',
      );
      return Number(row.now) > Number(row.last);
    }, 'the server clock past the last write mark');
  const callsOf = (answer: Awaited<ReturnType<typeof refresh>>, service: string) => answer[0].nodes.find((n) => n.id === service)?.calls ?? 0;

  beforeAll(async () => {
    admin = createClient({ url, log: { level: ClickHouseLogLevel.OFF } });
    store = new ClickHouseSpanStore({ url, database });
    await store.start();
    for (let minute = 0; minute < 5; minute++) for (const [i, service] of services.entries()) for (let n = 0; n <= i + minute; n++) await write(minute, service, n === 0 && minute === 3);
  });
  afterAll(async () => {
    await store?.shutdown();
    await admin?.command({ query: `DROP DATABASE IF EXISTS \`${database}\`` });
    await admin?.close();
  });

  it('a second refresh of summarized minutes sends the marks, the names and the aliases only, and answers the same', async () => {
    await serverPastLastWrite();
    const screen = handle();
    statements = [];
    const first = await refresh(screen);
    // this refresh took the summaries: it keeps the rows it stored rather than reading them back
    expect(statements.filter((k) => k === 'summarized minute rows')).toEqual([]);
    expect(callsOf(first, services[0])).toBe(1 + 2 + 3 + 4 + 5);
    expect(callsOf(first, services[1])).toBe(2 + 3 + 4 + 5 + 6);
    expect(first[1].map((stats) => stats.series.reduce((sum, p) => sum + p.errors, 0))).toEqual([1, 1]);
    statements = [];
    const second = await refresh(screen);
    expect(second).toEqual(first);
    expect(statements.sort()).toEqual(['aliases', 'marks', 'services']);
    // a handle with nothing kept reads every minute from the server: the same answer
    expect(await refresh(handle())).toEqual(first);
  });

  it('a late span into a summarized minute is counted at once (exact read), and its new summary replaces the kept rows', async () => {
    await serverPastLastWrite();
    const screen = handle();
    const before = await refresh(screen);
    await write(2, services[0]);
    const late = await refresh(screen);
    expect(callsOf(late, services[0])).toBe(callsOf(before, services[0]) + 1);
    expect(late[1][0].series.find((p) => p.tUs === t0 + 2 * MINUTE_US)?.calls).toBe(4);
    await serverPastLastWrite();
    // another query process summarizes the minute again: the screen's kept copy is of the older summary
    expect(await refresh(handle())).toEqual(late);
    statements = [];
    expect(await refresh(screen)).toEqual(late);
    expect(statements.sort()).toEqual(['aliases', 'marks', 'services', 'summarized minute rows', 'summarized minute rows']);
    statements = [];
    expect(await refresh(screen)).toEqual(late);
    expect(statements.sort()).toEqual(['aliases', 'marks', 'services']);
  });
});

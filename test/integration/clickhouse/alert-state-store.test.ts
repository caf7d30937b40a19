import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { ClickHouseAlertStateStore } from '../../../storage/clickhouse/alert-state-store';
import { describeWithEngines, ENGINE_ADDRESSES, uniqueName } from '../../helpers/engines';
import { waitFor } from '../../helpers/wait';

/** The alerters' lease and shared state on a real ClickHouse: one leader among several, take-over after expiry or hand-over, state fenced by term. */
describeWithEngines(['clickhouse'], 'ClickHouse alert lease and state', () => {
  const url = ENGINE_ADDRESSES.clickhouse();
  const database = uniqueName('chainscope_alerter');
  const opened: ClickHouseAlertStateStore[] = [];
  const open = async () => {
    const store = new ClickHouseAlertStateStore({ url, database });
    await store.start();
    opened.push(store);
    return store;
  };

  afterAll(async () => {
    for (const s of opened) await s.shutdown().catch(() => undefined);
    const admin = createClient({ url, log: { level: ClickHouseLogLevel.OFF } });
    await admin.command({ query: `DROP DATABASE IF EXISTS \`${database}\`` });
    await admin.close();
  });

  it('lets exactly one of three holders lead, keeps it while it renews, hands over when it gives up, and fences the state by term', async () => {
    const [a, b, c] = [await open(), await open(), await open()];
    const holders = [
      { id: 'holder-b', store: a },
      { id: 'holder-a', store: b },
      { id: 'holder-c', store: c },
    ];
    const ttl = 60_000;
    const round = () => Promise.all(holders.map((h) => h.store.lead(h.id, ttl)));
    expect(await b.read()).toBeNull();
    // first round: the lease is free, all claim; nobody leads until the claims are read back
    expect(await round()).toEqual([false, false, false]);
    // all claimed the same term: the lowest holder id leads, the same for everyone, round after round
    for (let i = 0; i < 3; i++) expect(await round()).toEqual([false, true, false]);
    await expect(a.write('holder-b', '{"not":"leader"}')).rejects.toThrow(/holds no lease/);
    await b.write('holder-a', '{"n":1}');
    await b.write('holder-a', '{"n":2}');
    expect(await c.read()).toBe('{"n":2}');

    // a holder joining later with a lower id does not take a live lease
    const late = await open();
    expect(await late.lead('holder-0', ttl)).toBe(false);
    expect(await round()).toEqual([false, true, false]);

    // the leader gives up (shutdown): the next round claims, the one after has one new leader, which reads the state saved last
    await b.shutdown('holder-a');
    const rest = [holders[0], holders[2], { id: 'holder-0', store: late }];
    expect(await Promise.all(rest.map((h) => h.store.lead(h.id, ttl)))).toEqual([false, false, false]);
    expect(await Promise.all(rest.map((h) => h.store.lead(h.id, ttl)))).toEqual([false, false, true]);
    expect(await late.read()).toBe('{"n":2}');
    await late.write('holder-0', '{"n":3}');
    expect(await a.read()).toBe('{"n":3}');
  });

  it('takes over from a leader whose lease ran out without a word (a killed alerter)', async () => {
    const db2 = new ClickHouseAlertStateStore({ url, database: `${database}_2` });
    const other = new ClickHouseAlertStateStore({ url, database: `${database}_2` });
    await db2.start();
    await other.start();
    opened.push(db2, other);
    try {
      await db2.lead('crashing', 3_000);
      expect(await db2.lead('crashing', 3_000)).toBe(true);
      await db2.write('crashing', '{"last":"words"}');
      // "crashing" renews no more; "survivor" stands by until the lease runs out (server time, whole seconds), then claims and leads
      expect(await other.lead('survivor', 3_000)).toBe(false);
      await waitFor(async () => (await other.lead('survivor', 3_000)) || undefined, 'the survivor to lead', 15_000, 500);
      expect(await other.read()).toBe('{"last":"words"}');
      // the old leader, back, finds it lost: no longer leads and cannot overwrite the survivor's state
      expect(await db2.lead('crashing', 3_000)).toBe(false);
      await expect(db2.write('crashing', '{"stale":true}')).rejects.toThrow(/holds no lease/);
      await other.write('survivor', '{"n":1}');
      expect(await db2.read()).toBe('{"n":1}');
    } finally {
      const admin = createClient({ url, log: { level: ClickHouseLogLevel.OFF } });
      await admin.command({ query: `DROP DATABASE IF EXISTS \`${database}_2\`` });
      await admin.close();
    }
  }, 30_000);
});

import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import type { ClickHouseClient } from '@clickhouse/client';
import { quoteInList, quoteNumber, quoteString, quoteStringArray } from '../../../storage/clickhouse/quote';
import { describeWithEngines, ENGINE_ADDRESSES } from '../../helpers/engines';
import { HOSTILE } from '../../unit/storage/clickhouse/hostile-strings';

/** The quoting module's literals read back by a real server (the pure rules are in test/unit/storage/clickhouse/quote.test.ts). */
describeWithEngines(['clickhouse'], 'quoting against a real ClickHouse', () => {
  let client: ClickHouseClient;
  beforeAll(() => {
    client = createClient({ url: ENGINE_ADDRESSES.clickhouse(), log: { level: ClickHouseLogLevel.OFF } });
  });
  afterAll(async () => {
    await client.close();
  });

  async function select<T>(query: string): Promise<T[]> {
    return (await client.query({ query, format: 'JSONEachRow' })).json<T>();
  }

  it('round-trips hostile strings through a SELECT unchanged', async () => {
    for (const s of HOSTILE) {
      const [row] = await select<{ s: string; n: string }>(`SELECT ${quoteString(s)} AS s, length(s) AS n`);
      expect(row.s).toBe(s);
      expect(Number(row.n)).toBe(Buffer.byteLength(s, 'utf8'));
    }
  });

  it('round-trips a hostile array and matches with IN', async () => {
    const [row] = await select<{ a: string[]; hit: number }>(
      `SELECT ${quoteStringArray(HOSTILE)} AS a, ${quoteString(HOSTILE[6])} IN ${quoteInList(HOSTILE)} AS hit`,
    );
    expect(row.a).toEqual(HOSTILE);
    expect(row.hit).toBe(1);
  });

  it('round-trips numbers', async () => {
    const values = [0, -7, 3.25, 1e-7, 1e21, 2 ** 53 - 1];
    const [row] = await select<Record<string, string | number>>(
      `SELECT ${values.map((v, i) => `${quoteNumber(v)} AS n${i}`).join(', ')}`,
    );
    values.forEach((v, i) => expect(Number(row[`n${i}`])).toBe(v));
  });
});

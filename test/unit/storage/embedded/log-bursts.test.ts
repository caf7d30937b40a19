import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseLogQuery } from '../../../../core/logql';
import { openEmbeddedStores, type EmbeddedStores } from '../../../../storage/embedded';
import { BASE_US, makeLog } from '../../../contract/fixtures';
import { recordSqlReads } from '../../../helpers/sql-reads';

/**
 * The embedded bursts read scans the window's partial minutes once for every service (one grouped read by
 * service, bucket and severity), not once for the ranking and again for each service's histogram.
 */
describe('embedded LogStore.bursts: one grouped read of the window', () => {
  let dir: string;
  let stores: EmbeddedStores;
  const minute = 60_000_000;
  const startUs = Math.floor(BASE_US / minute) * minute + 3 * minute + 20_000_000;
  const window = { startUs, endUs: startUs + 10 * minute };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-log-bursts-'));
    stores = openEmbeddedStores({ dataDir: dir });
    await stores.logs.start();
    // 5 services, errors in the window's partial first and last minutes and in whole minutes between
    const logs = [0, 1, 2, 3, 4].flatMap((s) =>
      [0, 5 * minute, 10 * minute - 10].flatMap((at, k) =>
        Array.from({ length: s + 1 }, (_, i) => makeLog({ service: `svc-${s}`, timeUs: startUs + at + i, severityText: 'ERROR', severityNumber: 17, body: `failed ${k}` })),
      ),
    );
    await stores.logs.writeLogs({ logs, businessKeys: [] });
  });
  afterAll(async () => {
    await stores?.logs.shutdown();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads the logs table grouped once per partial minute, whatever the number of services', async () => {
    const { reads, restore } = recordSqlReads(stores.database.db);
    try {
      const bursts = await stores.logs.bursts({ ...window, filter: parseLogQuery('level:>=error') }, minute, { services: 5, messages: 1 });
      expect(bursts.map((b) => [b.service, b.count])).toEqual([4, 3, 2, 1, 0].map((s) => [`svc-${s}`, 3 * (s + 1)]));
      expect(bursts[0].buckets.map((b) => b.total)).toEqual([5, 5, 5]);
      const grouped = (table: RegExp) => reads.filter((sql) => table.test(sql) && /GROUP BY/.test(sql)).length;
      // the two partial minutes from the logs, the whole ones from log_minutes: three grouped reads in all
      expect(grouped(/FROM logs l\b/)).toBe(2);
      expect(grouped(/FROM log_minutes l\b/)).toBe(1);
    } finally {
      restore();
    }
  });
});

import { createClient, ClickHouseLogLevel } from '@clickhouse/client';
import { ClickHouseMetricStore, ClickHouseSpanStore } from '../../storage/clickhouse';
import { describeWithEngines, ENGINE_ADDRESSES, uniqueName } from '../helpers/engines';
import { describeMetricStoreContract } from './metric-store.contract';
import { describeSpanStoreContract } from './span-store.contract';

async function dropDatabase(url: string, database: string): Promise<void> {
  const admin = createClient({ url, log: { level: ClickHouseLogLevel.OFF } });
  try {
    await admin.command({ query: `DROP DATABASE IF EXISTS \`${database}\`` });
  } finally {
    await admin.close();
  }
}

describeWithEngines(['clickhouse'], 'ClickHouse span store', () => {
  describeSpanStoreContract('clickhouse', async () => {
    const url = ENGINE_ADDRESSES.clickhouse();
    const database = uniqueName('chainscope_contract');
    const store = new ClickHouseSpanStore({ url, database });
    return {
      store,
      cleanup: async () => {
        await store.shutdown();
        await dropDatabase(url, database);
      },
    };
  });
});

describeWithEngines(['clickhouse'], 'ClickHouse metric store', () => {
  describeMetricStoreContract('clickhouse', async () => {
    const url = ENGINE_ADDRESSES.clickhouse();
    const database = uniqueName('chainscope_metrics');
    const store = new ClickHouseMetricStore({ url, database, retentionDays: 7 });
    return {
      store,
      cleanup: async () => {
        await store.shutdown();
        await dropDatabase(url, database);
      },
    };
  });
});

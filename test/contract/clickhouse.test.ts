import { createClient, ClickHouseLogLevel } from '@clickhouse/client';
import { ClickHouseSpanStore } from '../../storage/clickhouse';
import { describeWithEngines, ENGINE_ADDRESSES, uniqueName } from '../helpers/engines';
import { describeSpanStoreContract } from './span-store.contract';

describeWithEngines(['clickhouse'], 'ClickHouse span store', () => {
  describeSpanStoreContract('clickhouse', async () => {
    const url = ENGINE_ADDRESSES.clickhouse();
    const database = uniqueName('chainscope_contract');
    const store = new ClickHouseSpanStore({ url, database });
    return {
      store,
      cleanup: async () => {
        await store.shutdown();
        const admin = createClient({ url, log: { level: ClickHouseLogLevel.OFF } });
        try {
          await admin.command({ query: `DROP DATABASE IF EXISTS \`${database}\`` });
        } finally {
          await admin.close();
        }
      },
    };
  });
});

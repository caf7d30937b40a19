import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LogStore } from '../core/contracts/log-store';
import type { OrderRollupSettings, SpanStore } from '../core/contracts/span-store';

/** Where a dashboards bench keeps its data, so a loaded store can be timed again (`--keep`, then `--reuse FILE`). */
export interface BenchPlace {
  backend: 'embedded' | 'clickhouse';
  /** embedded: the data folder. */
  dataDir?: string;
  /** clickhouse: the database; the logs go to OpenSearch under `logPrefix`. */
  database?: string;
  logPrefix?: string;
}

export interface BenchStores {
  spans: SpanStore;
  logs: LogStore;
  /** Makes the logs written so far searchable (OpenSearch refresh). */
  flushLogs(): Promise<void>;
  /** Closes the stores; `drop`: removes their data too. */
  close(drop: boolean): Promise<void>;
}

/** The bench's orders: order.id only, stages by root (no CHAIN_STAGES). */
const ROLLUP: OrderRollupSettings = { keys: ['order.id'], stages: [] };

/** A new place for `backend` (a temporary folder, or a database and index prefix of their own). */
export function newPlace(backend: BenchPlace['backend']): BenchPlace {
  if (backend === 'embedded') return { backend, dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-bench-dashboards-')) };
  const id = `${Date.now().toString(36)}_${process.pid}`;
  return { backend, database: `chainscope_bench_${id}`, logPrefix: `cs_bench_${id}` };
}

/**
 * The span and log stores of a place: the embedded file (spans and logs), or
 * ClickHouse (CLICKHOUSE_URL, default http://127.0.0.1:8123) with OpenSearch
 * logs (OPENSEARCH_URL, default http://127.0.0.1:9200).
 */
export async function openBenchStores(place: BenchPlace): Promise<BenchStores> {
  if (place.backend === 'embedded') {
    const { openEmbeddedStores } = await import('../storage/embedded');
    const stores = openEmbeddedStores({ dataDir: place.dataDir!, orderRollup: ROLLUP });
    await stores.spans.start();
    await stores.logs.start();
    return {
      spans: stores.spans,
      logs: stores.logs,
      flushLogs: async () => undefined,
      close: async (drop) => {
        await stores.spans.shutdown();
        await stores.logs.shutdown();
        if (drop) fs.rmSync(place.dataDir!, { recursive: true, force: true });
      },
    };
  }
  const { ClickHouseSpanStore } = await import('../storage/clickhouse');
  const { openSearchLogStore } = await import('../storage/search');
  const url = process.env.CLICKHOUSE_URL || 'http://127.0.0.1:8123';
  const spans = new ClickHouseSpanStore({ url, database: place.database!, orderRollup: ROLLUP });
  const logs = openSearchLogStore({ url: process.env.OPENSEARCH_URL || 'http://127.0.0.1:9200', indexPrefix: place.logPrefix!, numberOfReplicas: 0 });
  await spans.start();
  await logs.start();
  return {
    spans,
    logs,
    flushLogs: () => logs.refresh(),
    close: async (drop) => {
      if (drop) {
        const { createClient, ClickHouseLogLevel } = await import('@clickhouse/client');
        const admin = createClient({ url, log: { level: ClickHouseLogLevel.OFF } });
        try {
          await admin.command({ query: `DROP DATABASE IF EXISTS ${place.database}` });
        } finally {
          await admin.close();
        }
        await logs.uninstall();
      }
      await spans.shutdown();
      await logs.shutdown();
    },
  };
}

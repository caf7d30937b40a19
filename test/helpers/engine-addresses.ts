/** Where tests find the real engines: the same variables `scripts/engines/up` prints. */
export const ENGINE_ADDRESSES = {
  kafka: () => process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
  clickhouse: () => process.env.CLICKHOUSE_URL ?? 'http://127.0.0.1:8123',
  opensearch: () => process.env.OPENSEARCH_URL ?? 'http://127.0.0.1:9200',
  chromium: () => process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
} as const;

export type EngineName = keyof typeof ENGINE_ADDRESSES;

/** Set by test/global-setup.ts: comma-separated engines that answered before the run. */
export const AVAILABLE_ENGINES_ENV = 'CHAINSCOPE_TEST_ENGINES_AVAILABLE';

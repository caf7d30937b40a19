import { ValidationError } from './errors';

/**
 * One typed configuration for every role. Defaults live here and only here;
 * values come from environment variables. Validation happens once, at start-up:
 * a bad value stops the process with a message naming the variable.
 */
export interface Config {
  /** Query API + UI port. */
  port: number;
  /** OTLP/HTTP receiver port. */
  otlpHttpPort: number;
  /** Interface both servers bind to. */
  host: string;
  /** Embedded store folder. */
  dataDir: string;
  /** Run the demo order center (all-in-one only). */
  demo: boolean;
  /** Demo orders per second. */
  demoRate: number;
  /** Largest accepted OTLP request body, after decompression. */
  maxRequestBytes: number;
  /** Bytes of decoded-but-unpublished requests the collector holds at once before answering 503. */
  maxInflightBytes: number;
  /** In-process bus capacity per topic, in bytes of queued payload. */
  memoryBusCapacityBytes: number;
  /** Attribute names indexed as business keys. */
  businessKeys: string[];
  /** Spans (or log records) ingest writes to a store in one batch, at most. */
  ingestBatchSize: number;
  /** Largest bus message the collector publishes; bigger requests are split. */
  maxBusMessageBytes: number;
}

export const DEFAULT_CONFIG: Readonly<Config> = Object.freeze({
  port: 8080,
  otlpHttpPort: 4318,
  host: '0.0.0.0',
  dataDir: './data',
  demo: true,
  demoRate: 2,
  maxRequestBytes: 16 * 1024 * 1024,
  maxInflightBytes: 64 * 1024 * 1024,
  memoryBusCapacityBytes: 128 * 1024 * 1024,
  businessKeys: ['order.id', 'customer.id', 'business.id'],
  ingestBatchSize: 5000,
  maxBusMessageBytes: 900 * 1024,
});

type Parser<T> = (raw: string, name: string) => T;

const integer =
  (min: number, max: number): Parser<number> =>
  (raw, name) => {
    if (!/^\d+$/.test(raw.trim())) throw new ValidationError(`${name} must be an integer, got "${raw}"`, name);
    const n = Number(raw);
    if (n < min || n > max) throw new ValidationError(`${name} must be between ${min} and ${max}, got ${n}`, name);
    return n;
  };

const positiveNumber: Parser<number> = (raw, name) => {
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new ValidationError(`${name} must be a positive number, got "${raw}"`, name);
  return n;
};

const boolean: Parser<boolean> = (raw, name) => {
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new ValidationError(`${name} must be 0/1/true/false, got "${raw}"`, name);
};

const nonEmpty: Parser<string> = (raw, name) => {
  if (raw.trim() === '') throw new ValidationError(`${name} must not be empty`, name);
  return raw.trim();
};

const list: Parser<string[]> = (raw, name) => {
  const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new ValidationError(`${name} must list at least one name`, name);
  return items;
};

/** Environment variable → config key and its parser. */
const ENV_SCHEMA: { [K in keyof Config]: { env: string; parse: Parser<Config[K]> } } = {
  port: { env: 'PORT', parse: integer(0, 65535) },
  otlpHttpPort: { env: 'OTLP_HTTP_PORT', parse: integer(0, 65535) },
  host: { env: 'HOST', parse: nonEmpty },
  dataDir: { env: 'DATA_DIR', parse: nonEmpty },
  demo: { env: 'DEMO', parse: boolean },
  demoRate: { env: 'DEMO_RATE', parse: positiveNumber },
  maxRequestBytes: { env: 'MAX_REQUEST_BYTES', parse: integer(1024, 256 * 1024 * 1024) },
  maxInflightBytes: { env: 'MAX_INFLIGHT_BYTES', parse: integer(1024, 4 * 1024 * 1024 * 1024) },
  memoryBusCapacityBytes: { env: 'MEMORY_BUS_CAPACITY_BYTES', parse: integer(1024, 8 * 1024 * 1024 * 1024) },
  businessKeys: { env: 'BUSINESS_KEYS', parse: list },
  ingestBatchSize: { env: 'INGEST_BATCH_SIZE', parse: integer(1, 100_000) },
  maxBusMessageBytes: { env: 'MAX_BUS_MESSAGE_BYTES', parse: integer(1024, 64 * 1024 * 1024) },
};

export const CONFIG_ENV_VARS: readonly string[] = Object.values(ENV_SCHEMA).map((s) => s.env);

/** Reads the config from environment variables over the defaults. Throws ValidationError on a bad value. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const config: Record<string, unknown> = { ...DEFAULT_CONFIG };
  for (const [key, spec] of Object.entries(ENV_SCHEMA) as [keyof Config, { env: string; parse: Parser<unknown> }][]) {
    const raw = env[spec.env];
    if (raw !== undefined) config[key] = spec.parse(raw, spec.env);
  }
  return { ...(config as unknown as Config), ...overrides };
}

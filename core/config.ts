import fs from 'node:fs';
import { ValidationError } from './errors';
import { parseParserSpec, parseServiceRule } from './log-source-spec';

/**
 * One typed configuration for every role. Defaults live here and only here.
 * Sources, later wins: defaults < config file (CONFIG_FILE, JSON with the keys
 * below) < environment variables. Validation happens once, at start-up: a bad
 * value or an unknown key stops the process with a message naming it.
 */
export interface Config {
  /** Query API + UI port. */
  port: number;
  /** OTLP/HTTP receiver port. */
  otlpHttpPort: number;
  /** OTLP/gRPC receiver port; null = off. Unset with OTLP_HTTP_PORT 0: a free port too. */
  otlpGrpcPort: number | null;
  /** Zipkin v2 receiver port (POST /api/v2/spans); null = off. Unset with OTLP_HTTP_PORT 0: a free port too. */
  zipkinPort: number | null;
  /** Interface every server binds to: loopback by default; another address needs AUTH=tokens or INSECURE=1. */
  host: string;
  /** `none` (default) or `tokens`: every port asks for an API token (docs/security.md). */
  auth: 'none' | 'tokens';
  /** Allows binding a non-loopback HOST with AUTH=none (anyone who reaches the ports reads and writes everything). */
  insecure: boolean;
  /** API tokens file (hashes only); '' = DATA_DIR/security/tokens.json. */
  tokensFile: string;
  /** Host names (besides loopback names and IP addresses) a request's Host header may carry; `*` = any (DNS rebinding guard off). */
  allowedHosts: string[];
  /** Web origins (scheme://host[:port]) whose pages may call Chainscope from a browser (CORS); empty = none. */
  corsAllowedOrigins: string[];
  /** AUTH=tokens: the `iss` of the JWTs accepted besides API tokens (the identity provider's issuer URL); '' = no JWTs. */
  jwtIssuer: string;
  /** A JWT's `aud` must hold one of these. */
  jwtAudience: string[];
  /** The identity provider's JWKS (its jwks_uri); one of this and jwtJwksFile with jwtIssuer. */
  jwtJwksUrl: string;
  /** A JWKS file (JSON `{ "keys": [...] }`), re-read when it changes. */
  jwtJwksFile: string;
  /** The JWKS is fetched again this often (seconds); a token naming an unknown kid fetches it at once (at most every 30 s). */
  jwtJwksRefreshSeconds: number;
  /** Claim holding the role (ingest, read, admin): a string, a space-separated list or an array; a dotted path reaches nested claims. */
  jwtRoleClaim: string;
  /** Claim holding the tenant; '' = every JWT is of the tenant `default`. */
  jwtTenantClaim: string;
  /** Leeway on exp, nbf and iat, seconds. */
  jwtClockSkewSeconds: number;
  /** Ingest request bytes (after decompression) per second each tenant may send; null = no limit. */
  tenantIngestBytesPerSecond: number | null;
  /** Spans per second each tenant may send; null = no limit. */
  tenantIngestSpansPerSecond: number | null;
  /** Log records per second each tenant may send; null = no limit. */
  tenantIngestLogsPerSecond: number | null;
  /** Seconds of its rate a tenant may send at once after a quiet spell (the token buckets' size). */
  tenantIngestBurstSeconds: number;
  /** Query API requests one tenant may have running at once; one more is answered 429; null = no limit. */
  tenantQueryConcurrency: number | null;
  /** Embedded store folder. */
  dataDir: string;
  /** Embedded store: data older than this is deleted, in µs (RETENTION, e.g. `7d`); null (`off`) = kept by age forever. */
  retention: number | null;
  /** Embedded store: its files (database, WAL, shared memory) are kept under this many bytes by deleting the oldest data; null = unlimited. */
  maxDiskBytes: number | null;
  /** Run the demo order center (all-in-one only). */
  demo: boolean;
  /** Demo orders per second. */
  demoRate: number;
  /**
   * Folder where the demo's services write their logs as JSON lines
   * (`<dir>/<service>.log`), which the all-in-one ships with its file shipper;
   * '' = `<dataDir>/demo-logs`; null (`off`) = the demo sends its logs over OTLP.
   */
  demoLogDir: string | null;
  /** Largest accepted OTLP request body, after decompression. */
  maxRequestBytes: number;
  /** Request body bytes the collector holds at once (arrived, being decoded or published; never a declared Content-Length) before answering 503. */
  maxInflightBytes: number;
  /** OTLP/HTTP receiver and query API: request headers must be complete this long after the request (or connection) started. */
  httpHeadersTimeoutMs: number;
  /** OTLP/HTTP receiver and query API: a whole request (headers and body) must arrive within this. */
  httpRequestTimeoutMs: number;
  /** OTLP/HTTP receiver and query API: an idle keep-alive connection is closed after this. */
  httpKeepAliveTimeoutMs: number;
  /** OTLP/HTTP receiver: a request body that sends no byte for this long is answered 408 and closed. */
  otlpHttpBodyIdleTimeoutMs: number;
  /** OTLP/HTTP receiver: open connections at most; further ones are answered 503 and closed. */
  otlpHttpMaxConnections: number;
  /** In-process bus capacity per topic, in bytes of queued payload. */
  memoryBusCapacityBytes: number;
  /** Write-ahead log bus (all-in-one): its folder; '' = `<dataDir>/wal`. */
  walDir: string;
  /** Write-ahead log bus: bytes per topic not yet written to the store before the collector answers 503. */
  walMaxBytes: number;
  /** Write-ahead log bus: size of one segment file. */
  walSegmentBytes: number;
  /** Write-ahead log bus: how an append is made durable before the collector answers 200. */
  walSync: 'fdatasync' | 'fsync' | 'none';
  /** Attribute names indexed as business keys. */
  businessKeys: string[];
  /** Embedded store: attribute names (besides the business keys) whose key=value trace search reads an index; '*' = all. */
  indexedAttributes: string[];
  /** Spans (or log records) ingest writes to a store in one batch, at most. */
  ingestBatchSize: number;
  /** Label sets of the Prometheus span metrics and service-graph edges kept per ingest process or thread; further ones are counted under `otel_metric_overflow="true"`. 0 turns them off. */
  spanMetricsMaxSeries: number;
  /** Largest bus message the collector publishes; bigger requests are split. */
  maxBusMessageBytes: number;
  /** Decode and write ingest batches on a worker thread (uses a second core; SQLite writes are synchronous). */
  ingestThread: boolean;
  /** Ingest worker threads (with INGEST_THREAD): each takes its own batches, one decodes while another holds the embedded store's write transaction. */
  ingestThreads: number;
  /** Old-generation limit of each ingest thread's V8 heap, MiB: keeps the heap near its live size (a thread that runs out is started again with twice the limit). */
  ingestThreadMaxOldSpaceMiB: number;
  /** SQLite page cache of each ingest thread's embedded-store connection, MiB (the writers take turns, so it serves within one write transaction; 64 MiB each grew the threads' memory with the store). */
  ingestThreadCacheMiB: number;
  /** wal (all-in-one default: durable before 200), memory (all-in-one, not durable across a crash) or kafka. */
  bus: 'wal' | 'memory' | 'kafka';
  spanStore: 'embedded' | 'clickhouse';
  logStore: 'embedded' | 'elasticsearch' | 'opensearch';
  kafkaBrokers: string[];
  spansTopic: string;
  logsTopic: string;
  metricsTopic: string;
  /** Payload encoding on the bus topics: otlp_proto (default, what we and the OTel Collector write) or otlp_json. */
  kafkaEncoding: 'otlp_proto' | 'otlp_json';
  kafkaPartitions: number;
  ingestGroup: string;
  clickhouseUrl: string;
  clickhouseDatabase: string;
  clickhouseUser: string;
  clickhousePassword: string;
  /** ClickHouse: whole days kept (CLICKHOUSE_RETENTION_DAYS): TTL where the server has it, else a partition sweep; null (`off`) = kept forever. */
  clickhouseRetentionDays: number | null;
  elasticsearchUrl: string;
  elasticsearchApiKey: string;
  opensearchUrl: string;
  /** Index name prefix of the search-engine log store. */
  logIndexPrefix: string;
  /** Most traces in one business call chain (the walk over links and messages stops there). */
  chainMaxTraces: number;
  /** Stage of a chain's traces by service (and optionally span name); empty: one stage per kind of entry trace. */
  chainStages: ChainStageConfig[];
  /** Messaging destinations or span names (producer or consumer) whose waits in a chain are intended (a scheduled delay), never a bottleneck. */
  chainExpectedWaits: string[];
  /** Folder of more dashboard files (<id>.json, dashboards/dashboard.schema.json) besides the shipped ones; '' = none. */
  dashboardsDir: string;
  /** Folder of alert rule files (*.json, alert-rules/alert-rules.schema.json); '' = no rules, no evaluator. */
  alertRulesDir: string;
  /** Alertmanager base URL firing and resolved alerts are posted to (/api/v2/alerts); '' = none. */
  alertmanagerUrl: string;
  /** URL a plain JSON webhook of firing and resolved alerts is posted to; '' = none. */
  alertWebhookUrl: string;
  /** How often the alert rules are evaluated (ms). */
  alertEvalIntervalMs: number;
  /** Regexes over log bodies whose first capture group is a business-key value. */
  businessKeyPatterns: BusinessKeyPatternConfig[];
  /** Syslog TCP listener port (collector, all-in-one); null: off. */
  syslogTcpPort: number | null;
  /** Syslog UDP listener port (collector, all-in-one); null: off. */
  syslogUdpPort: number | null;
  /** Largest syslog message (one TCP frame or UDP datagram); bigger ones are dropped and counted. */
  syslogMaxMessageBytes: number;
  /** Open syslog TCP connections at most; further ones are closed at once. */
  syslogMaxConnections: number;
  /** A syslog TCP connection silent this long is closed. */
  syslogIdleTimeoutMs: number;
  /** Service of syslog records without APP-NAME / tag. */
  syslogDefaultService: string;
  /** Extra ingest topic of raw JSON-lines logs (Fluent Bit, Vector, Filebeat); '' = off. */
  jsonLogsTopic: string;
  /** Field mapping of the JSON-lines topic; fields not given keep their defaults. */
  jsonLogsMapping: JsonLogsMappingConfig;
  /** Globs of log files the all-in-one ships through its own receiver (the file shipper); empty = off. */
  logPaths: string[];
  /** service.name of the shipped records (with logServiceFrom: of those it names none for). */
  logService: string;
  /** Per-record service.name, rules tried in order: `field:<name>` (a parsed field) or `file` (the file name); empty = always logService. */
  logServiceFrom: string[];
  /** Line format of those files: plain, json, logfmt or regex:<pattern with named groups>. */
  logFormat: string;
  /** Regex a record's first line matches (continuation lines do not); '' = one line per record. */
  logMultilineStart: string;
  /** Periodic console status lines (demo figures, file shipper): `changed` prints one only when its figures changed since the last; `off` never. */
  statusLines: 'changed' | 'off';
}

export const DEFAULT_CONFIG: Readonly<Config> = Object.freeze({
  port: 8080,
  otlpHttpPort: 4318,
  otlpGrpcPort: 4317,
  zipkinPort: 9411,
  host: '127.0.0.1',
  auth: 'none',
  insecure: false,
  tokensFile: '',
  allowedHosts: [],
  corsAllowedOrigins: [],
  jwtIssuer: '',
  jwtAudience: [],
  jwtJwksUrl: '',
  jwtJwksFile: '',
  jwtJwksRefreshSeconds: 600,
  jwtRoleClaim: 'roles',
  jwtTenantClaim: '',
  jwtClockSkewSeconds: 60,
  tenantIngestBytesPerSecond: null,
  tenantIngestSpansPerSecond: null,
  tenantIngestLogsPerSecond: null,
  tenantIngestBurstSeconds: 2,
  tenantQueryConcurrency: null,
  dataDir: './data',
  // a week: enough to look back over incidents and releases, and a laptop or small VM never fills up by default
  retention: 7 * 24 * 3600 * 1_000_000,
  maxDiskBytes: null,
  demo: true,
  demoRate: 2,
  demoLogDir: '',
  maxRequestBytes: 16 * 1024 * 1024,
  maxInflightBytes: 64 * 1024 * 1024,
  httpHeadersTimeoutMs: 10_000,
  httpRequestTimeoutMs: 60_000,
  httpKeepAliveTimeoutMs: 65_000,
  otlpHttpBodyIdleTimeoutMs: 15_000,
  otlpHttpMaxConnections: 2000,
  memoryBusCapacityBytes: 128 * 1024 * 1024,
  walDir: '',
  walMaxBytes: 512 * 1024 * 1024,
  walSegmentBytes: 64 * 1024 * 1024,
  walSync: 'fdatasync',
  businessKeys: ['order.id', 'customer.id', 'business.id'],
  indexedAttributes: [],
  ingestBatchSize: 20_000,
  spanMetricsMaxSeries: 2000,
  maxBusMessageBytes: 900 * 1024,
  ingestThread: true,
  ingestThreads: 2,
  ingestThreadMaxOldSpaceMiB: 256,
  ingestThreadCacheMiB: 16,
  bus: 'wal',
  spanStore: 'embedded',
  logStore: 'embedded',
  kafkaBrokers: ['127.0.0.1:9092'],
  spansTopic: 'otlp_spans',
  logsTopic: 'otlp_logs',
  metricsTopic: 'otlp_metrics',
  kafkaEncoding: 'otlp_proto',
  kafkaPartitions: 4,
  ingestGroup: 'chainscope-ingest',
  clickhouseUrl: 'http://127.0.0.1:8123',
  clickhouseDatabase: 'chainscope',
  clickhouseUser: 'default',
  clickhousePassword: '',
  clickhouseRetentionDays: null,
  elasticsearchUrl: 'http://127.0.0.1:9200',
  elasticsearchApiKey: '',
  opensearchUrl: 'http://127.0.0.1:9200',
  logIndexPrefix: 'chainscope-logs',
  chainMaxTraces: 200,
  chainStages: [],
  chainExpectedWaits: [],
  dashboardsDir: '',
  alertRulesDir: '',
  alertmanagerUrl: '',
  alertWebhookUrl: '',
  alertEvalIntervalMs: 30_000,
  businessKeyPatterns: [],
  syslogTcpPort: null,
  syslogUdpPort: null,
  syslogMaxMessageBytes: 64 * 1024,
  syslogMaxConnections: 1000,
  syslogIdleTimeoutMs: 300_000,
  syslogDefaultService: 'syslog',
  jsonLogsTopic: '',
  jsonLogsMapping: {},
  logPaths: [],
  logService: 'app',
  logServiceFrom: [],
  logFormat: 'plain',
  logMultilineStart: '',
  statusLines: 'changed',
} satisfies Config);

/** Parses a raw value (a string from the environment, or any JSON value from the file). */
type Parser<T> = (raw: unknown, name: string) => T;

function text(raw: unknown, name: string): string {
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  if (typeof raw !== 'string') throw new ValidationError(`${name} must be a string`, name);
  return raw.trim();
}

const integer =
  (min: number, max: number): Parser<number> =>
  (raw, name) => {
    const s = text(raw, name);
    if (!/^\d+$/.test(s)) throw new ValidationError(`${name} must be a whole number, got "${s}"`, name);
    const n = Number(s);
    if (n < min || n > max) throw new ValidationError(`${name} must be between ${min} and ${max}, got ${n}`, name);
    return n;
  };

const positiveNumber: Parser<number> = (raw, name) => {
  const n = Number(text(raw, name));
  if (!Number.isFinite(n) || n <= 0) throw new ValidationError(`${name} must be a positive number, got "${raw}"`, name);
  return n;
};

const boolean: Parser<boolean> = (raw, name) => {
  const v = text(raw, name).toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new ValidationError(`${name} must be 0/1/true/false, got "${raw}"`, name);
};

const nonEmpty: Parser<string> = (raw, name) => {
  const s = text(raw, name);
  if (s === '') throw new ValidationError(`${name} must not be empty`, name);
  return s;
};

const anyString: Parser<string> = (raw, name) => text(raw, name);

const url: Parser<string> = (raw, name) => {
  const s = nonEmpty(raw, name);
  let parsed: URL;
  try {
    parsed = new URL(s);
  } catch {
    throw new ValidationError(`${name} must be a URL like http://host:port, got "${s}"`, name);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ValidationError(`${name} must be an http or https URL, got "${s}"`, name);
  }
  return s.replace(/\/+$/, '');
};

const list: Parser<string[]> = (raw, name) => {
  const items = Array.isArray(raw) ? raw.map((v) => text(v, name)) : text(raw, name).split(',');
  const cleaned = items.map((s) => s.trim()).filter(Boolean);
  if (cleaned.length === 0) throw new ValidationError(`${name} must list at least one value`, name);
  return cleaned;
};

/** scheme://host[:port], as a browser sends in Origin (no path, no trailing slash). */
const webOrigins: Parser<string[]> = (raw, name) => {
  const items = list(raw, name);
  for (const item of items) {
    if (!/^https?:\/\/[^\s/?#]+$/.test(item)) throw new ValidationError(`${name} must list origins like https://app.example.com:8443 (scheme, host, optional port; no path), got "${item}"`, name);
  }
  return items;
};

const hostPorts: Parser<string[]> = (raw, name) => {
  const items = list(raw, name);
  for (const item of items) {
    if (!/^[^\s:]+:\d{1,5}$/.test(item)) throw new ValidationError(`${name} must list host:port pairs, got "${item}"`, name);
  }
  return items;
};

const oneOf =
  <T extends string>(...choices: T[]): Parser<T> =>
  (raw, name) => {
    const s = text(raw, name).toLowerCase();
    if (!(choices as string[]).includes(s)) throw new ValidationError(`${name} must be one of ${choices.join(', ')}, got "${raw}"`, name);
    return s as T;
  };

const topicName: Parser<string> = (raw, name) => {
  const s = nonEmpty(raw, name);
  if (!/^[A-Za-z0-9._-]{1,200}$/.test(s)) throw new ValidationError(`${name} may hold letters, digits, . _ - only, got "${s}"`, name);
  return s;
};

export interface ChainStageConfig {
  stage: string;
  service: string;
  operation?: string;
}

export interface BusinessKeyPatternConfig {
  key: string;
  /** JavaScript regular expression source; the first capture group is the value. */
  pattern: string;
}

/** Longest regex source accepted in BUSINESS_KEY_PATTERNS. */
const MAX_PATTERN_LENGTH = 500;

/** A JSON array of objects with exactly the given string fields (`optional` ones may be absent). */
const jsonObjects =
  (required: string[], optional: string[] = []): Parser<Record<string, string>[]> =>
  (raw, name) => {
    let value: unknown = raw;
    if (typeof raw === 'string') {
      if (raw.trim() === '') return [];
      try {
        value = JSON.parse(raw);
      } catch (err) {
        throw new ValidationError(`${name} must be a JSON array: ${(err as Error).message}`, name);
      }
    }
    if (!Array.isArray(value)) throw new ValidationError(`${name} must be a JSON array of objects`, name);
    if (value.length > 100) throw new ValidationError(`${name} may hold at most 100 entries`, name);
    return value.map((item, i) => {
      if (!item || typeof item !== 'object' || Array.isArray(item)) {
        throw new ValidationError(`${name}[${i}] must be an object with ${required.join(', ')}`, name);
      }
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(item)) {
        if (!required.includes(k) && !optional.includes(k)) {
          throw new ValidationError(`${name}[${i}] has unknown field "${k}" (known: ${[...required, ...optional].join(', ')})`, name);
        }
        if (typeof v !== 'string' || v === '') throw new ValidationError(`${name}[${i}].${k} must be a non-empty string`, name);
        out[k] = v;
      }
      for (const k of required) if (!(k in out)) throw new ValidationError(`${name}[${i}] needs "${k}"`, name);
      return out;
    });
  };

const chainStages: Parser<ChainStageConfig[]> = (raw, name) =>
  jsonObjects(['stage', 'service'], ['operation'])(raw, name) as unknown as ChainStageConfig[];

const MAX_EXPECTED_WAITS = 100;
const MAX_EXPECTED_WAIT_NAME_LENGTH = 1024;
/** Comma-separated names (or an array in a config file, which may be empty). */
const expectedWaitNames: Parser<string[]> = (raw, name) => {
  const names = Array.isArray(raw) && raw.length === 0 ? [] : list(raw, name);
  if (names.length > MAX_EXPECTED_WAITS) throw new ValidationError(`${name} lists more than ${MAX_EXPECTED_WAITS} names`, name);
  for (const n of names) {
    if (n.length > MAX_EXPECTED_WAIT_NAME_LENGTH) throw new ValidationError(`${name} has a name longer than ${MAX_EXPECTED_WAIT_NAME_LENGTH} characters`, name);
  }
  return names;
};

const businessKeyPatterns: Parser<BusinessKeyPatternConfig[]> = (raw, name) => {
  const entries = jsonObjects(['key', 'pattern'])(raw, name) as unknown as BusinessKeyPatternConfig[];
  entries.forEach(({ pattern }, i) => {
    if (pattern.length > MAX_PATTERN_LENGTH) throw new ValidationError(`${name}[${i}].pattern is longer than ${MAX_PATTERN_LENGTH} characters`, name);
    let re: RegExp;
    try {
      re = new RegExp(pattern);
    } catch (err) {
      throw new ValidationError(`${name}[${i}].pattern is not a valid regular expression: ${(err as Error).message}`, name);
    }
    // a pattern without a group would have no value to index
    if (new RegExp(`${re.source}|`).exec('')!.length < 2) {
      throw new ValidationError(`${name}[${i}].pattern needs a capture group around the value, e.g. "order (ORD-[\\w-]+)"`, name);
    }
  });
  return entries;
};

/** A port, or off ('off', 'none', '-', null). */
const optionalPort: Parser<number | null> = (raw, name) => {
  if (raw === null) return null;
  const s = text(raw, name).toLowerCase();
  if (s === 'off' || s === 'none' || s === '-') return null;
  return integer(0, 65535)(s, name);
};

/** Text of at most `max` characters ('' allowed). */
const boundedText =
  (max: number): Parser<string> =>
  (raw, name) => {
    const s = text(raw, name);
    if (s.length > max) throw new ValidationError(`${name} must be at most ${max} characters, got ${s.length}`, name);
    return s;
  };

/** A JWT claim name (namespaced ones like https://example.com/roles included) or a dotted path to a nested one. */
const claimName: Parser<string> = (raw, name) => {
  const s = nonEmpty(raw, name);
  if (!/^[\x21-\x7e]{1,200}$/.test(s)) throw new ValidationError(`${name} must be a claim name of at most 200 printable characters without spaces, got "${s.slice(0, 50)}"`, name);
  return s;
};

/** A whole number between min and max, or no limit ('off', 'none', 'unlimited', null). */
const optionalLimit =
  (min: number, max: number): Parser<number | null> =>
  (raw, name) => {
    if (raw === null) return null;
    const s = text(raw, name).toLowerCase();
    if (['off', 'none', 'unlimited'].includes(s)) return null;
    return integer(min, max)(s, name);
  };

/** A folder, or off ('off', 'none', '-', null). */
const offOrPath: Parser<string | null> = (raw, name) => {
  if (raw === null) return null;
  const s = text(raw, name);
  return ['off', 'none', '-'].includes(s.toLowerCase()) ? null : s;
};

const DURATION_UNITS_US: Record<string, number> = { m: 60e6, h: 3600e6, d: 86_400e6, w: 604_800e6 };

/** An age like `30m`, `12h`, `7d`, `2w` (1 minute to 10 years) in µs, or off (`off`, `none`, `forever`, null). */
const retentionAge: Parser<number | null> = (raw, name) => {
  if (raw === null) return null;
  const s = text(raw, name).toLowerCase();
  if (['off', 'none', 'forever'].includes(s)) return null;
  const m = /^(\d{1,7})\s*([mhdw])$/.exec(s);
  if (!m) throw new ValidationError(`${name} must be an age like 30m, 12h, 7d or 2w, or off, got "${s}"`, name);
  const us = Number(m[1]) * DURATION_UNITS_US[m[2]];
  if (us < DURATION_UNITS_US.m || us > 3650 * DURATION_UNITS_US.d) throw new ValidationError(`${name} must be between 1m and 3650d, got "${s}"`, name);
  return us;
};

const BYTE_UNITS: Record<string, number> = { '': 1, k: 2 ** 10, kib: 2 ** 10, m: 2 ** 20, mib: 2 ** 20, g: 2 ** 30, gib: 2 ** 30, t: 2 ** 40, tib: 2 ** 40 };

/** Bytes, plain or with a binary unit (`512MiB`, `10G`), 16 MiB to 1 PiB; or unlimited (`off`, `none`, `unlimited`, null). */
const diskBytes: Parser<number | null> = (raw, name) => {
  if (raw === null) return null;
  const s = text(raw, name).toLowerCase();
  if (['off', 'none', 'unlimited'].includes(s)) return null;
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/.exec(s);
  if (!m || !(m[2] in BYTE_UNITS)) throw new ValidationError(`${name} must be bytes like 1073741824, 512MiB or 10GiB, or unlimited, got "${s}"`, name);
  const bytes = Math.floor(Number(m[1]) * BYTE_UNITS[m[2]]);
  if (bytes < 16 * 2 ** 20 || bytes > 2 ** 50) throw new ValidationError(`${name} must be between 16MiB and 1PiB, got "${s}"`, name);
  return bytes;
};

const optionalTopicName: Parser<string> = (raw, name) => (text(raw, name) === '' ? '' : topicName(raw, name));

/** Where the JSON-lines decoder looks for each record field: dotted paths, tried in order. */
export interface JsonLogsMappingConfig {
  time?: string[];
  message?: string[];
  level?: string[];
  service?: string[];
  traceId?: string[];
  spanId?: string[];
  host?: string[];
  /** Service of lines that carry none of the service fields. */
  defaultService?: string;
}

const JSON_LOGS_PATH_FIELDS = ['time', 'message', 'level', 'service', 'traceId', 'spanId', 'host'] as const;

const jsonLogsMapping: Parser<JsonLogsMappingConfig> = (raw, name) => {
  let value: unknown = raw;
  if (typeof raw === 'string') {
    if (raw.trim() === '') return {};
    try {
      value = JSON.parse(raw);
    } catch (err) {
      throw new ValidationError(`${name} must be a JSON object: ${(err as Error).message}`, name);
    }
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new ValidationError(`${name} must be a JSON object`, name);
  const out: JsonLogsMappingConfig = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === 'defaultService') {
      if (typeof v !== 'string' || v.trim() === '') throw new ValidationError(`${name}.defaultService must be a non-empty string`, name);
      out.defaultService = v.trim();
      continue;
    }
    if (!(JSON_LOGS_PATH_FIELDS as readonly string[]).includes(k)) {
      throw new ValidationError(`${name} has unknown field "${k}" (known: ${[...JSON_LOGS_PATH_FIELDS, 'defaultService'].join(', ')})`, name);
    }
    const paths = typeof v === 'string' ? [v] : v;
    if (!Array.isArray(paths) || paths.length > 20 || paths.some((p) => typeof p !== 'string' || p === '' || p.length > 200)) {
      throw new ValidationError(`${name}.${k} must be a field path or an array of at most 20 paths, e.g. ["@timestamp", "ts"]`, name);
    }
    out[k as (typeof JSON_LOGS_PATH_FIELDS)[number]] = paths as string[];
  }
  return out;
};

function regex(source: string, name: string): RegExp {
  try {
    return new RegExp(source);
  } catch (err) {
    throw new ValidationError(`${name} is not a valid regular expression: ${(err as Error).message}`, name);
  }
}

/** plain, json, logfmt or regex:<pattern with at least one named group> (the file shipper's format grammar). */
const logFormat: Parser<string> = (raw, name) => {
  const s = nonEmpty(raw, name);
  try {
    parseParserSpec(s);
  } catch (err) {
    throw new ValidationError(`${name}: ${(err as Error).message}`, name);
  }
  return s;
};

/** `field:<name>` or `file`, comma-separated (the file shipper's serviceFrom grammar); empty = none. */
const serviceFromRules: Parser<string[]> = (raw, name) => {
  if (typeof raw === 'string' && raw.trim() === '') return [];
  if (Array.isArray(raw) && raw.length === 0) return [];
  const rules = list(raw, name);
  for (const rule of rules) {
    try {
      parseServiceRule(rule);
    } catch (err) {
      throw new ValidationError(`${name} ${(err as Error).message}`, name);
    }
  }
  return rules;
};

/** Every key: its environment variable and its parser. The config file uses the keys themselves. */
const SCHEMA: { [K in keyof Config]: { env: string; parse: Parser<Config[K]> } } = {
  port: { env: 'PORT', parse: integer(0, 65535) },
  otlpHttpPort: { env: 'OTLP_HTTP_PORT', parse: integer(0, 65535) },
  otlpGrpcPort: { env: 'OTLP_GRPC_PORT', parse: optionalPort },
  zipkinPort: { env: 'ZIPKIN_PORT', parse: optionalPort },
  host: { env: 'HOST', parse: nonEmpty },
  auth: { env: 'AUTH', parse: oneOf('none', 'tokens') },
  insecure: { env: 'INSECURE', parse: boolean },
  tokensFile: { env: 'TOKENS_FILE', parse: anyString },
  allowedHosts: { env: 'ALLOWED_HOSTS', parse: list },
  corsAllowedOrigins: { env: 'CORS_ALLOWED_ORIGINS', parse: webOrigins },
  jwtIssuer: { env: 'JWT_ISSUER', parse: boundedText(1000) },
  jwtAudience: { env: 'JWT_AUDIENCE', parse: (raw, name) => (Array.isArray(raw) && raw.length === 0 ? [] : list(raw, name)) },
  jwtJwksUrl: { env: 'JWT_JWKS_URL', parse: (raw, name) => (text(raw, name) === '' ? '' : url(raw, name)) },
  jwtJwksFile: { env: 'JWT_JWKS_FILE', parse: anyString },
  jwtJwksRefreshSeconds: { env: 'JWT_JWKS_REFRESH_SECONDS', parse: integer(60, 86_400) },
  jwtRoleClaim: { env: 'JWT_ROLE_CLAIM', parse: claimName },
  jwtTenantClaim: { env: 'JWT_TENANT_CLAIM', parse: (raw, name) => (text(raw, name) === '' ? '' : claimName(raw, name)) },
  jwtClockSkewSeconds: { env: 'JWT_CLOCK_SKEW_SECONDS', parse: integer(0, 600) },
  tenantIngestBytesPerSecond: { env: 'TENANT_INGEST_BYTES_PER_SECOND', parse: optionalLimit(1024, 2 ** 40) },
  tenantIngestSpansPerSecond: { env: 'TENANT_INGEST_SPANS_PER_SECOND', parse: optionalLimit(1, 1e9) },
  tenantIngestLogsPerSecond: { env: 'TENANT_INGEST_LOGS_PER_SECOND', parse: optionalLimit(1, 1e9) },
  tenantIngestBurstSeconds: { env: 'TENANT_INGEST_BURST_SECONDS', parse: integer(1, 3600) },
  tenantQueryConcurrency: { env: 'TENANT_QUERY_CONCURRENCY', parse: optionalLimit(1, 10_000) },
  dataDir: { env: 'DATA_DIR', parse: nonEmpty },
  retention: { env: 'RETENTION', parse: retentionAge },
  maxDiskBytes: { env: 'MAX_DISK_BYTES', parse: diskBytes },
  demo: { env: 'DEMO', parse: boolean },
  demoRate: { env: 'DEMO_RATE', parse: positiveNumber },
  demoLogDir: { env: 'DEMO_LOG_DIR', parse: offOrPath },
  maxRequestBytes: { env: 'MAX_REQUEST_BYTES', parse: integer(1024, 256 * 1024 * 1024) },
  maxInflightBytes: { env: 'MAX_INFLIGHT_BYTES', parse: integer(1024, 4 * 1024 * 1024 * 1024) },
  httpHeadersTimeoutMs: { env: 'HTTP_HEADERS_TIMEOUT_MS', parse: integer(100, 600_000) },
  httpRequestTimeoutMs: { env: 'HTTP_REQUEST_TIMEOUT_MS', parse: integer(100, 3_600_000) },
  httpKeepAliveTimeoutMs: { env: 'HTTP_KEEP_ALIVE_TIMEOUT_MS', parse: integer(100, 3_600_000) },
  otlpHttpBodyIdleTimeoutMs: { env: 'OTLP_HTTP_BODY_IDLE_TIMEOUT_MS', parse: integer(100, 600_000) },
  otlpHttpMaxConnections: { env: 'OTLP_HTTP_MAX_CONNECTIONS', parse: integer(1, 1_000_000) },
  memoryBusCapacityBytes: { env: 'MEMORY_BUS_CAPACITY_BYTES', parse: integer(1024, 8 * 1024 * 1024 * 1024) },
  walDir: { env: 'WAL_DIR', parse: text },
  walMaxBytes: { env: 'WAL_MAX_BYTES', parse: integer(1024 * 1024, 1024 * 1024 * 1024 * 1024) },
  walSegmentBytes: { env: 'WAL_SEGMENT_BYTES', parse: integer(64 * 1024, 4 * 1024 * 1024 * 1024) },
  walSync: { env: 'WAL_SYNC', parse: oneOf('fdatasync', 'fsync', 'none') },
  businessKeys: { env: 'BUSINESS_KEYS', parse: list },
  indexedAttributes: { env: 'INDEXED_ATTRIBUTES', parse: list },
  ingestBatchSize: { env: 'INGEST_BATCH_SIZE', parse: integer(1, 100_000) },
  spanMetricsMaxSeries: { env: 'SPAN_METRICS_MAX_SERIES', parse: integer(0, 100_000) },
  maxBusMessageBytes: { env: 'MAX_BUS_MESSAGE_BYTES', parse: integer(1024, 64 * 1024 * 1024) },
  ingestThread: { env: 'INGEST_THREAD', parse: boolean },
  ingestThreads: { env: 'INGEST_THREADS', parse: integer(1, 4) },
  ingestThreadMaxOldSpaceMiB: { env: 'INGEST_THREAD_MAX_OLD_SPACE_MIB', parse: integer(16, 4096) },
  ingestThreadCacheMiB: { env: 'INGEST_THREAD_CACHE_MIB', parse: integer(1, 1024) },
  bus: { env: 'BUS', parse: oneOf('wal', 'memory', 'kafka') },
  spanStore: { env: 'SPAN_STORE', parse: oneOf('embedded', 'clickhouse') },
  logStore: { env: 'LOG_STORE', parse: oneOf('embedded', 'elasticsearch', 'opensearch') },
  kafkaBrokers: { env: 'KAFKA_BROKERS', parse: hostPorts },
  spansTopic: { env: 'KAFKA_SPANS_TOPIC', parse: topicName },
  logsTopic: { env: 'KAFKA_LOGS_TOPIC', parse: topicName },
  metricsTopic: { env: 'KAFKA_METRICS_TOPIC', parse: topicName },
  kafkaEncoding: { env: 'KAFKA_ENCODING', parse: oneOf('otlp_proto', 'otlp_json') },
  kafkaPartitions: { env: 'KAFKA_PARTITIONS', parse: integer(1, 1000) },
  ingestGroup: { env: 'INGEST_GROUP', parse: topicName },
  clickhouseUrl: { env: 'CLICKHOUSE_URL', parse: url },
  clickhouseDatabase: { env: 'CLICKHOUSE_DATABASE', parse: (raw, name) => {
    const s = nonEmpty(raw, name);
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(s)) throw new ValidationError(`${name} must be a plain identifier, got "${s}"`, name);
    return s;
  } },
  clickhouseUser: { env: 'CLICKHOUSE_USER', parse: nonEmpty },
  clickhousePassword: { env: 'CLICKHOUSE_PASSWORD', parse: anyString },
  clickhouseRetentionDays: { env: 'CLICKHOUSE_RETENTION_DAYS', parse: (raw, name) => {
    if (raw === null || ['off', 'none', 'forever'].includes(text(raw, name).toLowerCase())) return null;
    return integer(1, 3650)(raw, name);
  } },
  elasticsearchUrl: { env: 'ELASTICSEARCH_URL', parse: url },
  elasticsearchApiKey: { env: 'ELASTICSEARCH_API_KEY', parse: anyString },
  opensearchUrl: { env: 'OPENSEARCH_URL', parse: url },
  logIndexPrefix: { env: 'LOG_INDEX_PREFIX', parse: (raw, name) => {
    const s = nonEmpty(raw, name);
    if (!/^[a-z0-9][a-z0-9._-]{0,100}$/.test(s)) throw new ValidationError(`${name} must be lowercase letters, digits, . _ -, got "${s}"`, name);
    return s;
  } },
  chainMaxTraces: { env: 'CHAIN_MAX_TRACES', parse: integer(1, 1000) },
  chainStages: { env: 'CHAIN_STAGES', parse: chainStages },
  chainExpectedWaits: { env: 'CHAIN_EXPECTED_WAITS', parse: expectedWaitNames },
  dashboardsDir: { env: 'DASHBOARDS_DIR', parse: text },
  alertRulesDir: { env: 'ALERT_RULES_DIR', parse: text },
  alertmanagerUrl: { env: 'ALERTMANAGER_URL', parse: (raw, name) => (text(raw, name) === '' ? '' : url(raw, name)) },
  alertWebhookUrl: { env: 'ALERT_WEBHOOK_URL', parse: (raw, name) => (text(raw, name) === '' ? '' : url(raw, name)) },
  alertEvalIntervalMs: { env: 'ALERT_EVAL_INTERVAL_MS', parse: integer(1000, 3_600_000) },
  businessKeyPatterns: { env: 'BUSINESS_KEY_PATTERNS', parse: businessKeyPatterns },
  syslogTcpPort: { env: 'SYSLOG_TCP_PORT', parse: optionalPort },
  syslogUdpPort: { env: 'SYSLOG_UDP_PORT', parse: optionalPort },
  syslogMaxMessageBytes: { env: 'SYSLOG_MAX_MESSAGE_BYTES', parse: integer(480, 16 * 1024 * 1024) },
  syslogMaxConnections: { env: 'SYSLOG_MAX_CONNECTIONS', parse: integer(1, 100_000) },
  syslogIdleTimeoutMs: { env: 'SYSLOG_IDLE_TIMEOUT_MS', parse: integer(1000, 24 * 3600 * 1000) },
  syslogDefaultService: { env: 'SYSLOG_DEFAULT_SERVICE', parse: nonEmpty },
  jsonLogsTopic: { env: 'KAFKA_JSON_LOGS_TOPIC', parse: optionalTopicName },
  jsonLogsMapping: { env: 'JSON_LOGS_MAPPING', parse: jsonLogsMapping },
  logPaths: { env: 'LOG_PATHS', parse: (raw, name) => (typeof raw === 'string' && raw.trim() === '' ? [] : list(raw, name)) },
  logService: { env: 'LOG_SERVICE', parse: (raw, name) => {
    const s = nonEmpty(raw, name);
    if (s.length > 256) throw new ValidationError(`${name} must be at most 256 characters, got ${s.length}`, name);
    return s;
  } },
  logServiceFrom: { env: 'LOG_SERVICE_FROM', parse: serviceFromRules },
  logFormat: { env: 'LOG_FORMAT', parse: logFormat },
  logMultilineStart: { env: 'LOG_MULTILINE_START', parse: (raw, name) => {
    const s = anyString(raw, name);
    if (s !== '') regex(s, name);
    return s;
  } },
  statusLines: { env: 'STATUS_LINES', parse: oneOf('changed', 'off') },
};

export const CONFIG_KEYS = Object.keys(SCHEMA) as (keyof Config)[];
export const CONFIG_ENV_VARS: Readonly<Record<keyof Config, string>> = Object.fromEntries(
  CONFIG_KEYS.map((k) => [k, SCHEMA[k].env]),
) as Record<keyof Config, string>;

/** Reads a JSON config file; unknown keys are errors. */
export function readConfigFile(path: string): Partial<Record<keyof Config, unknown>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ValidationError(`CONFIG_FILE ${path} could not be read as JSON: ${(err as Error).message}`, 'CONFIG_FILE');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ValidationError(`CONFIG_FILE ${path} must hold a JSON object`, 'CONFIG_FILE');
  }
  const unknown = Object.keys(parsed).filter((k) => !(k in SCHEMA));
  if (unknown.length > 0) {
    throw new ValidationError(`CONFIG_FILE ${path}: unknown key(s) ${unknown.join(', ')}; known keys: ${CONFIG_KEYS.join(', ')}`, unknown[0]);
  }
  return parsed as Partial<Record<keyof Config, unknown>>;
}

/** Receiver ports that default to a free port when OTLP_HTTP_PORT is 0. */
const PORTS_FREE_WITH_OTLP_HTTP: readonly (keyof Config)[] = ['otlpGrpcPort', 'zipkinPort'];

/**
 * Builds the config: defaults, then the file named by CONFIG_FILE (if any),
 * then environment variables, then `overrides` (already typed, from code).
 * Throws ValidationError naming the key or variable at fault.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const config: Record<string, unknown> = { ...DEFAULT_CONFIG };
  const fileValues = env.CONFIG_FILE ? readConfigFile(env.CONFIG_FILE) : {};
  const given = new Set<string>();
  for (const key of CONFIG_KEYS) {
    const spec = SCHEMA[key] as { env: string; parse: Parser<unknown> };
    if (fileValues[key] !== undefined) config[key] = spec.parse(fileValues[key], key);
    const raw = env[spec.env];
    if (raw !== undefined && raw !== '') config[key] = spec.parse(raw, spec.env);
    if (fileValues[key] !== undefined || (raw !== undefined && raw !== '')) given.add(key);
  }
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    config[key] = value;
    given.add(key);
  }
  // OTLP_HTTP_PORT=0 asks for free ports (tests, benches, several instances on one machine): the
  // other receivers' fixed default ports would collide there, so they take free ports too unless given.
  if (config.otlpHttpPort === 0) for (const key of PORTS_FREE_WITH_OTLP_HTTP) if (!given.has(key)) config[key] = 0;
  return config as unknown as Config;
}

import fs from 'node:fs';
import path from 'node:path';

export const USAGE = `usage: chainscope [<role>] [--help | --version]

roles:
  all-in-one   collector + ingest + stores + query API + UI (+ demo) in one process (default)
  collector    OTLP/HTTP receiver publishing to Kafka
  ingest       Kafka consumer writing spans and logs to the stores
  query        query API + UI over the stores
  alerter      the alert evaluator over the stores (safe to run more than once; docs/alerts.md)
  ship         tail log files and send them to a collector (chainscope ship --help)
  tokens       create, list and revoke API tokens (chainscope tokens --help; docs/security.md)
  data         delete a tenant's data, or data older than a time (chainscope data --help; docs/security.md)

chainscope <role> --help says what a role serves and which settings it reads.
Configuration: environment variables and an optional CONFIG_FILE (JSON); see docs/configuration.md.
`;

const SETTINGS_NOTE = 'Settings: environment variables or CONFIG_FILE (JSON); every one is described in docs/configuration.md.';

/** What `chainscope <role> --help` prints for the server roles (ship has its own, SHIP_USAGE). */
export const ROLE_HELP: Record<'all-in-one' | 'collector' | 'ingest' | 'query' | 'alerter', string> = {
  'all-in-one': `usage: chainscope all-in-one [--help | --version]

One process: OTLP/HTTP receiver, bus, ingest, stores, query API and UI, and
(unless DEMO=0) a demo order center sending traces and logs.

  PORT             query API and UI (default 8080)
  OTLP_HTTP_PORT   OTLP/HTTP receiver: POST /v1/traces, /v1/logs (default 4318)
  HOST             address to listen on (default 127.0.0.1; another needs AUTH=tokens or INSECURE=1)
  DATA_DIR         embedded store, write-ahead log, shipper checkpoints (default ./data)
  DEMO             1 (default) or 0
  BUS              wal (default), memory or kafka
  SPAN_STORE       embedded (default) or clickhouse
  LOG_STORE        embedded (default), opensearch or elasticsearch
  LOG_PATHS        log files to ship into the same process (globs)
  STATUS_LINES     changed (default): periodic status lines only when their figures changed; off

${SETTINGS_NOTE}
`,
  collector: `usage: chainscope collector [--help | --version]

OTLP/HTTP receiver (and optional syslog listener) publishing to Kafka.

  OTLP_HTTP_PORT   OTLP/HTTP receiver (default 4318)
  PORT             /health and /metrics (default 8080)
  HOST             address to listen on (default 127.0.0.1; another needs AUTH=tokens or INSECURE=1)
  KAFKA_BROKERS    host:port list (BUS=kafka is required)
  SYSLOG_TCP_PORT, SYSLOG_UDP_PORT   syslog listeners (off by default)

${SETTINGS_NOTE}
`,
  ingest: `usage: chainscope ingest [--help | --version]

Kafka consumer writing spans and logs to the stores.

  KAFKA_BROKERS    host:port list (BUS=kafka is required)
  SPAN_STORE       embedded or clickhouse; LOG_STORE embedded, opensearch or elasticsearch
  DATA_DIR         the embedded store's folder (default ./data)
  PORT             /health and /metrics (default 8080)

${SETTINGS_NOTE}
`,
  query: `usage: chainscope query [--help | --version]

Query API and UI over the stores.

  PORT             query API and UI (default 8080)
  HOST             address to listen on (default 127.0.0.1; another needs AUTH=tokens or INSECURE=1)
  SPAN_STORE, LOG_STORE, DATA_DIR   where the data is (as for ingest)

${SETTINGS_NOTE}
`,
  alerter: `usage: chainscope alerter [--help | --version]

The alert evaluator over the stores. Run it twice or more for availability:
one holds a lease in ClickHouse and evaluates and notifies, the others stand
by and take over (with its alert state) when it stops.

  ALERT_RULES_DIR        the rule files (*.json; required)
  ALERTMANAGER_URL       Alertmanager to post alerts to; ALERT_WEBHOOK_URL a plain webhook
  ALERT_EVAL_INTERVAL_MS evaluation interval (default 30000)
  SPAN_STORE=clickhouse  (required: the lease and state live there), LOG_STORE
  PORT                   /health, /metrics and /api/alerts (default 8080)

${SETTINGS_NOTE}
`,
};

/** `chainscope <version>` from the package.json beside dist/ (compiled) or bin/ (sources). */
export function versionLine(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) return `chainscope ${(JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version}\n`;
    if (path.dirname(dir) === dir) return 'chainscope (version unknown)\n';
  }
}

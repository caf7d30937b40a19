import crypto from 'node:crypto';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { decodeLogsRequestProto, encodeLogsRequestProto, encodeTraceRequestProto } from '../../../core/otlp';
import type { LogRecord, Span } from '../../../core/model';
import { DEFAULT_TENANT } from '../../../core/security/tenants';
import { storeSettingsForTenant } from '../../../bin/tenant-stores';
import { openSearchLogStore } from '../../../storage/search';
import { ENGINE_ADDRESSES, uniqueName } from '../../helpers/engines';
import { spawnRole, type RoleProcess } from '../../helpers/processes';
import { waitFor } from '../../helpers/wait';

/** Names no other run uses, for one test. */
export interface RunNames {
  tag: string;
  spansTopic: string;
  logsTopic: string;
  metricsTopic: string;
  group: string;
  database: string;
  indexPrefix: string;
  service: string;
}

export function runNames(label: string): RunNames {
  const tag = uniqueName(`dist_${label}`);
  return {
    tag,
    spansTopic: `${tag}_spans`,
    logsTopic: `${tag}_logs`,
    metricsTopic: `${tag}_metrics`,
    group: `${tag}_ingest`,
    database: tag,
    indexPrefix: tag.replace(/_/g, '-'),
    service: `svc-${tag}`,
  };
}

export interface EngineUrls {
  kafka: string;
  clickhouse: string;
  opensearch: string;
}

export const sharedEngines = (): EngineUrls => ({
  kafka: ENGINE_ADDRESSES.kafka(),
  clickhouse: ENGINE_ADDRESSES.clickhouse(),
  opensearch: ENGINE_ADDRESSES.opensearch(),
});

/** The environment every role of one run gets: Kafka bus, ClickHouse spans, OpenSearch logs, ephemeral ports. */
export function roleEnv(names: RunNames, engines: EngineUrls, extra: Record<string, string> = {}): Record<string, string> {
  return {
    BUS: 'kafka',
    SPAN_STORE: 'clickhouse',
    LOG_STORE: 'opensearch',
    KAFKA_BROKERS: engines.kafka,
    KAFKA_SPANS_TOPIC: names.spansTopic,
    KAFKA_LOGS_TOPIC: names.logsTopic,
    KAFKA_METRICS_TOPIC: names.metricsTopic,
    INGEST_GROUP: names.group,
    CLICKHOUSE_URL: engines.clickhouse,
    CLICKHOUSE_DATABASE: names.database,
    OPENSEARCH_URL: engines.opensearch,
    LOG_INDEX_PREFIX: names.indexPrefix,
    PORT: '0',
    OTLP_HTTP_PORT: '0',
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
    ...extra,
  };
}

export interface StartedRole {
  role: string;
  proc: RoleProcess;
  /** Query API (query role) or /health + /metrics (collector, ingest). */
  url: string;
  /** OTLP/HTTP receiver (collector); '' otherwise. */
  otlpUrl: string;
  counter(name: string): Promise<number>;
  alive(): boolean;
}

const URL_LINES: Record<string, RegExp> = {
  api: /(?:health and metrics on|query API and UI listening on) (http:\/\/[\d.]+:\d+)/,
  otlp: /OTLP\/HTTP receiver listening on (http:\/\/[\d.]+:\d+)/,
};

/**
 * Processes and engine objects of one test, torn down in reverse order by
 * dispose() whatever happened: roles stopped (SIGKILL if SIGTERM does not end
 * them in time), ClickHouse database dropped, indices and templates deleted,
 * topics and the group deleted.
 */
export class Harness {
  private readonly cleanups: { what: string; run: () => Promise<unknown> }[] = [];
  private readonly roles: StartedRole[] = [];

  onDispose(what: string, run: () => Promise<unknown>): void {
    this.cleanups.push({ what, run });
  }

  /** Spawns `chainscope <role>` and waits for the URLs it prints. */
  async start(role: 'collector' | 'ingest' | 'query' | 'alerter', env: Record<string, string>): Promise<StartedRole> {
    const proc = spawnRole(role, env);
    this.onDispose(`stop ${role} ${proc.child.pid}`, () => stopWithin(proc, 20_000));
    const started: StartedRole = {
      role,
      proc,
      url: '',
      otlpUrl: '',
      counter: (name) => counter(`${started.url}/metrics`, name),
      alive: () => proc.child.exitCode === null && proc.child.signalCode === null,
    };
    this.roles.push(started);
    started.url = (await proc.waitForOutput(URL_LINES.api, 90_000))[1];
    if (role === 'collector') started.otlpUrl = (await proc.waitForOutput(URL_LINES.otlp, 90_000))[1];
    await proc.waitForOutput(/ running \(bus /, 90_000);
    return started;
  }

  /** Registers the clean-up of everything a run's names create on the engines, for the default tenant and for `tenants`. */
  cleanUpNames(names: RunNames, engines: EngineUrls, tenants: string[] = []): void {
    this.onDispose('kafka topics and group', () =>
      withAdmin(engines.kafka, async (admin) => {
        const existing = new Set(await admin.listTopics());
        const topics = [names.spansTopic, names.logsTopic, names.metricsTopic, `${names.spansTopic}_dlq`, `${names.logsTopic}_dlq`, `${names.metricsTopic}_dlq`].filter((t) => existing.has(t));
        await admin.deleteGroups([names.group]).catch(() => undefined);
        if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 10_000 });
      }),
    );
    const stores = [DEFAULT_TENANT, ...tenants].map((tenant) =>
      storeSettingsForTenant({ dataDir: '', clickhouseDatabase: names.database, logIndexPrefix: names.indexPrefix }, tenant),
    );
    for (const { clickhouseDatabase, logIndexPrefix } of stores) {
      this.onDispose(`clickhouse database ${clickhouseDatabase}`, () => clickhouseQuery(engines.clickhouse, `DROP DATABASE IF EXISTS ${clickhouseDatabase}`));
      this.onDispose(`opensearch indices ${logIndexPrefix}`, async () => {
        const store = openSearchLogStore({ url: engines.opensearch, indexPrefix: logIndexPrefix });
        try {
          await store.uninstall();
        } finally {
          await store.shutdown();
        }
      });
    }
  }

  /** The test body, with every role's output added to its failure message. */
  withOutputs(body: () => Promise<void>): () => Promise<void> {
    return async () => {
      try {
        await body();
      } catch (err) {
        if (err instanceof Error) err.message += `\n\nrole output:\n${this.outputs()}`;
        throw err;
      }
    };
  }

  /** Output of every role started, for failure messages. */
  outputs(): string {
    return this.roles.map((r) => `----- ${r.role} (pid ${r.proc.child.pid}) -----\n${r.proc.output().slice(-4000)}`).join('\n');
  }

  async dispose(): Promise<void> {
    const steps = this.cleanups.splice(0).reverse();
    // processes first (they were registered after the engine objects they use)
    for (const step of steps) {
      try {
        await step.run();
      } catch (err) {
        console.warn(`clean-up "${step.what}" failed: ${(err as Error).message}`);
      }
    }
  }
}

async function stopWithin(proc: RoleProcess, ms: number): Promise<void> {
  const exited = proc.stop('SIGTERM');
  const timer = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), ms).unref());
  if ((await Promise.race([exited, timer])) === 'late') await proc.stop('SIGKILL');
}

/** One counter from a Prometheus text endpoint (0 when absent). */
export async function counter(metricsUrl: string, name: string): Promise<number> {
  const text = await fetch(metricsUrl, { signal: AbortSignal.timeout(5_000) }).then((r) => r.text());
  const m = new RegExp(`^${name} (\\d+)`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

export async function clickhouseQuery(url: string, sql: string): Promise<string> {
  const res = await fetch(`${url.replace(/\/$/, '')}/`, { method: 'POST', body: sql, signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  if (!res.ok) throw new Error(`clickhouse ${res.status}: ${text.slice(0, 500)}`);
  return text;
}

export async function withAdmin<T>(brokers: string, fn: (admin: Admin) => Promise<T>): Promise<T> {
  const kafka = new Kafka({
    clientId: 'chainscope-distributed-tests',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
    retry: { retries: 3 },
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export interface TopicMessage {
  value: Buffer;
  /** Headers as text. */
  headers: Record<string, string>;
}

/** The first `count` messages of `topic`, read from its start by a group of their own (`group`, deleted after). */
export async function readFromStart(brokers: string, topic: string, group: string, count: number, timeoutMs = 30_000): Promise<TopicMessage[]> {
  const kafka = new Kafka({ clientId: 'chainscope-distributed-tests', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: group, sessionTimeout: 10_000 });
  const seen: TopicMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
        seen.push({ value: message.value ?? Buffer.alloc(0), headers });
      },
    });
    await waitFor(() => seen.length >= count, `${count} message(s) on ${topic}`, timeoutMs);
  } finally {
    await consumer.disconnect();
    await withAdmin(brokers, (admin) => admin.deleteGroups([group])).catch(() => undefined);
  }
  return seen;
}

/** The group's committed offsets on one topic, by partition (-1 = nothing committed yet). */
export async function committedOffsets(brokers: string, group: string, topic: string): Promise<Record<number, number>> {
  return withAdmin(brokers, async (admin) => {
    const [entry] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    return Object.fromEntries((entry?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
  });
}

// ---------------------------------------------------------------------------
// The span stream: known trace ids and span ids, so the API answer can be
// checked span by span.

/** Messages committed by a group on a topic: the sum of its partitions' committed offsets (no commit counts 0). */
export const sumOffsets = (offsets: Record<number, number>) => Object.values(offsets).reduce((a, o) => a + Math.max(0, o), 0);

/** Messages on a topic (sum of high watermarks); 0 when it does not exist. */
export async function topicEnd(brokers: string, topic: string): Promise<number> {
  return withAdmin(brokers, async (admin) => {
    if (!(await admin.listTopics()).includes(topic)) return 0;
    return (await admin.fetchTopicOffsets(topic)).reduce((a, p) => a + Number(p.high), 0);
  });
}

export interface SpanStream {
  /** OTLP protobuf ExportTraceServiceRequests, in send order. */
  requests: Buffer[];
  /** trace id → its span ids. */
  expected: Map<string, Set<string>>;
  total: number;
  service: string;
}

/**
 * `traces` traces of `spansPerTrace` spans each, cut into `requests`
 * requests so every request carries a slice of every trace: any lost or
 * doubled message shows in every trace's count.
 */
export function spanStream(service: string, traces: number, spansPerTrace: number, requests: number): SpanStream {
  if (spansPerTrace % requests !== 0) throw new Error('spansPerTrace must be a multiple of requests');
  const perRequestPerTrace = spansPerTrace / requests;
  const runTag = crypto.randomBytes(2).toString('hex');
  const traceIds = Array.from({ length: traces }, () => crypto.randomBytes(16).toString('hex'));
  const spanId = (t: number, i: number) => `${runTag}${t.toString(16).padStart(4, '0')}${(i + 1).toString(16).padStart(8, '0')}`;
  const startUs = Date.now() * 1000 - 60_000_000;
  const expected = new Map(traceIds.map((id, t) => [id, new Set(Array.from({ length: spansPerTrace }, (_, i) => spanId(t, i)))]));
  const out: Buffer[] = [];
  for (let r = 0; r < requests; r++) {
    const spans: Span[] = [];
    traceIds.forEach((traceId, t) => {
      for (let k = 0; k < perRequestPerTrace; k++) {
        const i = r * perRequestPerTrace + k;
        spans.push({
          traceId,
          spanId: spanId(t, i),
          parentSpanId: i === 0 ? '' : spanId(t, 0),
          service,
          name: i === 0 ? 'GET /orders/{id}' : `step ${i % 7}`,
          kind: i === 0 ? 'server' : 'internal',
          startUs: startUs + t * 1000 + i,
          durationUs: i === 0 ? spansPerTrace + 10 : 5,
          status: { code: 'unset', message: '' },
          attributes: { 'order.id': `ORD-${t}`, seq: i },
          resource: { 'service.name': service },
          events: [],
          links: [],
          scope: { name: 'chainscope-distributed-test', version: '1' },
        });
      }
    });
    out.push(Buffer.from(encodeTraceRequestProto(spans)));
  }
  return { requests: out, expected, total: traces * spansPerTrace, service };
}

// ---------------------------------------------------------------------------
// The log stream: known records whose ids (derived from their content, as the
// collector and ingest derive them) are known before anything is sent.

export interface LogStream {
  /** OTLP protobuf ExportLogsServiceRequests, in send order. */
  requests: Buffer[];
  /** The deterministic id of every record (= the search document _id). */
  ids: Set<string>;
  total: number;
  service: string;
}

/** `total` distinct records cut into `requests` requests, over a few hosts and severities, all within the last minute. */
export function logStream(service: string, total: number, requests: number): LogStream {
  if (total % requests !== 0) throw new Error('total must be a multiple of requests');
  const perRequest = total / requests;
  const runTag = crypto.randomBytes(3).toString('hex');
  const startUs = Date.now() * 1000 - 60_000_000;
  const levels = [['INFO', 9], ['WARN', 13], ['ERROR', 17], ['DEBUG', 5]] as const;
  const out: Buffer[] = [];
  const ids = new Set<string>();
  for (let r = 0; r < requests; r++) {
    const logs: LogRecord[] = [];
    for (let k = 0; k < perRequest; k++) {
      const seq = r * perRequest + k;
      const [severityText, severityNumber] = levels[seq % levels.length];
      logs.push({
        id: '',
        timeUs: startUs + seq,
        observedTimeUs: startUs + seq,
        service,
        severityNumber,
        severityText,
        body: `log ${seq} of ${total} in run ${runTag}`,
        traceId: '',
        spanId: '',
        attributes: { seq, 'run.tag': runTag },
        resource: { 'service.name': service, 'host.name': `host-${seq % 3}` },
        scope: { name: 'chainscope-distributed-test', version: '1' },
      });
    }
    const bytes = Buffer.from(encodeLogsRequestProto(logs));
    // the ids the pipeline will compute: decode the bytes exactly as ingest does
    for (const log of decodeLogsRequestProto(bytes).logs) ids.add(log.id);
    out.push(bytes);
  }
  if (ids.size !== total) throw new Error(`log stream has ${ids.size} distinct ids for ${total} records`);
  return { requests: out, ids, total, service };
}

/** POSTs OTLP protobuf requests with `concurrency` senders; a 503 is retried after its Retry-After (capped). */
export async function sendAll(
  otlpUrl: string,
  requests: Buffer[],
  concurrency = 4,
  onSent?: (sent: number) => void,
  signal: 'traces' | 'logs' = 'traces',
): Promise<{ refused: number }> {
  let next = 0;
  let sent = 0;
  let refused = 0;
  const sender = async () => {
    while (next < requests.length) {
      const body = requests[next++];
      for (let attempt = 0; ; attempt++) {
        const res = await fetch(`${otlpUrl}/v1/${signal}`, {
          method: 'POST',
          body,
          headers: { 'Content-Type': 'application/x-protobuf' },
          signal: AbortSignal.timeout(30_000),
        });
        await res.arrayBuffer();
        if (res.status === 200) break;
        if (res.status !== 503 || attempt > 50) throw new Error(`collector answered ${res.status}`);
        refused++;
        await new Promise((r) => setTimeout(r, Math.min(1000, Number(res.headers.get('retry-after') ?? 1) * 1000)));
      }
      onSent?.(++sent);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, sender));
  return { refused };
}

interface TraceSummaryJson {
  traceId: string;
  spanCount: number;
}

/** Sum of spanCount over the service's traces, as GET /api/traces reports it. */
export async function apiSpanCount(queryUrl: string, service: string): Promise<{ traces: number; spans: number; summaries: TraceSummaryJson[] }> {
  const res = await fetch(`${queryUrl}/api/traces?service=${encodeURIComponent(service)}&limit=1000`, { signal: AbortSignal.timeout(20_000) });
  if (!res.ok) throw new Error(`GET /api/traces answered ${res.status}: ${await res.text()}`);
  const { traces } = (await res.json()) as { traces: TraceSummaryJson[] };
  return { traces: traces.length, spans: traces.reduce((a, t) => a + t.spanCount, 0), summaries: traces };
}

/** Waits until the API reports every span of the stream (or fails at the deadline with what it saw). */
export async function waitForAllSpans(queryUrl: string, stream: SpanStream, timeoutMs: number): Promise<void> {
  let last = { traces: 0, spans: 0 };
  try {
    await waitFor(
      async () => {
        const seen = await apiSpanCount(queryUrl, stream.service);
        last = seen;
        if (seen.spans > stream.total) throw new Error(`API counts ${seen.spans} spans, more than the ${stream.total} sent`);
        return seen.spans === stream.total;
      },
      `${stream.total} spans through the query API`,
      timeoutMs,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message} (last seen: ${last.spans} spans in ${last.traces} traces)`);
  }
}

/**
 * Checks through the query API only that each span of the stream is there
 * exactly once: every trace summary counts exactly its spans, every trace
 * read returns exactly the expected span ids, none twice, none foreign.
 */
export async function expectEverySpanOnce(queryUrl: string, stream: SpanStream): Promise<{ traces: number; spans: number }> {
  const seen = await apiSpanCount(queryUrl, stream.service);
  const problems: string[] = [];
  const byId = new Map(seen.summaries.map((s) => [s.traceId, s.spanCount]));
  for (const [traceId, ids] of stream.expected) {
    if (byId.get(traceId) !== ids.size) problems.push(`summary of ${traceId}: spanCount ${byId.get(traceId)}, expected ${ids.size}`);
  }
  for (const traceId of byId.keys()) if (!stream.expected.has(traceId)) problems.push(`unexpected trace ${traceId}`);

  let spansRead = 0;
  const traceIds = [...stream.expected.keys()];
  const reader = async () => {
    for (let traceId = traceIds.shift(); traceId; traceId = traceIds.shift()) {
      const res = await fetch(`${queryUrl}/api/traces/${traceId}`, { signal: AbortSignal.timeout(20_000) });
      if (!res.ok) {
        problems.push(`GET /api/traces/${traceId} answered ${res.status}`);
        continue;
      }
      const { spans } = (await res.json()) as { spans: { spanId: string }[] };
      spansRead += spans.length;
      const want = stream.expected.get(traceId)!;
      const got = new Map<string, number>();
      for (const s of spans) got.set(s.spanId, (got.get(s.spanId) ?? 0) + 1);
      const doubled = [...got].filter(([, n]) => n > 1).length;
      const missing = [...want].filter((id) => !got.has(id)).length;
      const foreign = [...got.keys()].filter((id) => !want.has(id)).length;
      if (doubled || missing || foreign) problems.push(`trace ${traceId}: ${spans.length} spans, ${missing} missing, ${doubled} doubled, ${foreign} foreign`);
    }
  };
  await Promise.all(Array.from({ length: 6 }, reader));
  if (problems.length > 0) throw new Error(`${problems.length} problem(s):\n${problems.slice(0, 20).join('\n')}`);
  expect(spansRead).toBe(stream.total);
  expect(seen.spans).toBe(stream.total);
  return { traces: seen.traces, spans: spansRead };
}

/** Rows in the spans table without FINAL: how many redelivered writes the idempotent schema absorbed (informative only). */
export async function rawSpanRows(clickhouseUrl: string, database: string): Promise<number> {
  return Number((await clickhouseQuery(clickhouseUrl, `SELECT count() FROM ${database}.spans`)).trim());
}

export const elapsed = (t0: number) => `${((performance.now() - t0) / 1000).toFixed(1)} s`;

export const STORE_RETRIES = 'chainscope_ingest_store_retries_total';

export interface HeldPosition {
  /** The written counter and the committed offsets when the first failed write was seen. */
  written: number;
  committed: Record<number, number>;
  firstRetry: number;
  retries: number;
  heldFor: string;
}

/**
 * With the store down: waits for ingest to hand a batch back (a failed write),
 * then for four more failed redeliveries (with backoff), and checks that in
 * between nothing more was written and no committed offset of `topic` moved.
 */
export async function expectPositionHeld(
  ingest: StartedRole,
  kafka: string,
  group: string,
  topic: string,
  writtenCounter: string,
  timeouts: { firstRetryMs: number; retriesMs: number },
): Promise<HeldPosition> {
  const firstRetry = await waitFor(async () => {
    const n = await ingest.counter(STORE_RETRIES);
    return n >= 1 ? n : undefined;
  }, 'ingest to hand a batch back after a store failure', timeouts.firstRetryMs);
  const written = await ingest.counter(writtenCounter);
  const committed = await committedOffsets(kafka, group, topic);
  const tHeld = performance.now();
  const retries = await waitFor(async () => {
    const n = await ingest.counter(STORE_RETRIES);
    return n >= firstRetry + 4 ? n : undefined;
  }, 'four more failed redeliveries', timeouts.retriesMs);
  const heldFor = elapsed(tHeld);
  expect(await ingest.counter(writtenCounter)).toBe(written);
  expect(await committedOffsets(kafka, group, topic)).toEqual(committed);
  return { written, committed, firstRetry, retries, heldFor };
}


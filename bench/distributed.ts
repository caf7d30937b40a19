import { createClient } from '@clickhouse/client';
import { Kafka, logLevel } from 'kafkajs';
import { deadLetterTopic } from '../core/contracts/bus';
import { quoteIdentifier } from '../storage/clickhouse/quote';
import { openSearchLogStore } from '../storage/search';
import { encodeLogsRequestProto, encodeTraceRequestProto } from '../core/otlp';
import { machineNote, numberFlag } from './args';
import { peakRssMiB, report, sendAll, startRoleProcess, waitForCounter } from './load';
import { syntheticLogs } from './synthetic-logs';
import { syntheticTrace } from './synthetic-spans';

/**
 * `npm run bench -- --distributed`: a collector and ingest workers as their own
 * processes against real Kafka, ClickHouse and OpenSearch (KAFKA_BROKERS,
 * CLICKHOUSE_URL, OPENSEARCH_URL as printed by scripts/engines/up). Reports
 * spans/s from OTLP to ClickHouse and log records/s to OpenSearch, until written.
 */
export async function benchDistributed(args: string[]): Promise<void> {
  const totalSpans = numberFlag(args, 'spans', 500_000);
  const totalLogs = numberFlag(args, 'logs', 200_000);
  const perRequest = numberFlag(args, 'batch', 2_000);
  const concurrency = numberFlag(args, 'concurrency', 4);
  const workers = numberFlag(args, 'workers', 1);
  const env = distributedEnv();

  const startUs = Date.now() * 1000 - 3_600_000_000;
  const spanRequests: Buffer[] = [];
  for (let seq = 0, made = 0; made < totalSpans; ) {
    const spans = [];
    while (spans.length < perRequest && made + spans.length < totalSpans) for (const s of syntheticTrace(20, startUs + seq * 1000, seq++)) spans.push(s);
    made += spans.length;
    spanRequests.push(Buffer.from(encodeTraceRequestProto(spans)));
  }
  const logRequests: Buffer[] = [];
  for (let seq = 0; seq * perRequest < totalLogs; seq++) {
    logRequests.push(Buffer.from(encodeLogsRequestProto(syntheticLogs(Math.min(perRequest, totalLogs - seq * perRequest), startUs, seq))));
  }

  const ingests = Array.from({ length: workers }, () => startRoleProcess('ingest', env));
  const collector = startRoleProcess('collector', env);
  try {
    const otlp = await collector.url(/OTLP\/HTTP receiver listening/);
    const ingestMetrics = await Promise.all(ingests.map(async (p) => `${await p.url(/health and metrics on/)}/metrics`));

    console.log(`bench: ${totalSpans.toLocaleString()} spans → Kafka → ClickHouse with ${workers} ingest worker(s)`);
    let t0 = performance.now();
    const spansRefused = await sendAll(`${otlp}/v1/traces`, spanRequests, concurrency);
    const spansAccepted = performance.now() - t0;
    await waitForCounter(ingestMetrics, 'chainscope_ingest_spans_written_total', totalSpans);
    const spansWritten = performance.now() - t0;

    console.log(`bench: ${totalLogs.toLocaleString()} log records → Kafka → OpenSearch`);
    t0 = performance.now();
    const logsRefused = await sendAll(`${otlp}/v1/logs`, logRequests, concurrency);
    const logsAccepted = performance.now() - t0;
    await waitForCounter(ingestMetrics, 'chainscope_ingest_logs_written_total', totalLogs);
    const logsWritten = performance.now() - t0;

    report('distributed', {
      date: new Date().toISOString(),
      machine: `${machineNote()}; Kafka, ClickHouse 18.16 and OpenSearch on the same machine`,
      ingestWorkers: workers,
      spans: totalSpans,
      spansAcceptedPerSecond: Math.round(totalSpans / (spansAccepted / 1000)),
      spansWrittenPerSecond: Math.round(totalSpans / (spansWritten / 1000)),
      spansRefused503: spansRefused,
      logs: totalLogs,
      logsAcceptedPerSecond: Math.round(totalLogs / (logsAccepted / 1000)),
      logsWrittenPerSecond: Math.round(totalLogs / (logsWritten / 1000)),
      logsRefused503: logsRefused,
      peakRssMiB: {
        collector: peakRssMiB(collector.child.pid!),
        ingest: ingests.map((p) => peakRssMiB(p.child.pid!)),
      },
    });
  } finally {
    await collector.stop();
    await Promise.all(ingests.map((p) => p.stop()));
    await dropBenchData(env);
  }
}

/**
 * Settings of one distributed bench run: Kafka, ClickHouse and OpenSearch from
 * the environment (scripts/engines/up) or their loopback defaults, with topic,
 * consumer group, database and index prefix unique to this run.
 */
export function distributedEnv() {
  const run = `bench_${Date.now().toString(36)}`;
  return {
    BUS: 'kafka',
    SPAN_STORE: 'clickhouse',
    LOG_STORE: 'opensearch',
    KAFKA_SPANS_TOPIC: `${run}_spans`,
    KAFKA_LOGS_TOPIC: `${run}_logs`,
    INGEST_GROUP: `${run}_ingest`,
    CLICKHOUSE_DATABASE: run,
    LOG_INDEX_PREFIX: run.replace(/_/g, '-'),
    PORT: '0',
    OTLP_HTTP_PORT: '0',
  };
}

/** Leaves the shared engines as they were: the run's database, indices, topics (with their dead-letter topics) and consumer group go. */
export async function dropBenchData(env: ReturnType<typeof distributedEnv>): Promise<void> {
  const clickhouse = createClient({ url: process.env.CLICKHOUSE_URL ?? 'http://127.0.0.1:8123' });
  await clickhouse.command({ query: `DROP DATABASE IF EXISTS ${quoteIdentifier(env.CLICKHOUSE_DATABASE)}` }).catch((err) => console.warn(`bench: ${err}`));
  await clickhouse.close();
  const logs = openSearchLogStore({ url: process.env.OPENSEARCH_URL ?? 'http://127.0.0.1:9200', indexPrefix: env.LOG_INDEX_PREFIX });
  await logs.deleteAllIndices().catch((err) => console.warn(`bench: ${err}`));
  await logs.shutdown();
  const kafka = new Kafka({ clientId: 'chainscope-bench', brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.deleteGroups([env.INGEST_GROUP]).catch((err) => console.warn(`bench: ${err}`));
    const topics = [env.KAFKA_SPANS_TOPIC, env.KAFKA_LOGS_TOPIC].flatMap((t) => [t, deadLetterTopic(t)]);
    const existing = new Set(await admin.listTopics());
    await admin.deleteTopics({ topics: topics.filter((t) => existing.has(t)) });
  } catch (err) {
    console.warn(`bench: could not delete the run's Kafka topics: ${err}`);
  } finally {
    await admin.disconnect();
  }
}

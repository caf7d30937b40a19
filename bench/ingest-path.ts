import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_CONFIG } from '../core/config';
import { Counters } from '../core/metrics';
import { encodeTraceRequestProto } from '../core/otlp';
import type { LogStore } from '../core/contracts/log-store';
import type { SpanStore } from '../core/contracts/span-store';
import { StoreBatchProcessor } from '../ingest/batch-processor';
import { compileBodyPatterns } from '../ingest/business-keys';
import { openEmbeddedStores } from '../storage/embedded';
import { machineNote, numberFlag } from './args';
import { report } from './load';
import { percentile, round } from './stats';
import { syntheticTrace } from './synthetic-spans';
import { timeWriteTransactions } from './write-transaction-cpu';

/**
 * The all-in-one's ingest thread alone, in this process: bus messages of
 * protobuf requests (as the receiver forwards them) through StoreBatchProcessor
 * into a fresh embedded store — decode, business keys, span rows, summaries,
 * attribute sets and index, topology — `--rounds` times. Prints CPU µs per
 * span of each round (process CPU, so GC helper threads count), the same
 * for each third of the round's spans (what grows with the store), the CPU
 * µs per span spent inside the write transactions (the serial part when two
 * ingest threads take turns; Linux only) and wall spans/s. On a shared machine the CPU figure moves far less than throughput:
 * compare two builds by running them alternately and taking the best rounds.
 */
export async function benchIngestPath(args: string[]): Promise<void> {
  const totalSpans = numberFlag(args, 'spans', 200_000);
  const spansPerRequest = numberFlag(args, 'batch', 2_000);
  const rounds = numberFlag(args, 'rounds', 3);
  // about what the write-ahead log hands ingest at once (8 MiB)
  const messagesPerBusBatch = numberFlag(args, 'bus-batch', 10);

  const { requests, spans: prepared } = syntheticRequests(totalSpans, spansPerRequest);

  const cpuUsPerSpan: number[] = [];
  const cpuUsPerSpanByThird: number[][] = [];
  const transactionCpuUsPerSpan: number[] = [];
  const spansPerSecond: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-bench-ingest-'));
    const { spans: spanStore, logs: logStore, database } = openEmbeddedStores({ dataDir });
    const transactionNs = timeWriteTransactions(database);
    try {
      const processor = ingestProcessor(spanStore, logStore);
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const thirds: number[] = [];
      let third = { cpu: cpu0, spans: 0 };
      for (let i = 0; i < requests.length; i += messagesPerBusBatch) {
        const dead = await processor.process('spans', 'spans', requests.slice(i, i + messagesPerBusBatch).map((value) => ({ value })));
        if (dead.length > 0) throw new Error(`${dead.length} messages dead-lettered`);
        third.spans += Math.min(messagesPerBusBatch, requests.length - i) * spansPerRequest;
        if (third.spans >= prepared / 3 || i + messagesPerBusBatch >= requests.length) {
          const used = process.cpuUsage(third.cpu);
          thirds.push(round((used.user + used.system) / third.spans, 2));
          third = { cpu: process.cpuUsage(), spans: 0 };
        }
      }
      cpuUsPerSpanByThird.push(thirds);
      const cpu = process.cpuUsage(cpu0);
      const seconds = (performance.now() - t0) / 1000;
      cpuUsPerSpan.push(round((cpu.user + cpu.system) / prepared, 2));
      const ns = transactionNs();
      if (ns !== undefined) transactionCpuUsPerSpan.push(round(ns / 1000 / prepared, 2));
      spansPerSecond.push(Math.round(prepared / seconds));
    } finally {
      await spanStore.shutdown();
      await logStore.shutdown();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }
  report('ingest-path', {
    date: new Date().toISOString(),
    machine: machineNote(),
    spans: prepared,
    spansPerRequest,
    messagesPerBusBatch,
    cpuUsPerSpan: { best: Math.min(...cpuUsPerSpan), median: round(percentile(cpuUsPerSpan, 50), 2), rounds: cpuUsPerSpan, byThird: cpuUsPerSpanByThird },
    ...(transactionCpuUsPerSpan.length > 0
      ? { writeTransactionCpuUsPerSpan: { best: Math.min(...transactionCpuUsPerSpan), rounds: transactionCpuUsPerSpan } }
      : {}),
    spansPerSecond: { best: Math.max(...spansPerSecond), rounds: spansPerSecond },
  });
}

/** Protobuf requests of at least `spansPerRequest` synthetic spans each (whole 20-span traces, an hour ago on), at least `totalSpans` in all. */
export function syntheticRequests(totalSpans: number, spansPerRequest: number): { requests: Buffer[]; spans: number } {
  const startUs = Date.now() * 1000 - 3_600_000_000;
  const requests: Buffer[] = [];
  let seq = 0;
  let prepared = 0;
  while (prepared < totalSpans) {
    const spans = [];
    while (spans.length < spansPerRequest) for (const s of syntheticTrace(20, startUs + seq * 1000, seq++)) spans.push(s);
    prepared += spans.length;
    requests.push(Buffer.from(encodeTraceRequestProto(spans)));
  }
  return { requests, spans: prepared };
}

/** What an ingest thread runs bus messages through, with the default settings, into these stores. */
export function ingestProcessor(spanStore: SpanStore, logStore: LogStore): StoreBatchProcessor {
  const config = DEFAULT_CONFIG;
  return new StoreBatchProcessor({
    spanStore,
    logStore,
    businessKeys: { attributeNames: config.businessKeys, bodyPatterns: compileBodyPatterns(config.businessKeyPatterns) },
    batchSize: config.ingestBatchSize,
    counters: new Counters(),
  });
}

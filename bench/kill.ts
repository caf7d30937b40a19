import crypto from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LogRecord, Span } from '../core/model';
import { encodeLogsRequestProto, encodeTraceRequestProto, logRecordId } from '../core/otlp';
import { openEmbeddedStores } from '../storage/embedded';
import { machineNote, numberFlag, stringFlag } from './args';
import { report, startRoleProcess, type ServerProcess } from './load';
import { syntheticLogs } from './synthetic-logs';
import { syntheticTrace } from './synthetic-spans';

/**
 * `npm run bench -- --kill [--kills 5] [--bus wal|memory]`: the all-in-one
 * (its own process) takes protobuf spans and logs at full speed from six
 * senders and is killed with SIGKILL at a random moment, `--kills` times on
 * one data folder; after each restart it writes what its bus kept. At the end
 * the store is opened directly and every request answered 200 is looked up:
 * acknowledged − stored must be 0 (spans and logs), and nothing is doubled.
 */
const SPANS_PER_TRACE = 20;
const TRACES_PER_REQUEST = 100;
const LOGS_PER_REQUEST = 500;

interface Acked {
  traceIds: string[][];
  logTraceIds: string[];
}

export async function benchKill(args: string[]): Promise<void> {
  const kills = numberFlag(args, 'kills', 5);
  const bus = stringFlag(args, 'bus', 'wal');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-bench-kill-'));
  const acked: Acked = { traceIds: [], logTraceIds: [] };
  let seq = 0;
  const rounds: { spansAcked: number; logsAcked: number; killedAfterMs: number }[] = [];
  try {
    for (let k = 0; k < kills; k++) {
      const server = startRoleProcess('all-in-one', { PORT: '0', OTLP_HTTP_PORT: '0', DATA_DIR: dataDir, BUS: bus, DEMO: '0' });
      const otlp = await server.url(/OTLP\/HTTP receiver listening/);
      const before = { spans: acked.traceIds.length, logs: acked.logTraceIds.length };
      let stopped = false;
      const senders = [
        ...Array.from({ length: 4 }, () => sendSpans(otlp, () => seq++, acked, () => stopped)),
        ...Array.from({ length: 2 }, () => sendLogs(otlp, () => seq++, acked, () => stopped)),
      ];
      const killedAfterMs = 1_000 + Math.floor(Math.random() * 3_000);
      await new Promise((r) => setTimeout(r, killedAfterMs));
      server.child.kill('SIGKILL');
      stopped = true;
      await Promise.all(senders);
      if (server.child.exitCode === null && server.child.signalCode === null) await once(server.child, 'exit');
      rounds.push({
        spansAcked: (acked.traceIds.length - before.spans) * TRACES_PER_REQUEST * SPANS_PER_TRACE,
        logsAcked: (acked.logTraceIds.length - before.logs) * LOGS_PER_REQUEST,
        killedAfterMs,
      });
      console.log(`bench: kill ${k + 1}/${kills} after ${killedAfterMs} ms: ${rounds[k].spansAcked} spans and ${rounds[k].logsAcked} logs answered 200 in this round`);
    }
    // a last start writes what the bus kept since the last kill, then a clean stop
    const last = startRoleProcess('all-in-one', { PORT: '0', OTLP_HTTP_PORT: '0', DATA_DIR: dataDir, BUS: bus, DEMO: '0' });
    const api = await last.url(/query API and UI listening/);
    await waitUntilWritten(api, last);
    await last.stop();

    const counts = await countStored(dataDir, acked);
    const spansAcked = acked.traceIds.length * TRACES_PER_REQUEST * SPANS_PER_TRACE;
    const logsAcked = acked.logTraceIds.length * LOGS_PER_REQUEST;
    report('kill', {
      date: new Date().toISOString(),
      machine: machineNote(),
      bus,
      kills,
      rounds,
      spansAcknowledged: spansAcked,
      spansStored: counts.spans,
      spansLost: spansAcked - counts.spans,
      spansDoubled: counts.spansDoubled,
      logsAcknowledged: logsAcked,
      logsStored: counts.logs,
      logsLost: logsAcked - counts.logs,
      logsDoubled: counts.logsDoubled,
    });
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function post(url: string, body: Buffer): Promise<number> {
  const res = await fetch(url, { method: 'POST', body, headers: { 'Content-Type': 'application/x-protobuf' } });
  await res.arrayBuffer();
  return res.status;
}

/** Sends span requests until stopped or the server is gone; remembers the trace ids of every request answered 200. */
async function sendSpans(otlp: string, nextSeq: () => number, acked: Acked, stopped: () => boolean): Promise<void> {
  const startUs = Date.now() * 1000 - 600_000_000;
  while (!stopped()) {
    const traces: Span[][] = Array.from({ length: TRACES_PER_REQUEST }, () => {
      const s = nextSeq();
      return syntheticTrace(SPANS_PER_TRACE, startUs + s * 100, s);
    });
    try {
      const status = await post(`${otlp}/v1/traces`, Buffer.from(encodeTraceRequestProto(traces.flat())));
      if (status === 200) acked.traceIds.push(traces.map((t) => t[0].traceId));
      else await new Promise((r) => setTimeout(r, 50));
    } catch {
      return;
    }
  }
}

/** Sends log requests (one trace id per request, to find them again) until stopped or the server is gone. */
async function sendLogs(otlp: string, nextSeq: () => number, acked: Acked, stopped: () => boolean): Promise<void> {
  const startUs = Date.now() * 1000 - 600_000_000;
  while (!stopped()) {
    const traceId = crypto.randomBytes(16).toString('hex');
    const logs: LogRecord[] = syntheticLogs(LOGS_PER_REQUEST, startUs, nextSeq()).map((l) => {
      const { id: _id, ...rest } = l;
      const record = { ...rest, traceId };
      return { ...record, id: logRecordId(record) };
    });
    try {
      const status = await post(`${otlp}/v1/logs`, Buffer.from(encodeLogsRequestProto(logs)));
      if (status === 200) acked.logTraceIds.push(traceId);
      else await new Promise((r) => setTimeout(r, 50));
    } catch {
      return;
    }
  }
}

/** Waits until the bus has nothing left to write (the ingest check of /api/health). */
async function waitUntilWritten(api: string, server: ServerProcess): Promise<void> {
  const deadline = Date.now() + 300_000;
  for (;;) {
    const health = (await fetch(`${api}/api/health`).then((r) => r.json())) as { checks?: { ingest?: { queuedBytes?: Record<string, number> } } };
    const queued = Object.values(health.checks?.ingest?.queuedBytes ?? {}).reduce((a, b) => a + b, 0);
    if (queued === 0) return;
    if (Date.now() > deadline || server.child.exitCode !== null) throw new Error(`the bus still holds ${queued} bytes`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Opens the store directly: spans of every acknowledged trace and logs of every acknowledged log request. */
async function countStored(dataDir: string, acked: Acked): Promise<{ spans: number; spansDoubled: number; logs: number; logsDoubled: number }> {
  const stores = openEmbeddedStores({ dataDir });
  try {
    let spans = 0;
    let spansDoubled = 0;
    const ids = acked.traceIds.flat();
    for (let i = 0; i < ids.length; i += 1000) {
      for (const summary of await stores.spans.traceSummaries(ids.slice(i, i + 1000))) {
        spans += Math.min(summary.spanCount, SPANS_PER_TRACE);
        spansDoubled += Math.max(0, summary.spanCount - SPANS_PER_TRACE);
      }
    }
    let logs = 0;
    let logsDoubled = 0;
    for (const traceId of acked.logTraceIds) {
      const found = await stores.logs.byTrace(traceId, LOGS_PER_REQUEST * 2);
      const unique = new Set(found.map((l) => l.id)).size;
      logs += Math.min(unique, LOGS_PER_REQUEST);
      logsDoubled += found.length - unique;
    }
    return { spans, spansDoubled, logs, logsDoubled };
  } finally {
    await stores.spans.shutdown();
    await stores.logs.shutdown();
  }
}

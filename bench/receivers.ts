import { Client, credentials, Metadata } from '@grpc/grpc-js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { otlpMethodPath } from '../collector/otlp-grpc/services';
import type { Span } from '../core/model';
import { encodeTraceRequestProto } from '../core/otlp';
import { machineNote, numberFlag } from './args';
import { counter, report, sendAll, startRoleProcess, waitForCounter } from './load';
import { round } from './stats';
import { syntheticTrace } from './synthetic-spans';

type Protocol = 'otlp-http' | 'otlp-grpc' | 'zipkin';
const PROTOCOLS: readonly Protocol[] = ['otlp-http', 'otlp-grpc', 'zipkin'];

/**
 * `npm run bench -- --grpc [--spans 200000] [--batch 2000] [--concurrency 4] [--rounds 2]`:
 * the same spans into one all-in-one (its own process, embedded store) over
 * OTLP/HTTP protobuf, OTLP/gRPC and Zipkin v2 JSON, in alternating rounds
 * (fresh spans each time), each timed until accepted and until written by
 * ingest: spans/s per protocol in the same run, and the ratios to OTLP/HTTP.
 */
export async function benchReceivers(args: string[]): Promise<void> {
  const spansPerRound = numberFlag(args, 'spans', 200_000);
  const spansPerRequest = numberFlag(args, 'batch', 2_000);
  const concurrency = numberFlag(args, 'concurrency', 4);
  const rounds = numberFlag(args, 'rounds', 2);

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-bench-receivers-'));
  const server = startRoleProcess('all-in-one', { PORT: '0', OTLP_HTTP_PORT: '0', DATA_DIR: dataDir });
  const results: Record<Protocol, { accepted: number[]; written: number[] }> = {
    'otlp-http': { accepted: [], written: [] },
    'otlp-grpc': { accepted: [], written: [] },
    zipkin: { accepted: [], written: [] },
  };
  try {
    const api = await server.url(/query API and UI listening/);
    const urls: Record<Protocol, string> = {
      'otlp-http': await server.url(/OTLP\/HTTP receiver listening/),
      'otlp-grpc': await server.url(/OTLP\/gRPC receiver listening/),
      zipkin: await server.url(/Zipkin receiver listening/),
    };
    let seq = 0;
    for (let round = 1; round <= rounds; round++) {
      for (const protocol of PROTOCOLS) {
        const batches = spanBatches(spansPerRound, spansPerRequest, () => seq++);
        const requests = batches.map((spans) => (protocol === 'zipkin' ? Buffer.from(JSON.stringify(spans.map(asZipkin))) : Buffer.from(encodeTraceRequestProto(spans))));
        const writtenBefore = await counter(`${api}/metrics`, 'chainscope_ingest_spans_written_total');
        const t0 = performance.now();
        if (protocol === 'otlp-http') await sendAll(`${urls[protocol]}/v1/traces`, requests, concurrency);
        else if (protocol === 'zipkin') await sendAll(`${urls[protocol]}/api/v2/spans`, requests, concurrency, 'application/json');
        else await sendAllGrpc(urls[protocol].replace(/^http:\/\//, ''), requests, concurrency);
        const tAccepted = performance.now();
        await waitForCounter([`${api}/metrics`], 'chainscope_ingest_spans_written_total', writtenBefore + spansPerRound);
        const tWritten = performance.now();
        results[protocol].accepted.push(Math.round(spansPerRound / ((tAccepted - t0) / 1000)));
        results[protocol].written.push(Math.round(spansPerRound / ((tWritten - t0) / 1000)));
        console.log(`bench: round ${round} ${protocol}: ${results[protocol].accepted.at(-1)} spans/s accepted, ${results[protocol].written.at(-1)} written`);
      }
    }
  } finally {
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  const best = (p: Protocol, k: 'accepted' | 'written') => Math.max(...results[p][k]);
  report('receivers', {
    date: new Date().toISOString(),
    machine: machineNote(),
    spansPerRound,
    spansPerRequest,
    concurrency,
    rounds,
    spansPerSecond: results,
    bestAcceptedRatioToOtlpHttp: {
      'otlp-grpc': round(best('otlp-grpc', 'accepted') / best('otlp-http', 'accepted'), 2),
      zipkin: round(best('zipkin', 'accepted') / best('otlp-http', 'accepted'), 2),
    },
    bestWrittenRatioToOtlpHttp: {
      'otlp-grpc': round(best('otlp-grpc', 'written') / best('otlp-http', 'written'), 2),
      zipkin: round(best('zipkin', 'written') / best('otlp-http', 'written'), 2),
    },
  });
}

function spanBatches(total: number, perRequest: number, nextSeq: () => number): Span[][] {
  const startUs = Date.now() * 1000 - 3_600_000_000;
  const batches: Span[][] = [];
  let prepared = 0;
  while (prepared < total) {
    const spans: Span[] = [];
    while (spans.length < perRequest && prepared + spans.length < total) {
      const seq = nextSeq();
      for (const s of syntheticTrace(Math.min(20, total - prepared - spans.length), startUs + seq * 1000, seq)) spans.push(s);
    }
    prepared += spans.length;
    batches.push(spans);
  }
  return batches;
}

/** A model span as a Zipkin v2 JSON span (what a Zipkin tracer would send for it). */
function asZipkin(span: Span) {
  const kind = { server: 'SERVER', client: 'CLIENT', producer: 'PRODUCER', consumer: 'CONSUMER' }[span.kind as string];
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries(span.attributes)) tags[k] = String(v);
  if (span.status.code === 'error') tags.error = span.status.message || 'error';
  return {
    traceId: span.traceId,
    id: span.spanId,
    ...(span.parentSpanId ? { parentId: span.parentSpanId } : {}),
    name: span.name,
    ...(kind ? { kind } : {}),
    timestamp: span.startUs,
    duration: span.durationUs,
    localEndpoint: { serviceName: span.service },
    tags,
  };
}

/** The gRPC counterpart of sendAll: raw unary TraceService/Export calls with `concurrency` callers on one channel; RESOURCE_EXHAUSTED / UNAVAILABLE retried after a pause. */
async function sendAllGrpc(address: string, requests: Buffer[], concurrency: number): Promise<number> {
  const client = new Client(address, credentials.createInsecure(), { 'grpc.max_send_message_length': 64 << 20 });
  const call = (request: Buffer) =>
    new Promise<number>((resolve, reject) =>
      client.makeUnaryRequest(otlpMethodPath('traces'), (b: Buffer) => b, (b: Buffer) => b, request, new Metadata(), (err) => {
        if (!err) return resolve(0);
        if (err.code === 8 || err.code === 14) return resolve(err.code);
        reject(new Error(`collector answered gRPC status ${err.code}: ${err.details}`));
      }),
    );
  let next = 0;
  let refused = 0;
  const sender = async () => {
    while (next < requests.length) {
      const request = requests[next++];
      while ((await call(request)) !== 0) {
        refused++;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, sender));
  } finally {
    client.close();
  }
  return refused;
}

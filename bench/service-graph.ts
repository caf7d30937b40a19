import { Counters } from '../core/metrics';
import type { Span } from '../core/model';
import { decodeTraceRequestProto, encodeTraceRequestProto } from '../core/otlp';
import { SERVICE_GRAPH_METRICS, ServiceGraph } from '../ingest/span-metrics/service-graph';
import { ThreadServiceGraph } from '../ingest/thread/thread-service-graph';
import { machineNote, numberFlag } from './args';
import { round } from './stats';
import { syntheticTrace } from './synthetic-spans';

/**
 * The service graph's pairing alone, as the all-in-one's ingest threads do
 * it: decoded protobuf requests of synthetic 20-span traces in store batches
 * of `--batch` spans, given in turn to `--threads` ThreadServiceGraphs in this
 * process, each report's tallies recorded and its outbound halves passed to
 * their owners the way ThreadedBatchProcessor does. Prints CPU µs per span of
 * the pairing alone (process CPU around the pairing calls, not the decode),
 * and the part of it spent by the owners on the halves passed on to them.
 * `--shape bench` is the all-in-one bench's traces (6 client spans per trace,
 * none with a server child: every half waits and is pushed out);
 * `--shape paired` has 4 calls per trace, both sides in one request (every half pairs).
 */
export async function benchServiceGraph(args: string[]): Promise<void> {
  const totalSpans = numberFlag(args, 'spans', 1_000_000);
  const batchSize = numberFlag(args, 'batch', 20_000);
  const threads = numberFlag(args, 'threads', 2);
  const rounds = numberFlag(args, 'rounds', 3);
  const shape = args.includes('--shape') ? args[args.indexOf('--shape') + 1] : 'bench';
  if (shape !== 'bench' && shape !== 'paired') throw new Error(`--shape bench|paired, got ${shape}`);
  const requestSpans = 2_000;

  // the requests as the receiver forwards them: decoding gives the span ids as the decoder makes them
  const startUs = Date.now() * 1000 - 3_600_000_000;
  const requests: Buffer[] = [];
  for (let seq = 0, made = 0; made < totalSpans; ) {
    const spans: Span[] = [];
    while (spans.length < requestSpans) for (const s of shaped(syntheticTrace(20, startUs + seq * 1000, seq++), shape)) spans.push(s);
    made += spans.length;
    requests.push(Buffer.from(encodeTraceRequestProto(spans)));
  }

  const results: { cpuUsPerSpan: number; passedOnUsPerSpan: number; requests: number; unpaired: number }[] = [];
  for (let r = 0; r < rounds; r++) {
    const counters = new Counters();
    const graph = new ServiceGraph({ counters, maxSeries: 2000 });
    const shards = Array.from({ length: threads }, (_, index) => new ThreadServiceGraph({ index, count: threads }));
    let cpuUs = 0;
    let passedOnUs = 0;
    let spansSeen = 0;
    let thread = 0;
    let batch: Span[] = [];
    const cpuSince = (t0: NodeJS.CpuUsage) => {
      const used = process.cpuUsage(t0);
      return used.user + used.system;
    };
    const pair = (spans: Span[]) => {
      const t0 = process.cpuUsage();
      const own = shards[thread];
      own.addSpans(spans);
      const { edges } = own.report();
      graph.record(edges.totals);
      const t1 = process.cpuUsage();
      edges.outbound.forEach((halves, owner) => {
        if (!halves) return;
        shards[owner].addForeign(halves);
        graph.record(shards[owner].report().edges.totals);
      });
      passedOnUs += cpuSince(t1);
      cpuUs += cpuSince(t0);
      spansSeen += spans.length;
      thread = (thread + 1) % threads;
    };
    for (const request of requests) {
      for (const span of decodeTraceRequestProto(request).spans) {
        batch.push(span);
        if (batch.length === batchSize) {
          pair(batch);
          batch = [];
        }
      }
    }
    if (batch.length > 0) pair(batch);
    results.push({
      cpuUsPerSpan: round(cpuUs / spansSeen, 3),
      passedOnUsPerSpan: round(passedOnUs / spansSeen, 3),
      requests: [...counters.entries()].reduce((sum, [name, n]) => sum + (name.startsWith(`${SERVICE_GRAPH_METRICS.requests}{`) ? n : 0), 0),
      unpaired: counters.get(SERVICE_GRAPH_METRICS.unpaired),
    });
  }
  console.log(JSON.stringify({ bench: 'service-graph', shape, spans: totalSpans, batch: batchSize, threads, results, machine: machineNote() }));
}

/** `paired`: spans 1–4 of a trace are client spans and the first child of each (5, 9, 13, 17) its server side: 4 calls per trace. */
function shaped(spans: Span[], shape: string): Span[] {
  if (shape === 'bench') return spans;
  spans.forEach((span, i) => {
    if (i >= 1 && i <= 4) span.kind = 'client';
    else if (i > 4 && (i - 1) % 4 === 0) span.kind = 'server';
    else if (i > 0) span.kind = 'internal';
  });
  return spans;
}

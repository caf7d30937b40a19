import { encodeTraceRequestProto } from '../../core/otlp';
import type { Span } from '../../core/model';
import { syntheticTrace } from '../synthetic-spans';
import { toZipkinSpans } from './zipkin-json';

/** A trace the race looks up, and how many spans it must have when complete. */
export interface ExpectedTrace {
  traceId: string;
  spans: number;
}

/** One load, encoded for each kind of receiver before any timing starts. */
export interface RaceLoad {
  spans: number;
  /** Protobuf OTLP trace requests (Chainscope, Jaeger). */
  otlp: Buffer[];
  /** The same spans, request by request, as Zipkin v2 JSON arrays (Zipkin). */
  zipkinJson: Buffer[];
  /** The 1,000-span trace timed by id. */
  probe: ExpectedTrace;
  /** An `order.id` value exactly one trace carries, for the tag search. */
  taggedOrderId: string;
  /** The last trace of each of the last requests: all found complete = everything sent is queryable. */
  lastTraces: ExpectedTrace[];
}

/** 10 to 50 spans, spread evenly over the load. */
export function traceSize(seq: number): number {
  return 10 + ((seq * 7) % 41);
}

/**
 * Requests of whole traces (at least `spansPerRequest` spans, the last one
 * fewer) of `syntheticTrace`s: `order.id` is `ORD-<seq>`, one trace each. The
 * 1,000-span probe sits half-way, the tagged trace a quarter of the way.
 */
export function buildRaceLoad(totalSpans: number, spansPerRequest: number, lastTraceCount: number, startUs: number): RaceLoad {
  const otlp: Buffer[] = [];
  const zipkinJson: Buffer[] = [];
  const lastOfEachRequest: ExpectedTrace[] = [];
  let probe: ExpectedTrace | undefined;
  let taggedOrderId = '';
  let prepared = 0;
  let seq = 0;
  while (prepared < totalSpans) {
    const spans: Span[] = [];
    let last: ExpectedTrace | undefined;
    while (spans.length < spansPerRequest && prepared + spans.length < totalSpans) {
      const isProbe = !probe && prepared >= totalSpans / 2;
      const size = isProbe ? 1000 : traceSize(seq);
      const trace = syntheticTrace(size, startUs + seq * 1000, seq);
      if (isProbe) probe = { traceId: trace[0].traceId, spans: size };
      else if (!taggedOrderId && prepared >= totalSpans / 4) taggedOrderId = `ORD-${seq}`;
      seq++;
      last = { traceId: trace[0].traceId, spans: size };
      for (const s of trace) spans.push(s);
    }
    prepared += spans.length;
    otlp.push(Buffer.from(encodeTraceRequestProto(spans)));
    zipkinJson.push(Buffer.from(JSON.stringify(toZipkinSpans(spans))));
    lastOfEachRequest.push(last!);
  }
  if (!probe || !taggedOrderId) throw new Error(`--spans ${totalSpans} is too few for a 1,000-span probe and a tagged trace`);
  return { spans: prepared, otlp, zipkinJson, probe, taggedOrderId, lastTraces: lastOfEachRequest.slice(-lastTraceCount) };
}

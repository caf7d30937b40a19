import { attributeText, type AttributeFilter } from '../../core/contracts/span-store';
import { compareMatchingSpans, MAX_MATCHING_SPANS, type MatchingSpan, type SpanConditions } from '../../core/contracts/trace-search';
import type { Attributes } from '../../core/model';
import { firstInOrder } from '../../core/util/first-in-order';
import { intToStatus, statusToInt } from './codec';
import type { EmbeddedDatabase } from './database';
import { T, type SpanTuple } from './span-chunk';
import { TraceChunkReader } from './trace-chunks';

/**
 * The matching spans of a hit (at most MAX_MATCHING_SPANS, in compareMatchingSpans order), from
 * the hit's own chunks: those meeting the span-level conditions (only chunks whose facts have such
 * a span are parsed), or with only attribute filters, those whose span or resource attributes
 * carry one of the pairs (every chunk is parsed).
 */
export class MatchingSpanReader {
  private readonly chunks: TraceChunkReader;

  constructor(private readonly edb: EmbeddedDatabase) {
    this.chunks = new TraceChunkReader(edb);
  }

  read(traceRef: number, c: SpanConditions): MatchingSpan[] {
    const status = c.status === undefined ? undefined : statusToInt(c.status);
    const opMatches = new Map<number, boolean>();
    const opMatch = (opId: number) => {
      let yes = opMatches.get(opId);
      if (yes === undefined) {
        const op = this.edb.operation(opId);
        yes = (c.service === undefined || op.service === c.service) && (c.operation === undefined || op.name === c.operation);
        opMatches.set(opId, yes);
      }
      return yes;
    };
    return this.select(this.chunks.tuplesOfChunksMatching(traceRef, c), (t) =>
      opMatch(t[T.opId]) &&
      (status === undefined || t[T.status] === status) &&
      (c.minDurationUs === undefined || t[T.durationUs] >= c.minDurationUs) &&
      (c.maxDurationUs === undefined || t[T.durationUs] <= c.maxDurationUs),
    );
  }

  /** Spans carrying one of the pairs in their own attributes or their resource's. */
  readCarrying(traceRef: number, pairs: readonly AttributeFilter[]): MatchingSpan[] {
    if (pairs.length === 0) return [];
    const resources = new Map<number, boolean>();
    const resourceCarries = (id: number) => {
      let yes = resources.get(id);
      if (yes === undefined) {
        yes = carries(JSON.parse(this.edb.resourceJson(id)) as Attributes, pairs);
        resources.set(id, yes);
      }
      return yes;
    };
    return this.select(this.chunks.tuples(traceRef), (t) => resourceCarries(t[T.resourceId]) || carries(t[T.attributes], pairs));
  }

  private select(tuples: Iterable<SpanTuple>, keep: (t: SpanTuple) => boolean): MatchingSpan[] {
    const edb = this.edb;
    function* matching(): Generator<MatchingSpan> {
      for (const t of tuples) if (keep(t)) yield toMatchingSpan(edb, t);
    }
    return firstInOrder(matching(), MAX_MATCHING_SPANS, compareMatchingSpans);
  }

}

function toMatchingSpan(edb: EmbeddedDatabase, t: SpanTuple): MatchingSpan {
  const op = edb.operation(t[T.opId]);
  return { spanId: t[T.spanId], service: op.service, name: op.name, startUs: t[T.startUs], durationUs: t[T.durationUs], status: intToStatus(t[T.status]) };
}

function carries(attributes: Attributes, pairs: readonly AttributeFilter[]): boolean {
  return pairs.some((p) => Object.prototype.hasOwnProperty.call(attributes, p.key) && attributeText(attributes[p.key]) === p.value);
}

import { deriveTopology, factsOf, type TopologyDerivation } from '../../core/analysis/topology-derive';
import type { Attributes, Span } from '../../core/model';
import type { IndexedNames } from './attribute-index';
import { PairHashes, PairMemo } from './attribute-index';
import { encodeHashSet, STATUS_ERROR, statusToInt } from './codec';
import { ChunkBuilder, encodeSpans, type ChunkIds, type EncodedSpans } from './span-chunk';

/**
 * What a span write derives from the spans alone, without the database: done
 * before the writer takes its turn for the write transaction, so with several
 * ingest threads one thread does this while another writes (write-turn.ts).
 */
export interface PlannedTrace {
  traceId: string;
  /** The trace's spans in batch order; a span id repeated in the batch is kept once (the first wins). */
  spans: Span[];
  /** The trace's spans in the batch by span id (the last copy of a repeated one: what a child's parent lookup finds). */
  byId: ReadonlyMap<string, Span>;
  /** Hash sets (encodeHashSet) of the pairs of all of `spans`, what the write stores when it inserts every one of them. */
  hashes: TraceHashSets;
  /** The summary of `spans`: the trace's row when the write creates it. */
  summary: PlannedSummary;
  /** The operation id of the root (`summary.root`); undefined when not known before the transaction. */
  rootOpId: number | undefined;
  /** All of `spans` as chunk rows, what the write stores when it inserts every one of them; undefined when an id was not known before the transaction. */
  encoded: EncodedSpans | undefined;
  /** What `spans` derive for the topology when the write inserts every one of them (a new trace: parents only from the batch). */
  topology: TopologyDerivation;
}

export interface PlannedSummary {
  startUs: number;
  endUs: number;
  errors: number;
  /** 0: the root is a real root (no parent), 1: the earliest span stands in for it. */
  rootRank: number;
  startUsOfRoot: number;
  /** Index of the root in `spans`. */
  root: number;
}

/** 0 for a real root (no parent), 1 for any other span: the lowest rank, then the earliest start, names a trace. */
export function rootRankOf(span: Span): number {
  return span.parentSpanId === '' ? 0 : 1;
}

export interface TraceHashSets {
  /** Every pair (trace_attr_sets.hashes); null when the spans have no pair at all. */
  all: Buffer | null;
  /** The indexed pairs (trace_attr_sets.indexed, trace_attr_index); null when none. */
  indexed: Buffer | null;
}

/**
 * Groups a batch's spans by trace (in order of first appearance) and derives
 * each trace's hash sets, summary and chunk rows (with the operation and
 * resource ids `ids` knows already: a trace with an id only the database can
 * tell is encoded in the transaction instead).
 */
export function planTraces(spans: readonly Span[], names: IndexedNames, ids: ChunkIds): PlannedTrace[] {
  const groups = new Map<string, { spans: Span[]; byId: Map<string, Span> }>();
  for (const span of spans) {
    const g = groups.get(span.traceId);
    if (g === undefined) groups.set(span.traceId, { spans: [span], byId: new Map([[span.spanId, span]]) });
    else {
      if (!g.byId.has(span.spanId)) g.spans.push(span);
      g.byId.set(span.spanId, span);
    }
  }
  const resources = new ResourceHashes(names, new PairMemo());
  const builder = new ChunkBuilder();
  const out: PlannedTrace[] = [];
  for (const [traceId, g] of groups) {
    const summary = summaryOf(g.spans);
    const root = g.spans[summary.root];
    const encoded = encodeSpans(g.spans, ids, builder);
    const rootOpId = encoded && ids.operationId(root.service, root.name);
    const byId = g.byId;
    const topology = deriveTopology({ spans: g.spans, lookup: (_, spanId) => { const s = byId.get(spanId); return s && factsOf(s); }, waitingChildren: [] });
    out.push({ traceId, spans: g.spans, byId, hashes: hashSetsOf(g.spans, names, resources), summary, rootOpId, encoded, topology });
  }
  return out;
}

/**
 * The hash sets of the pairs of `spans`: their attributes, their events'
 * attributes (like Jaeger's tag search) and their resources'. `resources`:
 * shared by the traces of one batch (its memo of pairs too, PairMemo).
 */
export function hashSetsOf(spans: readonly Span[], names: IndexedNames, resources = new ResourceHashes(names, new PairMemo())): TraceHashSets {
  const hashes = new PairHashes(names, resources.memo);
  for (const span of spans) {
    hashes.addAttributes(span.attributes);
    if (span.events.length > 0) for (const event of span.events) hashes.addAttributes(event.attributes);
    // spans of one resource share its object: its hashes go in once per set
    resources.addTo(hashes, span.resource);
  }
  return {
    all: hashes.all.length ? encodeHashSet(hashes.all) : null,
    indexed: hashes.indexed.length ? encodeHashSet(hashes.indexed) : null,
  };
}

function summaryOf(spans: readonly Span[]): PlannedSummary {
  const s: PlannedSummary = { startUs: Number.MAX_SAFE_INTEGER, endUs: -Number.MAX_SAFE_INTEGER, errors: 0, rootRank: 2, startUsOfRoot: Number.MAX_SAFE_INTEGER, root: 0 };
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i];
    const endUs = span.startUs + span.durationUs;
    if (span.startUs < s.startUs) s.startUs = span.startUs;
    if (endUs > s.endUs) s.endUs = endUs;
    if (statusToInt(span.status.code) === STATUS_ERROR) s.errors++;
    const rank = rootRankOf(span);
    if (rank < s.rootRank || (rank === s.rootRank && span.startUs < s.startUsOfRoot)) {
      s.rootRank = rank;
      s.startUsOfRoot = span.startUs;
      s.root = i;
    }
  }
  return s;
}

/** Pair hashes of resources, computed once per resource object. */
class ResourceHashes {
  private readonly seen = new Map<Attributes, { hashes: PairHashes; addedTo: number }>();

  constructor(
    private readonly names: IndexedNames,
    readonly memo: PairMemo,
  ) {}

  /** Adds the pairs of `resource` to `set` unless they are in it already. */
  addTo(set: PairHashes, resource: Attributes): void {
    let entry = this.seen.get(resource);
    if (entry === undefined) {
      const hashes = new PairHashes(this.names, this.memo);
      hashes.addAttributes(resource);
      this.seen.set(resource, (entry = { hashes, addedTo: 0 }));
    }
    if (entry.addedTo === set.id) return;
    entry.addedTo = set.id;
    set.addAll(entry.hashes);
  }
}

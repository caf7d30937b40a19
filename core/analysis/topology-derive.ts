/**
 * Topology derivation: which spans are calls along which edge. Pure functions
 * on plain data; the span stores call them inside their write path, where they
 * can look up a parent span that arrived in an earlier batch (see
 * docs/topology.md for why derivation lives there rather than in ingest).
 *
 * Rules, one sample per span at most (identity: trace id + span id):
 * - SERVER span whose parent span belongs to another service:
 *   parent's service → this service, sync (measured on the server side).
 * - CONSUMER span with messaging.destination.name: queue → this service, async;
 *   its latency is the message's time in the queue (messaging.message.queue_time_ms,
 *   when the span says) plus the processing, so a backlog shows on the edge.
 *   A CONSUMER without a destination whose parent belongs to another service:
 *   parent's service → this service, async.
 * - PRODUCER span with messaging.destination.name: this service → queue, async.
 *   So a queue edge carries metrics on both the producer and the consumer side.
 * - CLIENT span with db.system: this service → database
 *   ("<db.system> <db.name|db.namespace|server.address>"), sync.
 * - CLIENT span with peer.service / server.address / net.peer.name and no
 *   db.system: this service → external peer, sync. Whether the peer is really
 *   uninstrumented is decided when reading (a peer named like a service, or
 *   seen as the caller-side name of an instrumented service, is not shown).
 * Entry spans (SERVER, CONSUMER, and roots of any kind) are the service's own
 * calls, per operation (span name).
 */
import type { Attributes, Span, SpanKind } from '../model';
import { minuteOf } from '../topology';
import type { EdgeSample, OperationSample, PeerAlias } from '../topology';

/** What topology derivation needs of a span; small enough to park while a child waits for its parent. */
export interface SpanFacts {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  service: string;
  kind: SpanKind;
  startUs: number;
  durationUs: number;
  error: boolean;
  /** Caller-side name of the peer of a CLIENT span ('' when none or a database call). */
  peer: string;
  /** messaging.destination.name of a PRODUCER or CONSUMER span ('' when none). */
  queue: string;
  /** Database node id of a CLIENT span with db.system ('' otherwise). */
  database: string;
  /** How long a CONSUMER span's message waited in its queue (messaging.message.queue_time_ms); absent when it does not say. */
  queueWaitUs?: number;
}

export interface TopologyDerivation {
  edges: EdgeSample[];
  operations: OperationSample[];
  aliases: PeerAlias[];
  /** New spans that need a parent span not known yet: park them until it arrives. */
  waiting: SpanFacts[];
}

const MAX_NAME = 256;

function text(attrs: Attributes, key: string): string {
  const v = attrs[key];
  if (typeof v === 'string') return v.slice(0, MAX_NAME);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return '';
}

function first(attrs: Attributes, keys: readonly string[]): string {
  for (const k of keys) {
    const v = text(attrs, k);
    if (v !== '') return v;
  }
  return '';
}

/** "postgresql orders": the system and the database (or host) name. */
export function databaseNodeId(attrs: Attributes): string {
  const system = text(attrs, 'db.system') || text(attrs, 'db.system.name');
  if (system === '') return '';
  const name = first(attrs, ['db.name', 'db.namespace', 'server.address', 'net.peer.name']);
  return name === '' || name === system ? system : `${system} ${name}`;
}

export function factsOf(span: Span): SpanFacts {
  const a = span.attributes;
  const isClient = span.kind === 'client';
  const database = isClient ? databaseNodeId(a) : '';
  const messaging = span.kind === 'producer' || span.kind === 'consumer';
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    service: span.service,
    kind: span.kind,
    startUs: span.startUs,
    durationUs: span.durationUs,
    error: span.status.code === 'error',
    peer: isClient && database === '' ? first(a, ['peer.service', 'server.address', 'net.peer.name']) : '',
    queue: messaging ? text(a, 'messaging.destination.name') : '',
    database,
    ...(span.kind === 'consumer' ? queueWait(a) : {}),
  };
}

/** Longest queue wait believed (a day): a larger or malformed value is ignored. */
const MAX_QUEUE_WAIT_MS = 24 * 3_600_000;

/** A consumer's messaging.message.queue_time_ms (ms, a number or numeric text) as µs, when it is one. */
function queueWait(attrs: Attributes): { queueWaitUs?: number } {
  const v = attrs['messaging.message.queue_time_ms'];
  const ms = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(ms) && ms >= 0 && ms <= MAX_QUEUE_WAIT_MS ? { queueWaitUs: Math.round(ms * 1000) } : {};
}

/** True when the span's edge comes from its parent's service: it must find the parent. */
export function needsParent(f: SpanFacts): boolean {
  if (f.parentSpanId === '') return false;
  return f.kind === 'server' || (f.kind === 'consumer' && f.queue === '');
}

export function isEntrySpan(f: SpanFacts): boolean {
  return f.kind === 'server' || f.kind === 'consumer' || f.parentSpanId === '';
}

function sample(f: SpanFacts, rest: Omit<EdgeSample, 'minute' | 'durationUs' | 'error' | 'traceId' | 'spanId'>, durationUs = f.durationUs): EdgeSample {
  return { minute: minuteOf(f.startUs), durationUs, error: f.error, traceId: f.traceId, spanId: f.spanId, ...rest };
}

/** The edge a span makes by itself (database, queue, external peer), if any. */
export function ownEdge(f: SpanFacts): EdgeSample | undefined {
  if (f.kind === 'client' && f.database !== '') {
    return sample(f, { source: f.service, sourceKind: 'service', target: f.database, targetKind: 'database', kind: 'sync', side: 'client' });
  }
  if (f.kind === 'client' && f.peer !== '' && f.peer !== f.service) {
    return sample(f, { source: f.service, sourceKind: 'service', target: f.peer, targetKind: 'external', kind: 'sync', side: 'client' });
  }
  if (f.kind === 'producer' && f.queue !== '') {
    return sample(f, { source: f.service, sourceKind: 'service', target: f.queue, targetKind: 'queue', kind: 'async', side: 'producer' });
  }
  if (f.kind === 'consumer' && f.queue !== '') {
    // the queue's hop lasts from the message's arrival in the queue to the end of its processing
    return sample(f, { source: f.queue, sourceKind: 'queue', target: f.service, targetKind: 'service', kind: 'async', side: 'consumer' }, (f.queueWaitUs ?? 0) + f.durationUs);
  }
  return undefined;
}

/** The service-to-service edge of a child span whose parent is in another service, plus what it teaches about peer names. */
export function parentEdge(parent: SpanFacts, child: SpanFacts): { edge?: EdgeSample; alias?: PeerAlias } {
  if (!needsParent(child) || parent.service === child.service) return {};
  const edge = sample(child, {
    source: parent.service,
    sourceKind: 'service',
    target: child.service,
    targetKind: 'service',
    kind: child.kind === 'server' ? 'sync' : 'async',
    side: child.kind === 'server' ? 'server' : 'consumer',
  });
  const alias = parent.kind === 'client' && parent.peer !== '' && parent.peer !== child.service ? { peer: parent.peer, service: child.service } : undefined;
  return { edge, alias };
}

export function operationSample(f: SpanFacts): OperationSample | undefined {
  if (!isEntrySpan(f)) return undefined;
  return { minute: minuteOf(f.startUs), service: f.service, operation: '', durationUs: f.durationUs, error: f.error, traceId: f.traceId, spanId: f.spanId };
}

export interface DerivationInput {
  /** Spans stored for the first time by this write (a store passes only these, so a replay derives nothing new). */
  spans: readonly Span[];
  /** A span by identity: from this batch or already stored; undefined when not known yet. */
  lookup: (traceId: string, spanId: string) => SpanFacts | undefined;
  /** Spans stored earlier that were waiting for one of `spans` as their parent. */
  waitingChildren: readonly SpanFacts[];
}

export function deriveTopology(input: DerivationInput): TopologyDerivation {
  const out: TopologyDerivation = { edges: [], operations: [], aliases: [], waiting: [] };
  const addPair = (parent: SpanFacts, child: SpanFacts) => {
    const { edge, alias } = parentEdge(parent, child);
    if (edge) out.edges.push(edge);
    if (alias) out.aliases.push(alias);
  };
  for (const span of input.spans) {
    const f = factsOf(span);
    const op = operationSample(f);
    if (op) out.operations.push({ ...op, operation: span.name.slice(0, MAX_NAME) });
    const own = ownEdge(f);
    if (own) out.edges.push(own);
    if (needsParent(f)) {
      const parent = input.lookup(f.traceId, f.parentSpanId);
      if (parent) addPair(parent, f);
      else out.waiting.push(f);
    }
  }
  for (const child of input.waitingChildren) {
    const parent = input.lookup(child.traceId, child.parentSpanId);
    if (parent) addPair(parent, child);
  }
  return out;
}

/** `${traceId}/${spanId}` */
export const spanKey = (traceId: string, spanId: string): string => `${traceId}/${spanId}`;

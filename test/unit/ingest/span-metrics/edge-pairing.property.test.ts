import fc from 'fast-check';
import type { Span, SpanKind } from '../../../../core/model';
import { EdgePairing, LATENCY_BUCKETS_S, type EdgeTotals } from '../../../../ingest/span-metrics/edge-pairing';
import { EdgeHalfRouter, edgeShardOf } from '../../../../ingest/span-metrics/edge-shards';
import { firstBucketOf } from '../../../../ingest/span-metrics/histogram';
import { makeSpan } from '../../../contract/fixtures';

/**
 * Spans split over random batches, each stored by a random "thread" (an
 * EdgePairing with its EdgeHalfRouter; the halves it packs for other shards
 * are passed on at once, as ThreadedBatchProcessor does) pair exactly as one
 * plain pairing store per shard, written out below in the words of
 * docs/span-metrics.md, given the same halves in the same order: the same
 * per-edge tallies, unpaired count and halves left waiting. The ids come from
 * tiny pools, so span ids collide across traces (and with ids that contain
 * the separators a key could be built with), sides repeat, and both the
 * store's bound and its wait run out often.
 */
const TRACE_IDS = ['t0', 't1', 'a:b', 'a', '1:ab', 'tü', 'x☃'];
const SPAN_IDS = ['s0', 's1', 'b:c', 'c', 'bc', '☃'];
const SERVICES = ['web', 'orders', 'db'];

interface HalfSpec {
  traceId: string;
  spanId: string;
  kind: SpanKind;
  /** The client span id this span is the server side of (server/consumer), or its own (client/producer). */
  id: string;
  service: string;
  durationUs: number;
  error: boolean;
}

const spanSpec: fc.Arbitrary<HalfSpec> = fc.record({
  traceId: fc.constantFrom(...TRACE_IDS),
  spanId: fc.constantFrom(...SPAN_IDS),
  kind: fc.constantFrom<SpanKind>('client', 'server', 'producer', 'consumer', 'internal'),
  id: fc.constantFrom(...SPAN_IDS, ''),
  service: fc.constantFrom(...SERVICES),
  // multiples of 1/64 s: sums are exact in any order
  durationUs: fc.integer({ min: 0, max: 1200 }).map((n) => n * 15_625),
  error: fc.boolean(),
});

const batchSpec = fc.record({
  spans: fc.array(spanSpec, { maxLength: 12 }),
  thread: fc.nat(2),
  advanceMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 40 })),
});

function spanOf(h: HalfSpec): Span {
  const client = h.kind === 'client' || h.kind === 'producer';
  return makeSpan({
    traceId: h.traceId,
    spanId: client ? h.id || h.spanId : h.spanId,
    parentSpanId: client ? h.spanId : h.id,
    kind: h.kind,
    service: h.service,
    durationUs: h.durationUs,
    status: { code: h.error ? 'error' : 'unset', message: '' },
  });
}

interface Tally {
  requests: number;
  failed: number;
  serverSum: number;
  clientSum: number;
  serverBuckets: number[];
  clientBuckets: number[];
}

type Tallies = Map<string, Tally>;

function tallyOf(tallies: Tallies, key: string): Tally {
  let t = tallies.get(key);
  if (!t) {
    const zero = () => new Array<number>(LATENCY_BUCKETS_S.length + 1).fill(0);
    t = { requests: 0, failed: 0, serverSum: 0, clientSum: 0, serverBuckets: zero(), clientBuckets: zero() };
    tallies.set(key, t);
  }
  return t;
}

function addTotals(tallies: Tallies, totals: EdgeTotals | null, unpaired: { n: number }): void {
  if (!totals) return;
  unpaired.n += totals.unpaired;
  for (const e of totals.edges) {
    const t = tallyOf(tallies, JSON.stringify([e.clientService, e.serverService, e.connectionType]));
    t.requests += e.requests;
    t.failed += e.failed;
    t.serverSum += e.serverLatency.sum;
    t.clientSum += e.clientLatency.sum;
    e.serverLatency.firstBucket.forEach((n, i) => (t.serverBuckets[i] += n));
    e.clientLatency.firstBucket.forEach((n, i) => (t.clientBuckets[i] += n));
  }
}

interface PlainHalf {
  server: boolean;
  messaging: boolean;
  failed: boolean;
  service: string;
  durationUs: number;
  at: number;
}

/**
 * The pairing as documented, plainly: a half waits under its trace and client
 * span id, in arrival order, at most `maxPending` of them (the oldest dropped,
 * unpaired) and at most `waitMs`; the same side again under a waiting key is
 * ignored (the first kept); the other side pairs with it.
 */
class PlainPairing {
  readonly waiting = new Map<string, PlainHalf>();
  readonly tallies: Tallies = new Map();
  unpaired = 0;

  constructor(private readonly maxPending: number, private readonly waitMs: number) {}

  addSpans(spans: Span[], now: number): void {
    for (const [key, at] of this.waiting) {
      if (at.at > now - this.waitMs) break;
      this.waiting.delete(key);
      this.unpaired++;
    }
    for (const span of spans) {
      const client = span.kind === 'client' || span.kind === 'producer';
      const server = (span.kind === 'server' || span.kind === 'consumer') && span.parentSpanId !== '';
      if (!client && !server) continue;
      const key = JSON.stringify([span.traceId, client ? span.spanId : span.parentSpanId]);
      const half: PlainHalf = { server, messaging: span.kind === 'producer' || span.kind === 'consumer', failed: span.status.code === 'error', service: span.service, durationUs: span.durationUs, at: now };
      const other = this.waiting.get(key);
      if (!other) {
        if (this.waiting.size >= this.maxPending) {
          this.waiting.delete(this.waiting.keys().next().value!);
          this.unpaired++;
        }
        this.waiting.set(key, half);
        continue;
      }
      if (other.server === half.server) continue;
      this.waiting.delete(key);
      const [c, s] = half.server ? [other, half] : [half, other];
      const t = tallyOf(this.tallies, JSON.stringify([c.service, s.service, c.messaging || s.messaging ? 'messaging_system' : '']));
      t.requests++;
      if (c.failed || s.failed) t.failed++;
      t.serverSum += s.durationUs / 1e6;
      t.clientSum += c.durationUs / 1e6;
      t.serverBuckets[firstBucketOf(LATENCY_BUCKETS_S, s.durationUs / 1e6)]++;
      t.clientBuckets[firstBucketOf(LATENCY_BUCKETS_S, c.durationUs / 1e6)]++;
    }
  }
}

function merged(all: Tallies[]): Record<string, Tally> {
  const out: Tallies = new Map();
  for (const tallies of all) {
    for (const [key, t] of tallies) {
      const o = tallyOf(out, key);
      o.requests += t.requests;
      o.failed += t.failed;
      o.serverSum += t.serverSum;
      o.clientSum += t.clientSum;
      t.serverBuckets.forEach((n, i) => (o.serverBuckets[i] += n));
      t.clientBuckets.forEach((n, i) => (o.clientBuckets[i] += n));
    }
  }
  return Object.fromEntries([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
}

describe('sharded service-graph pairing', () => {
  it('pairs like one plain pairing store per shard, whatever the ids, batches and threads', () => {
    fc.assert(
      fc.property(
        fc.array(batchSpec, { maxLength: 40 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 60 }),
        (batches, threads, maxPending, waitMs) => {
          let now = 0;
          const shards = Array.from({ length: threads }, (_, index) => {
            const pairing = new EdgePairing({ maxPending, waitMs, now: () => now });
            return { pairing, router: new EdgeHalfRouter(pairing, { index, count: threads }) };
          });
          const plain = shards.map(() => new PlainPairing(maxPending, waitMs));
          const tallies: Tallies = new Map();
          const unpaired = { n: 0 };
          for (const batch of batches) {
            now += batch.advanceMs;
            const spans = batch.spans.map(spanOf);
            const thread = shards[batch.thread % threads];
            thread.router.add(spans);
            addTotals(tallies, thread.pairing.take(), unpaired);
            thread.router.takeOutbound().forEach((halves, owner) => {
              if (!halves) return;
              shards[owner].pairing.addPacked(halves);
              addTotals(tallies, shards[owner].pairing.take(), unpaired);
            });
            plain.forEach((p, shard) => p.addSpans(spans.filter((s) => edgeShardOf(s.traceId, threads) === shard), now));
          }
          // a shard expires what waited too long when halves next reach it; the plain one, at every batch
          for (const { pairing } of shards) {
            pairing.expire();
            addTotals(tallies, pairing.take(), unpaired);
          }
          expect(merged([tallies])).toEqual(merged(plain.map((p) => p.tallies)));
          expect(unpaired.n).toBe(plain.reduce((n, p) => n + p.unpaired, 0));
          expect(shards.map((s) => s.pairing.waiting)).toEqual(plain.map((p) => p.waiting.size));
        },
      ),
      { numRuns: 400 },
    );
  });
});

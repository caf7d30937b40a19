/**
 * Builds the topology and service-stats answers from roll-up rows (counts per
 * histogram bucket, already summed over the window by the store). Both stores
 * return the same row shapes and share this code, so they answer alike.
 */
import { ValidationError } from '../errors';
import type { TimeWindow } from '../model';
import { MINUTE_US, minuteOf } from '../topology';
import type {
  OperationStats,
  ServiceStats,
  ServiceStatsPoint,
  Topology,
  TopologyEdge,
  TopologyEdgeKind,
  TopologyNode,
  TopologyNodeKind,
} from '../topology';
import { addToHistogram, quantilesMs, type Histogram } from './topology-histogram';

export interface EdgeRollupRow {
  source: string;
  sourceKind: TopologyNodeKind;
  target: string;
  targetKind: TopologyNodeKind;
  kind: TopologyEdgeKind;
  bucket: number;
  calls: number;
  errors: number;
}

export interface ServiceRollupRow {
  service: string;
  bucket: number;
  calls: number;
  errors: number;
}

export interface OperationRollupRow {
  minute: number;
  operation: string;
  bucket: number;
  calls: number;
  errors: number;
}

/** Most points one serviceStats answer may hold (per series). */
export const MAX_STATS_POINTS = 10_000;
/** Most operations listed in one serviceStats answer (busiest first). */
export const MAX_STATS_OPERATIONS = 100;
/** Most services one servicesStats read may ask for. */
export const MAX_STATS_SERVICES = 100;

/** Refuses a servicesStats read of more than MAX_STATS_SERVICES services. */
export function checkStatsServices(services: readonly string[]): void {
  if (services.length > MAX_STATS_SERVICES) {
    throw new ValidationError(`stats of at most ${MAX_STATS_SERVICES} services are read at once, ${services.length} asked for`, 'services');
  }
}

/** A window with both bounds, and the first and last minute rows it covers. */
export interface MinuteRange {
  startUs: number;
  endUs: number;
  fromMinute: number;
  toMinute: number;
}

export function minuteRange(window: TimeWindow): MinuteRange {
  const { startUs, endUs } = window;
  if (startUs === undefined || !Number.isSafeInteger(startUs) || startUs < 0) {
    throw new ValidationError('topology and service stats need a start time', 'start');
  }
  if (endUs === undefined || !Number.isSafeInteger(endUs) || endUs < 0) {
    throw new ValidationError('topology and service stats need an end time', 'end');
  }
  if (endUs < startUs) throw new ValidationError('start must not be after end', 'start');
  return { startUs, endUs, fromMinute: minuteOf(startUs), toMinute: minuteOf(endUs) };
}

/** Most minutes a latency read (SpanStore.latencyMinutes) covers: a day, the longest panel window. */
export const MAX_LATENCY_MINUTES = 1440;

/** The minutes of a latency read: both bounds required, at most MAX_LATENCY_MINUTES whole minutes touched. */
export function latencyMinuteRange(window: TimeWindow): MinuteRange {
  const r = minuteRange(window);
  const minutes = (r.toMinute - r.fromMinute) / MINUTE_US + 1;
  if (minutes > MAX_LATENCY_MINUTES) throw new ValidationError(`the window touches ${minutes} minutes, more than ${MAX_LATENCY_MINUTES}`, 'end');
  return r;
}

export function checkStep(stepUs: number, window: MinuteRange): void {
  if (!Number.isSafeInteger(stepUs) || stepUs <= 0 || stepUs % MINUTE_US !== 0) {
    throw new ValidationError('step must be a whole number of minutes (roll-ups are per minute)', 'step');
  }
  const points = Math.floor(window.endUs / stepUs) - Math.floor(window.startUs / stepUs) + 1;
  if (points > MAX_STATS_POINTS) {
    throw new ValidationError(`step gives ${points} points over the window, more than ${MAX_STATS_POINTS}`, 'step');
  }
}

interface Acc {
  calls: number;
  errors: number;
  hist: Histogram;
}
const newAcc = (): Acc => ({ calls: 0, errors: 0, hist: new Map() });
function add(acc: Acc, bucket: number, calls: number, errors: number): void {
  acc.calls += calls;
  acc.errors += errors;
  addToHistogram(acc.hist, bucket, calls);
}
function latency(acc: Acc): { p50Ms: number | null; p95Ms: number | null; p99Ms: number | null } {
  const [p50Ms, p95Ms, p99Ms] = quantilesMs(acc.hist, [0.5, 0.95, 0.99]);
  return { p50Ms, p95Ms, p99Ms };
}
const rate = (errors: number, calls: number) => (calls === 0 ? 0 : errors / calls);

const SEP = '\u0000';

export interface Instrumented {
  /** Names of instrumented services. */
  services: ReadonlySet<string>;
  /** Caller-side peer names known to be instrumented services. */
  aliasPeers: ReadonlySet<string>;
}

export function assembleTopology(edgeRows: readonly EdgeRollupRow[], serviceRows: readonly ServiceRollupRow[], known: Instrumented): Topology {
  const nodes = new Map<string, { id: string; kind: TopologyNodeKind; acc: Acc; incoming: Acc }>();
  const node = (id: string, kind: TopologyNodeKind) => {
    const key = kind + SEP + id;
    let n = nodes.get(key);
    if (n === undefined) nodes.set(key, (n = { id, kind, acc: newAcc(), incoming: newAcc() }));
    return n;
  };
  for (const r of serviceRows) add(node(r.service, 'service').acc, r.bucket, r.calls, r.errors);

  const edges = new Map<string, { row: EdgeRollupRow; acc: Acc }>();
  for (const r of edgeRows) {
    // a "peer" that is an instrumented service: the server side already draws that call
    if (r.targetKind === 'external' && (known.services.has(r.target) || known.aliasPeers.has(r.target))) continue;
    const key = [r.source, r.sourceKind, r.target, r.targetKind, r.kind].join(SEP);
    let e = edges.get(key);
    if (e === undefined) edges.set(key, (e = { row: r, acc: newAcc() }));
    add(e.acc, r.bucket, r.calls, r.errors);
    node(r.source, r.sourceKind);
    const target = node(r.target, r.targetKind);
    if (r.targetKind !== 'service') add(target.incoming, r.bucket, r.calls, r.errors);
  }

  // ids must be unique across kinds: a queue or database named like a service gets its kind appended
  const kindsById = new Map<string, number>();
  for (const n of nodes.values()) kindsById.set(n.id, (kindsById.get(n.id) ?? 0) + 1);
  const idOf = (id: string, kind: TopologyNodeKind) => (kind !== 'service' && kindsById.get(id)! > 1 ? `${id} (${kind})` : id);

  const outNodes: TopologyNode[] = [...nodes.values()].map((n) => {
    const acc = n.kind === 'service' ? n.acc : n.incoming;
    return { id: idOf(n.id, n.kind), kind: n.kind, calls: acc.calls, errorRate: rate(acc.errors, acc.calls), ...latency(acc) };
  });
  const outEdges: TopologyEdge[] = [...edges.values()].map(({ row, acc }) => ({
    source: idOf(row.source, row.sourceKind),
    target: idOf(row.target, row.targetKind),
    kind: row.kind,
    calls: acc.calls,
    errors: acc.errors,
    ...latency(acc),
  }));
  outNodes.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  outEdges.sort((a, b) => (a.source + SEP + a.target + SEP + a.kind < b.source + SEP + b.target + SEP + b.kind ? -1 : 1));
  return { nodes: outNodes, edges: outEdges };
}

export function assembleServiceStats(service: string, window: MinuteRange, stepUs: number, rows: readonly OperationRollupRow[]): ServiceStats {
  checkStep(stepUs, window);
  const first = Math.floor(window.startUs / stepUs) * stepUs;
  const count = Math.floor(window.endUs / stepUs) - Math.floor(window.startUs / stepUs) + 1;
  const total = { acc: newAcc(), steps: Array.from({ length: count }, newAcc) };
  const ops = new Map<string, typeof total>();
  for (const r of rows) {
    const i = Math.floor((r.minute - first) / stepUs);
    if (i < 0 || i >= count) continue;
    let op = ops.get(r.operation);
    if (op === undefined) ops.set(r.operation, (op = { acc: newAcc(), steps: new Array<Acc>(count) }));
    for (const target of [total, op]) {
      add(target.acc, r.bucket, r.calls, r.errors);
      add((target.steps[i] ??= newAcc()), r.bucket, r.calls, r.errors);
    }
  }
  const stepSeconds = stepUs / 1_000_000;
  const series = (steps: Acc[]): ServiceStatsPoint[] =>
    Array.from({ length: count }, (_, i) => {
      const acc = steps[i] ?? newAcc();
      return {
        tUs: first + i * stepUs,
        calls: acc.calls,
        errors: acc.errors,
        ratePerSec: acc.calls / stepSeconds,
        errorRate: rate(acc.errors, acc.calls),
        ...latency(acc),
      };
    });
  const operations: OperationStats[] = [...ops.entries()]
    .sort((a, b) => b[1].acc.calls - a[1].acc.calls || (a[0] < b[0] ? -1 : 1))
    .slice(0, MAX_STATS_OPERATIONS)
    .map(([name, op]) => ({
      name,
      calls: op.acc.calls,
      errors: op.acc.errors,
      errorRate: rate(op.acc.errors, op.acc.calls),
      ...latency(op.acc),
      series: series(op.steps),
    }));
  return { service, stepUs, series: series(total.steps), operations };
}

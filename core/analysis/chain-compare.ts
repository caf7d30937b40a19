import type { ChainPathStep } from './chain-critical-path';
import { chainTiming, type WaitKind } from './chain-waits';

/**
 * Comparing two orders: where one chain spent its end-to-end time differently
 * from another (or from a typical order of the same journey).
 *
 * Both chains are reduced to a profile of their critical path, which is
 * contiguous and adds up to the end-to-end time: the time each stage worked on
 * it, the time each operation (service + span name) owned on it, and each wait
 * (by kind, destination and the span that waited). Stages + waits, and
 * operations + waits, each add up to the chain's duration, so a delta in one
 * row is time the other order did not spend there. The hop that explains the
 * difference is the operation or wait (never an intended delay, as for the
 * bottleneck) whose delta goes furthest in the direction of the total one
 * less the intended delays (a scheduled wait shrinks by what ran late before
 * it, so the total alone can point the wrong way).
 */

/** What a comparison needs of a chain answer (GET /api/chains gives all of it). */
export interface ComparableChain {
  traces: ReadonlyArray<{ traceId: string; stage: string; rootService: string; rootName: string }>;
  spans: ReadonlyArray<{ traceId: string; spanId: string; service: string; name: string; parentSpanId?: string; status?: { code: string } }>;
  stages: ReadonlyArray<{ name: string }>;
  criticalPath: readonly ChainPathStep[];
}

export type CompareRowKind = 'stage' | 'operation' | 'wait';

/** What a row stands for; its `key` is the same in every order that has it. */
export interface CompareRowIdentity {
  kind: CompareRowKind;
  key: string;
  /** `stage`, `service operation`, or `wait (kind destination) before service operation`. */
  label: string;
  /** A stage row's name; for an operation or wait, the stage of the trace it first ran (or waited to run) in. */
  stage: string;
  /** An operation's service; for a wait, the service of the span that waited. */
  service?: string;
  operation?: string;
  waitKind?: WaitKind;
  destination?: string;
  /** An intended delay (CHAIN_EXPECTED_WAITS): shown, never named as the explanation. */
  intended?: boolean;
}

export interface ProfileRow extends CompareRowIdentity {
  /** Time on the critical path. */
  us: number;
  /** Operations: spans of it where an error started (failed, with no failed child). */
  errors?: number;
}

export interface ChainProfile {
  durationUs: number;
  workingUs: number;
  waitingUs: number;
  /** Stage names in order of start: the journey. */
  stages: string[];
  /** Stage rows in journey order, then operations and waits in order of first appearance on the path. */
  rows: ProfileRow[];
}

export interface CompareDelta {
  aUs: number;
  bUs: number;
  /** a − b: positive when a spent longer. */
  deltaUs: number;
}

export interface CompareRow extends CompareRowIdentity, CompareDelta {
  /** The row exists in only one of the two orders. */
  onlyIn?: 'a' | 'b';
  /** Operations where an error started, in a and in b (present when either is above 0). */
  aErrors?: number;
  bErrors?: number;
}

export interface ChainComparison {
  duration: CompareDelta;
  working: CompareDelta;
  waiting: CompareDelta;
  /** Both orders went through the same stages in the same order. */
  sameStages: boolean;
  /** a's stages in journey order, then those only b has. */
  stages: CompareRow[];
  /** Operations and waits: the explaining hop first, then by |delta|, largest first. */
  hops: CompareRow[];
  /** The hop explaining most of the difference; null when no hop differs. */
  top: CompareRow | null;
}

/** One side of a comparison: the order as the chain page shows it. */
export interface ComparedOrder {
  value: string;
  startUs: number;
  endUs: number;
  traceCount: number;
  truncated: boolean;
  stages: string[];
}

/** The typical order b stands for when no b is given: the median of `orders` orders of the same journey. */
export interface TypicalOrder {
  /** Orders whose chains went into the medians. */
  orders: number;
  /** Orders looked at (first seen in the window, an even spread of the store's ranking). */
  sampled: number;
  /** Orders of the journey left out because they failed (the typical order is a healthy one while there is any). */
  failedLeftOut: number;
  /** The window their first traces started in. */
  startUs: number;
  endUs: number;
  stages: string[];
}

/** The answer of GET /api/chains/compare (the UI imports this type). */
export interface ChainComparisonView extends ChainComparison {
  key: string;
  a: ComparedOrder;
  /** The other order; null when compared with a typical one. */
  b: ComparedOrder | null;
  typical: TypicalOrder | null;
}

const WHOLE_TRACE = '';

/** The profile of one chain's critical path. */
export function chainProfile(chain: ComparableChain): ChainProfile {
  const traces = new Map(chain.traces.map((t) => [t.traceId, t]));
  const spans = new Map<string, { service: string; name: string }>();
  for (const s of chain.spans) spans.set(`${s.traceId}/${s.spanId}`, s);
  /** A span by id; a step of a trace whose spans were not loaded stands for its root. */
  const named = (traceId: string, spanId: string) => {
    const span = spanId === WHOLE_TRACE ? undefined : spans.get(`${traceId}/${spanId}`);
    if (span) return span;
    const t = traces.get(traceId);
    return { service: t?.rootService ?? '', name: t?.rootName ?? '' };
  };
  const stageOf = (traceId: string) => traces.get(traceId)?.stage ?? '';

  const stageRows = new Map<string, ProfileRow>(chain.stages.map((s) => [stageKey(s.name), { ...stageRow(s.name), us: 0 }]));
  const hopRows = new Map<string, ProfileRow>();
  const add = (rows: Map<string, ProfileRow>, row: Omit<ProfileRow, 'us'>, us: number) => {
    const existing = rows.get(row.key);
    if (existing) existing.us += us;
    else rows.set(row.key, { ...row, us });
  };
  for (const step of chain.criticalPath) {
    const us = step.endUs - step.startUs;
    if (us <= 0) continue;
    if ('wait' in step) {
      const waiter = named(step.toTraceId, step.toSpanId);
      add(hopRows, waitRow(step.kind, step.destination, waiter.service, waiter.name, stageOf(step.toTraceId)), us);
      continue;
    }
    const span = named(step.traceId, step.spanId);
    const stage = stageOf(step.traceId);
    add(stageRows, stageRow(stage), us);
    add(hopRows, operationRow(span.service, span.name, stage), us);
  }
  for (const span of errorOrigins(chain.spans)) {
    add(hopRows, operationRow(span.service, span.name, stageOf(span.traceId)), 0);
    const row = hopRows.get(operationRow(span.service, span.name, '').key)!;
    row.errors = (row.errors ?? 0) + 1;
  }
  const timing = chainTiming(chain.criticalPath);
  return {
    durationUs: timing.durationUs,
    workingUs: timing.workingUs,
    waitingUs: timing.waitingUs,
    stages: chain.stages.map((s) => s.name),
    rows: [...stageRows.values(), ...hopRows.values()],
  };
}

/**
 * A typical order: per row, the median over `profiles` (an order without
 * the row counts as 0 there; rows whose median is 0 are left out), and the
 * median duration, working and waiting time. The stages are the first
 * profile's (callers pass orders of one journey). Null for no profile.
 */
export function typicalProfile(profiles: readonly ChainProfile[]): ChainProfile | null {
  if (profiles.length === 0) return null;
  const seen = new Map<string, { row: CompareRowIdentity; values: number[]; errors: number[] }>();
  profiles.forEach((p, i) => {
    for (const row of p.rows) {
      let entry = seen.get(row.key);
      if (!entry) {
        const zeros = () => new Array<number>(profiles.length).fill(0);
        seen.set(row.key, (entry = { row: identity(row), values: zeros(), errors: zeros() }));
      }
      entry.values[i] += row.us;
      entry.errors[i] += row.errors ?? 0;
    }
  });
  const rows: ProfileRow[] = [];
  for (const { row, values, errors } of seen.values()) {
    const us = median(values);
    const typicalErrors = median(errors);
    if (us > 0 || typicalErrors > 0 || row.kind === 'stage') rows.push(typicalErrors > 0 ? { ...row, us, errors: typicalErrors } : { ...row, us });
  }
  return {
    durationUs: median(profiles.map((p) => p.durationUs)),
    workingUs: median(profiles.map((p) => p.workingUs)),
    waitingUs: median(profiles.map((p) => p.waitingUs)),
    stages: [...profiles[0].stages],
    rows,
  };
}

/** Did an error start anywhere in this order (a failed span with no failed child)? */
export function profileFailed(profile: ChainProfile): boolean {
  return profile.rows.some((r) => (r.errors ?? 0) > 0);
}

/** The median of numbers (the mean of the two middle ones for an even count); 0 for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Row by row, a against b. */
export function compareProfiles(a: ChainProfile, b: ChainProfile): ChainComparison {
  const bRows = new Map(b.rows.map((r) => [r.key, r]));
  const aKeys = new Set(a.rows.map((r) => r.key));
  const rows: CompareRow[] = [];
  for (const r of a.rows) {
    const other = bRows.get(r.key);
    rows.push(withErrors(pair(r, r.us, other?.us ?? 0, other ? undefined : 'a'), r.errors ?? 0, other?.errors ?? 0));
  }
  for (const r of b.rows) if (!aKeys.has(r.key)) rows.push(withErrors(pair(r, 0, r.us, 'b'), 0, r.errors ?? 0));

  const duration = delta(a.durationUs, b.durationUs);
  const hops = rows.filter((r) => r.kind !== 'stage').sort(byMagnitude);
  // An intended delay absorbs what ran late before it (a scheduled job runs at its time anyway), so the
  // direction is that of the time an SRE can act on: every hop but the intended delays.
  const actionableDeltaUs = hops.reduce((sum, r) => (r.intended ? sum : sum + r.deltaUs), 0);
  const top = explainingHop(hops, Math.sign(actionableDeltaUs));
  if (top) {
    hops.splice(hops.indexOf(top), 1);
    hops.unshift(top);
  }
  return {
    duration,
    working: delta(a.workingUs, b.workingUs),
    waiting: delta(a.waitingUs, b.waitingUs),
    sameStages: a.stages.length === b.stages.length && a.stages.every((s, i) => s === b.stages[i]),
    stages: rows.filter((r) => r.kind === 'stage'),
    hops,
    top,
  };
}

/** Compares two chain answers. */
export function compareChains(a: ComparableChain, b: ComparableChain): ChainComparison {
  return compareProfiles(chainProfile(a), chainProfile(b));
}

/**
 * The hop explaining the difference. Where a failed and b did not, the
 * operation where a's error started (the most more errors than b; then the
 * larger time delta): a failed order is explained by its failure, not by the
 * steps it skipped. Otherwise the hop whose delta goes furthest in the
 * direction of the total delta without intended delays (either way when
 * that is 0). Intended delays never explain.
 */
function explainingHop(hops: readonly CompareRow[], direction: number): CompareRow | null {
  let failed: CompareRow | null = null;
  for (const row of hops) {
    const more = (row.aErrors ?? 0) - (row.bErrors ?? 0);
    if (more <= 0) continue;
    const bestMore = failed ? (failed.aErrors ?? 0) - (failed.bErrors ?? 0) : 0;
    if (!failed || more > bestMore || (more === bestMore && Math.abs(row.deltaUs) > Math.abs(failed.deltaUs))) failed = row;
  }
  if (failed) return failed;
  let best: CompareRow | null = null;
  for (const row of hops) {
    if (row.intended || row.deltaUs === 0) continue;
    const score = direction === 0 ? Math.abs(row.deltaUs) : row.deltaUs * direction;
    if (score <= 0) continue;
    const bestScore = best ? (direction === 0 ? Math.abs(best.deltaUs) : best.deltaUs * direction) : -Infinity;
    if (score > bestScore) best = row;
  }
  return best;
}

function byMagnitude(x: CompareRow, y: CompareRow): number {
  return Math.abs(y.deltaUs) - Math.abs(x.deltaUs) || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0);
}

const delta = (aUs: number, bUs: number): CompareDelta => ({ aUs, bUs, deltaUs: aUs - bUs });

function pair(identityOf: CompareRowIdentity, aUs: number, bUs: number, onlyIn: 'a' | 'b' | undefined): CompareRow {
  const row: CompareRow = { ...identity(identityOf), ...delta(aUs, bUs) };
  if (onlyIn) row.onlyIn = onlyIn;
  return row;
}

function withErrors(row: CompareRow, aErrors: number, bErrors: number): CompareRow {
  if (aErrors > 0 || bErrors > 0) {
    row.aErrors = aErrors;
    row.bErrors = bErrors;
  }
  return row;
}

/** Failed spans none of whose children failed: where each error started. */
function errorOrigins<S extends { traceId: string; spanId: string; parentSpanId?: string; status?: { code: string } }>(spans: readonly S[]): S[] {
  const failed = spans.filter((s) => s.status?.code === 'error');
  const withFailedChild = new Set<string>();
  for (const s of failed) if (s.parentSpanId) withFailedChild.add(`${s.traceId}/${s.parentSpanId}`);
  return failed.filter((s) => !withFailedChild.has(`${s.traceId}/${s.spanId}`));
}

function identity(row: CompareRowIdentity): CompareRowIdentity {
  const out: CompareRowIdentity = { kind: row.kind, key: row.key, label: row.label, stage: row.stage };
  if (row.service !== undefined) out.service = row.service;
  if (row.operation !== undefined) out.operation = row.operation;
  if (row.waitKind !== undefined) out.waitKind = row.waitKind;
  if (row.destination !== undefined) out.destination = row.destination;
  if (row.intended) out.intended = true;
  return out;
}

const stageKey = (name: string) => `stage\u0000${name}`;

function stageRow(name: string): Omit<ProfileRow, 'us'> {
  return { kind: 'stage', key: stageKey(name), label: name, stage: name };
}

function operationRow(service: string, operation: string, stage: string): Omit<ProfileRow, 'us'> {
  return { kind: 'operation', key: `op\u0000${service}\u0000${operation}`, label: `${service} ${operation}`, stage, service, operation };
}

function waitRow(kind: WaitKind, destination: string | undefined, service: string, operation: string, stage: string): Omit<ProfileRow, 'us'> {
  const row: Omit<ProfileRow, 'us'> = {
    kind: 'wait',
    key: `wait\u0000${kind}\u0000${destination ?? ''}\u0000${service}\u0000${operation}`,
    label: `wait (${kind}${destination !== undefined ? ` ${destination}` : ''}) before ${service} ${operation}`,
    stage,
    service,
    operation,
    waitKind: kind,
  };
  if (destination !== undefined) row.destination = destination;
  if (kind === 'intended') row.intended = true;
  return row;
}

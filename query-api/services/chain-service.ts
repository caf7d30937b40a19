import { assembleChain, type AssembledChain } from '../../core/analysis/chain';
import { mapLimited } from '../../core/util/map-limited';
import { readTraces } from './trace-reads';
import { chunks } from '../../core/util/chunks';
import { CHAIN_READ_LIMITS } from '../../core/contracts/read-limits';
import { coalescedLinkedTraces } from './coalesced-links';
import type { ChainStageRule } from '../../core/analysis/chain-stages';
import { walkChain, type ChainWalk } from '../../core/analysis/chain-walk';
import { DEFAULT_CONFIG } from '../../core/config';
import type { LogStore } from '../../core/contracts/log-store';
import type { BusinessKeySpan, SpanStore } from '../../core/contracts/span-store';
import { NotFoundError, ValidationError } from '../../core/errors';
import type { Span, TimeWindow, TraceSummary } from '../../core/model';
import type { ChainSpanView, ChainView, LogView, SlowChainView } from '../../core/wire';
import { logView } from './log-service';
import { setBounded } from '../../core/util/bounded-map';

export interface ChainServiceOptions {
  /** The configured business keys; `key` must be one of them. */
  businessKeys: string[];
  /** Most traces per chain (CHAIN_MAX_TRACES). */
  maxTraces: number;
  /** CHAIN_STAGES; empty = one stage per kind of entry trace. */
  stages: ChainStageRule[];
  /** Most spans loaded for one chain; traces past it are listed without spans and `truncated` is set. */
  maxSpans: number;
  /** CHAIN_EXPECTED_WAITS: destinations or operations whose waits are intended. */
  expectedWaits: string[];
  /** Most spans loaded per chain when ranking slow chains (a trace past it counts as one step named by its summary). */
  maxSpansPerSlowChain: number;
  /** Most spans loaded for one slow-chains answer: ranking, then reloading the listed chains that were cut, as far as it lasts. */
  maxSpansPerSlowList: number;
  logsPerTrace: number;
  maxLogs: number;
  /** Window of /chains/slow when neither start nor end is given. */
  defaultSlowWindowUs: number;
}

export const CHAIN_DEFAULTS: Readonly<ChainServiceOptions> = Object.freeze({
  businessKeys: DEFAULT_CONFIG.businessKeys,
  maxTraces: DEFAULT_CONFIG.chainMaxTraces,
  stages: DEFAULT_CONFIG.chainStages,
  expectedWaits: DEFAULT_CONFIG.chainExpectedWaits,
  maxSpans: 50_000,
  maxSpansPerSlowChain: 10_000,
  maxSpansPerSlowList: 200_000,
  logsPerTrace: 200,
  maxLogs: 2_000,
  defaultSlowWindowUs: 60 * 60 * 1_000_000,
});

/** The options a chain service runs with: `CHAIN_DEFAULTS` where `options` leaves a field out or undefined. */
export function chainOptions(options: Partial<ChainServiceOptions> = {}): ChainServiceOptions {
  return { ...CHAIN_DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) };
}

/** Concurrent log reads per chain (the stores answer in parallel; the embedded store is synchronous anyway). */
const READ_CONCURRENCY = 8;

export type { ChainSpanView, ChainView, SlowChainView } from '../../core/wire';

export const SLOW_CHAIN_SORTS = ['duration', 'working', 'waiting', 'errors', 'bottleneck', 'start'] as const;
export type SlowChainSort = (typeof SLOW_CHAIN_SORTS)[number];

export interface SlowChainQuery {
  limit: number;
  /** Column to sort by (default duration); `bottleneck` sorts by the bottleneck's time on the critical path. */
  sort?: SlowChainSort;
  order?: 'asc' | 'desc';
  /** Only chains with at least one error span. */
  errorsOnly?: boolean;
  /** Leave intended waits out of durationUs and waitingUs (intendedWaitUs still says how much they were). */
  excludeIntendedWaits?: boolean;
}

/**
 * Sorts whose order (and the errors filter) the trace summaries decide alone: a chain's first start, last end and
 * error count are the same from its summaries as from its spans.
 */
const SUMMARY_SORTS: ReadonlySet<SlowChainSort> = new Set<SlowChainSort>(['duration', 'errors', 'start']);

/** The store ranks this many times `limit` values by the traces carrying the key; the assembled chains are then filtered and sorted. */
const SLOW_CANDIDATES_PER_ROW = 3;
const MAX_SLOW_CANDIDATES = 300;
/**
 * A chain whose key-carrying traces ended this long ago is settled: its slow-chains row (fully assembled, not
 * cut by the span budget) is kept and given again while its value keeps the same span and traces, so a wall
 * screen's next refresh assembles only new candidates. A trace joining it later only through a link (not
 * carrying the key) is not seen until the row leaves the cache.
 */
const SETTLED_CHAIN_US = 2 * 60_000_000;
const MAX_SETTLED_ROWS = 5_000;

/** A chain's traces and joins (the walk) with their summaries: what assembling it needs before any span. */
interface ChainPlan {
  walk: ChainWalk;
  /** Summaries of the walk's traces, by start time. */
  summaries: TraceSummary[];
}

interface Assembly {
  traceIds: string[];
  summaries: TraceSummary[];
  chain: AssembledChain;
  truncated: boolean;
  /** Some trace was left unloaded because of the span budget. */
  spansCut: boolean;
  /** Spans of every trace of the chain, by the summaries. */
  spanTotal: number;
}

/**
 * Business call chains: everything that happened to one business-key value
 * across traces. Stores answer index reads (key → traces, trace → joins,
 * summaries, spans of a trace); the walk and the analysis are the pure
 * functions of core/analysis/chain*.ts, the same for every backend.
 */
export class ChainService {
  private readonly options: ChainServiceOptions;

  private readonly settledRows = new Map<string, SlowChainView>();
  /** Plans of settled candidates, so a candidate ranked again (listed or not) is not walked and summarized again. */
  private readonly settledPlans = new Map<string, ChainPlan>();

  constructor(
    private readonly spans: SpanStore,
    private readonly logs: LogStore,
    options: Partial<ChainServiceOptions> = {},
  ) {
    this.options = chainOptions(options);
  }

  async chain(key: string, value: string, window: TimeWindow): Promise<ChainView> {
    this.checkKey(key);
    const { maxTraces, maxSpans } = this.options;
    const seeds = await this.spans.tracesByBusinessKey(key, value, window, maxTraces + 1);
    if (seeds.length === 0) throw new NotFoundError(`no trace carries ${key}=${value}`);
    const { traceIds, summaries, chain, truncated } = await this.assemble(seeds, maxSpans);
    const { logs, logsTruncated } = await this.chainLogs(traceIds);
    return {
      key,
      value,
      traceCount: summaries.length,
      truncated,
      startUs: chain.startUs,
      endUs: chain.endUs,
      durationUs: chain.durationUs,
      workingUs: chain.workingUs,
      waitingUs: chain.waitingUs,
      queueWaitUs: chain.queueWaitUs,
      intendedWaitUs: chain.intendedWaitUs,
      gapUs: chain.gapUs,
      traces: summaries.map((s) => ({ ...s, stage: chain.traceStages.get(s.traceId) ?? '' })),
      spans: chain.spans.map(spanView),
      joins: chain.joins,
      stages: chain.stages,
      waits: chain.waits,
      criticalPath: chain.criticalPath,
      errors: chain.errors,
      errorCount: chain.errorCount,
      bottleneck: chain.bottleneck,
      logs,
      logsTruncated,
    };
  }

  /**
   * The slowest chains whose key value was first seen in the window. The
   * store ranks values by the traces that carry the key directly; the top
   * SLOW_CANDIDATES_PER_ROW × limit are assembled together (linked traces
   * included; for the SUMMARY_SORTS from their trace summaries alone, else
   * with spans capped per chain so the whole answer stays within
   * maxSpansPerSlowList), filtered, sorted and cut to `limit`. Listed chains
   * whose spans were cut are then assembled again with the chain page's cap
   * while the answer's span budget lasts, so their bottleneck is the page's;
   * past it the bottleneck is named from the trace summaries (`estimated`).
   */
  async slowest(key: string, window: TimeWindow, query: SlowChainQuery): Promise<SlowChainView[]> {
    this.checkKey(key);
    const w =
      window.startUs === undefined && window.endUs === undefined
        ? { startUs: Date.now() * 1000 - this.options.defaultSlowWindowUs }
        : window;
    const ranked = await this.spans.slowestBusinessKeys(key, w, slowCandidates(query.limit));
    return this.slowestOf(key, ranked, query);
  }

  /**
   * The slowest failed chains whose order began in the window (both bounds required), at most `limit`:
   * the candidates come from the order roll-up's failed facts (SpanStore.slowestOrders), so failed
   * orders that were quick (an early error) are found even when healthy orders are slower.
   */
  async slowestFailed(key: string, window: Required<TimeWindow>, limit: number): Promise<SlowChainView[]> {
    this.checkKey(key);
    const ranked = await this.spans.slowestOrders(key, window, slowCandidates(limit), true);
    return this.slowestOf(key, ranked, { limit, errorsOnly: true });
  }

  /**
   * The slow-chains rows of values already ranked by the time span of the
   * traces carrying them (slowest first, at most slowCandidates(limit) of
   * them): the second half of `slowest`, for a caller that holds the ranking
   * (the wall screen's order reads).
   */
  async slowestOf(key: string, ranked: readonly BusinessKeySpan[], query: SlowChainQuery): Promise<SlowChainView[]> {
    this.checkKey(key);
    const limit = Math.max(0, Math.floor(query.limit));
    const exclude = query.excludeIntendedWaits === true;
    const settledBefore = Date.now() * 1000 - SETTLED_CHAIN_US;
    const rowId = (r: BusinessKeySpan) => [key, r.value, r.startUs, r.endUs, r.traceIds.length, exclude ? 1 : 0].join('\u0000');
    type Candidate = { r: BusinessKeySpan; plan?: ChainPlan; a?: Assembly; row: SlowChainView };
    const known: Candidate[] = [];
    const fresh: BusinessKeySpan[] = [];
    for (const r of ranked) {
      const row = r.endUs <= settledBefore ? this.settledRows.get(rowId(r)) : undefined;
      if (row) known.push({ r, row });
      else fresh.push(r);
    }
    let budget = this.options.maxSpansPerSlowList;
    const perChain = Math.max(1, Math.min(this.options.maxSpansPerSlowChain, Math.floor(budget / Math.max(1, ranked.length))));
    // the summaries decide these sorts and the errors filter alone: rank without spans, and read spans for the listed rows only
    const bySummaries = SUMMARY_SORTS.has(query.sort ?? 'duration');
    const plans = await this.slowPlans(fresh, (r) => (r.endUs <= settledBefore ? rowId(r) : undefined));
    const assemblies = await this.assemblePlans(plans, bySummaries ? 0 : perChain);
    const assembled = fresh.map((r, i): Candidate => ({ r, plan: plans[i], a: assemblies[i], row: slowRow(r, assemblies[i], exclude) }));
    for (const a of assemblies) budget -= Math.min(perChain, a.spanTotal);
    // a settled candidate's row is final unless its spans were cut, listed or not: the next refresh ranks it without reading it again
    for (const { r, a, row } of assembled) if (!a!.spansCut && r.endUs <= settledBefore) setBounded(this.settledRows, rowId(r), row, MAX_SETTLED_ROWS);

    const listed = [...known, ...assembled]
      .filter(({ row }) => !query.errorsOnly || row.errorCount > 0)
      .sort((x, y) => compareSlow(x.row, y.row, query))
      .slice(0, limit);
    // listed chains cut: whole while the budget lasts, else (ranked by summaries) with the ranking's cap per chain
    const whole: typeof listed = [];
    const capped: typeof listed = [];
    for (const item of listed) {
      if (!item.a?.spansCut) continue;
      if (item.a.spanTotal <= this.options.maxSpans && item.a.spanTotal <= budget) {
        budget -= item.a.spanTotal;
        whole.push(item);
      } else if (bySummaries) capped.push(item);
    }
    // from the ranking's plans: the same walks and summaries, now with spans
    const [wholeAgain, cappedAgain] = await Promise.all([
      this.assemblePlans(whole.map((item) => item.plan!), this.options.maxSpans),
      this.assemblePlans(capped.map((item) => item.plan!), perChain),
    ]);
    for (const [items, again] of [[whole, wholeAgain], [capped, cappedAgain]] as const) {
      items.forEach((item, i) => {
        item.a = again[i];
        item.row = slowRow(item.r, again[i], exclude);
      });
    }
    // and a listed one read again whole above
    for (const { r, a, row } of listed) if (a?.spansCut === false && r.endUs <= settledBefore) setBounded(this.settledRows, rowId(r), row, MAX_SETTLED_ROWS);
    return listed.map(({ row }) => row).sort((x, y) => compareSlow(x, y, query));
  }

  /** The plans of these candidates: kept ones of settled candidates (`settledId` names them), the others walked and summarized together. */
  private async slowPlans(candidates: readonly BusinessKeySpan[], settledId: (r: BusinessKeySpan) => string | undefined): Promise<ChainPlan[]> {
    const ids = candidates.map(settledId);
    const plans = ids.map((id) => (id === undefined ? undefined : this.settledPlans.get(id)));
    const missing = candidates.flatMap((_, i) => (plans[i] ? [] : [i]));
    const made = await this.planMany(missing.map((i) => candidates[i].traceIds.slice(0, this.options.maxTraces)));
    missing.forEach((i, k) => {
      plans[i] = made[k];
      const id = ids[i];
      if (id !== undefined) setBounded(this.settledPlans, id, made[k], MAX_SETTLED_ROWS);
    });
    return plans as ChainPlan[];
  }

  private checkKey(key: string): void {
    if (!this.options.businessKeys.includes(key)) {
      throw new ValidationError(`key must be one of the configured business keys (${this.options.businessKeys.join(', ')}), got "${key}"`, 'key');
    }
  }

  private async assemble(seeds: string[], maxSpans: number): Promise<Assembly> {
    return (await this.assemblePlans(await this.planMany([seeds]), maxSpans))[0];
  }

  /**
   * Several chains walked and summarized together, so their store reads are shared: the walks' link reads
   * coalesce, and there is one summaries read per 1,000 traces of all chains. The seeds' summaries are read
   * while the walks look for linked traces, and only the traces the walks added after them.
   */
  private async planMany(seedLists: readonly string[][]): Promise<ChainPlan[]> {
    if (seedLists.length === 0) return [];
    const summaryOf = new Map<string, TraceSummary>();
    const summarize = async (ids: string[]) => {
      for (const chunk of chunks(ids, CHAIN_READ_LIMITS.summaryTraceIds)) for (const s of await this.spans.traceSummaries(chunk)) summaryOf.set(s.traceId, s);
    };
    const seeds = new Set(seedLists.flat());
    const linked = coalescedLinkedTraces((ids) => this.spans.linkedTraces(ids));
    const [walks] = await Promise.all([Promise.all(seedLists.map((list) => walkChain(list, linked, { maxTraces: this.options.maxTraces }))), summarize([...seeds])]);
    await summarize([...new Set(walks.flatMap((w) => w.traceIds))].filter((id) => !seeds.has(id)));
    return walks.map((walk) => {
      const summaries = walk.traceIds.flatMap((id) => summaryOf.get(id) ?? []);
      summaries.sort((a, b) => a.startUs - b.startUs || (a.traceId < b.traceId ? -1 : 1));
      return { walk, summaries };
    });
  }

  /** The planned chains with at most `maxSpans` spans each (whole traces, earliest first; the rest shown by their summaries), all their spans read together. */
  private async assemblePlans(plans: readonly ChainPlan[], maxSpans: number): Promise<Assembly[]> {
    const loads = plans.map(({ walk, summaries }) => {
      let budget = maxSpans;
      let truncated = walk.truncated;
      const load: TraceSummary[] = [];
      for (const s of summaries) {
        if (s.spanCount <= budget) {
          load.push(s);
          budget -= s.spanCount;
        } else truncated = true;
      }
      return { load, truncated };
    });
    const loaded = await readTraces(this.spans, loads.flatMap((l) => l.load));
    return plans.map(({ walk, summaries }, i) => {
      const chain = assembleChain(
        summaries.map((summary) => ({ traceId: summary.traceId, spans: loaded.get(summary.traceId) ?? [], summary })),
        walk.joins,
        { stageRules: this.options.stages, expectedWaits: this.options.expectedWaits },
      );
      const spanTotal = summaries.reduce((n, s) => n + s.spanCount, 0);
      return { traceIds: walk.traceIds, summaries, chain, truncated: loads[i].truncated, spansCut: loads[i].load.length < summaries.length, spanTotal };
    });
  }

  /** Logs of every trace of the chain (a fair share of the cap each), merged oldest first. */
  private async chainLogs(traceIds: string[]): Promise<{ logs: LogView[]; logsTruncated: boolean }> {
    if (traceIds.length === 0) return { logs: [], logsTruncated: false };
    const { logsPerTrace, maxLogs } = this.options;
    const share = Math.max(1, Math.min(logsPerTrace, Math.floor(maxLogs / traceIds.length)));
    let logsTruncated = false;
    const perTrace = await mapLimited(traceIds, READ_CONCURRENCY, async (id) => {
      const got = await this.logs.byTrace(id, share);
      if (got.length >= share) logsTruncated = true;
      return got;
    });
    const merged = perTrace.flat().sort((a, b) => a.timeUs - b.timeUs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    if (merged.length > maxLogs) logsTruncated = true;
    return { logs: merged.slice(0, maxLogs).map(logView), logsTruncated };
  }
}


/** How many ranked values `slowest` assembles for `limit` rows. */
export function slowCandidates(limit: number): number {
  return Math.min(MAX_SLOW_CANDIDATES, Math.max(0, Math.floor(limit)) * SLOW_CANDIDATES_PER_ROW);
}

/** A row of the slow-chains list; the business-key span from the store widens the chain's when its traces were not all assembled. */
function slowRow(r: BusinessKeySpan, a: Assembly, excludeIntendedWaits: boolean): SlowChainView {
  const { chain } = a;
  const startUs = Math.min(chain.startUs, r.startUs);
  const endUs = Math.max(chain.endUs, r.endUs);
  const unexplained = endUs - startUs - chain.durationUs;
  const cut = excludeIntendedWaits ? chain.intendedWaitUs : 0;
  return {
    value: r.value,
    startUs,
    endUs,
    durationUs: endUs - startUs - cut,
    workingUs: chain.workingUs,
    waitingUs: chain.waitingUs + unexplained - cut,
    queueWaitUs: chain.queueWaitUs,
    intendedWaitUs: chain.intendedWaitUs,
    gapUs: chain.gapUs + unexplained,
    traceCount: a.summaries.length,
    errorCount: chain.errorCount,
    bottleneck: chain.bottleneck,
  };
}

const SORT_VALUE: Record<SlowChainSort, (c: SlowChainView) => number> = {
  duration: (c) => c.durationUs,
  working: (c) => c.workingUs,
  waiting: (c) => c.waitingUs,
  errors: (c) => c.errorCount,
  bottleneck: (c) => c.bottleneck?.selfUs ?? 0,
  start: (c) => c.startUs,
};

function compareSlow(a: SlowChainView, b: SlowChainView, query: SlowChainQuery): number {
  const value = SORT_VALUE[query.sort ?? 'duration'];
  const sign = query.order === 'asc' ? 1 : -1;
  return sign * (value(a) - value(b)) || b.durationUs - a.durationUs || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0);
}

function spanView(s: Span): ChainSpanView {
  return {
    traceId: s.traceId,
    spanId: s.spanId,
    parentSpanId: s.parentSpanId,
    service: s.service,
    name: s.name,
    kind: s.kind,
    startUs: s.startUs,
    durationUs: s.durationUs,
    status: s.status,
    attributes: s.attributes,
    links: s.links,
  };
}

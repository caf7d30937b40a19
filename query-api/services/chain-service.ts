import { assembleChain, type AssembledChain, type ChainError, type ChainJoin, type ChainWait } from '../../core/analysis/chain';
import type { Bottleneck, ChainPathStep } from '../../core/analysis/chain-critical-path';
import type { ChainStage, ChainStageRule } from '../../core/analysis/chain-stages';
import { walkChain } from '../../core/analysis/chain-walk';
import { DEFAULT_CONFIG } from '../../core/config';
import type { LogStore } from '../../core/contracts/log-store';
import type { SpanStore } from '../../core/contracts/span-store';
import { NotFoundError, ValidationError } from '../../core/errors';
import type { Span, TimeWindow, TraceSummary } from '../../core/model';
import { logView, type LogView } from './log-service';

export interface ChainServiceOptions {
  /** The configured business keys; `key` must be one of them. */
  businessKeys: string[];
  /** Most traces per chain (CHAIN_MAX_TRACES). */
  maxTraces: number;
  /** CHAIN_STAGES; empty = one stage per kind of entry trace. */
  stages: ChainStageRule[];
  /** Most spans loaded for one chain; traces past it are listed without spans and `truncated` is set. */
  maxSpans: number;
  /** Most spans loaded per chain when ranking slow chains (only the bottleneck is needed there). */
  maxSpansPerSlowChain: number;
  logsPerTrace: number;
  maxLogs: number;
  /** Window of /chains/slow when neither start nor end is given. */
  defaultSlowWindowUs: number;
}

export const CHAIN_DEFAULTS: Readonly<ChainServiceOptions> = Object.freeze({
  businessKeys: DEFAULT_CONFIG.businessKeys,
  maxTraces: DEFAULT_CONFIG.chainMaxTraces,
  stages: DEFAULT_CONFIG.chainStages,
  maxSpans: 50_000,
  maxSpansPerSlowChain: 10_000,
  logsPerTrace: 200,
  maxLogs: 2_000,
  defaultSlowWindowUs: 60 * 60 * 1_000_000,
});

/** Concurrent store reads per chain (ClickHouse answers in parallel; the embedded store is synchronous anyway). */
const READ_CONCURRENCY = 8;

/** A span on the chain's merged timeline (resource and events are left out: GET /api/traces/:id has them). */
export type ChainSpanView = Pick<
  Span,
  'traceId' | 'spanId' | 'parentSpanId' | 'service' | 'name' | 'kind' | 'startUs' | 'durationUs' | 'status' | 'attributes' | 'links'
>;

export interface ChainView {
  key: string;
  value: string;
  traceCount: number;
  /** The trace bound (CHAIN_MAX_TRACES) or the span cap cut the chain. */
  truncated: boolean;
  startUs: number;
  endUs: number;
  durationUs: number;
  traces: Array<TraceSummary & { stage: string }>;
  spans: ChainSpanView[];
  joins: ChainJoin[];
  stages: ChainStage[];
  waits: ChainWait[];
  criticalPath: ChainPathStep[];
  errors: ChainError[];
  bottleneck: Bottleneck | null;
  logs: LogView[];
  /** Some trace had more logs than its share of the log cap. */
  logsTruncated: boolean;
}

export interface SlowChainView {
  value: string;
  startUs: number;
  endUs: number;
  durationUs: number;
  traceCount: number;
  bottleneck: Bottleneck | null;
}

interface Assembly {
  traceIds: string[];
  summaries: TraceSummary[];
  chain: AssembledChain;
  truncated: boolean;
}

/**
 * Business call chains: everything that happened to one business-key value
 * across traces. Stores answer index reads (key → traces, trace → joins,
 * summaries, spans of a trace); the walk and the analysis are the pure
 * functions of core/analysis/chain*.ts, the same for every backend.
 */
export class ChainService {
  private readonly options: ChainServiceOptions;

  constructor(
    private readonly spans: SpanStore,
    private readonly logs: LogStore,
    options: Partial<ChainServiceOptions> = {},
  ) {
    this.options = { ...CHAIN_DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) };
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
      traces: summaries.map((s) => ({ ...s, stage: chain.traceStages.get(s.traceId) ?? '' })),
      spans: chain.spans.map(spanView),
      joins: chain.joins,
      stages: chain.stages,
      waits: chain.waits,
      criticalPath: chain.criticalPath,
      errors: chain.errors,
      bottleneck: chain.bottleneck,
      logs,
      logsTruncated,
    };
  }

  /**
   * The slowest chains whose key value was first seen in the window. The
   * store ranks values by the traces that carry the key directly; each of
   * the top `limit` is then assembled (linked traces included, spans capped)
   * for its end-to-end time and bottleneck, and the list is sorted by that.
   */
  async slowest(key: string, window: TimeWindow, limit: number): Promise<SlowChainView[]> {
    this.checkKey(key);
    const w =
      window.startUs === undefined && window.endUs === undefined
        ? { startUs: Date.now() * 1000 - this.options.defaultSlowWindowUs }
        : window;
    const ranked = await this.spans.slowestBusinessKeys(key, w, limit);
    const out = await mapLimited(ranked, 4, async (r): Promise<SlowChainView> => {
      const { summaries, chain } = await this.assemble(r.traceIds.slice(0, this.options.maxTraces), this.options.maxSpansPerSlowChain);
      return {
        value: r.value,
        startUs: Math.min(chain.startUs, r.startUs),
        endUs: Math.max(chain.endUs, r.endUs),
        durationUs: Math.max(chain.endUs, r.endUs) - Math.min(chain.startUs, r.startUs),
        traceCount: summaries.length,
        bottleneck: chain.bottleneck,
      };
    });
    return out.sort((a, b) => b.durationUs - a.durationUs || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  }

  private checkKey(key: string): void {
    if (!this.options.businessKeys.includes(key)) {
      throw new ValidationError(`key must be one of the configured business keys (${this.options.businessKeys.join(', ')}), got "${key}"`, 'key');
    }
  }

  private async assemble(seeds: string[], maxSpans: number): Promise<Assembly> {
    const walk = await walkChain(seeds, (ids) => this.spans.linkedTraces(ids), { maxTraces: this.options.maxTraces });
    const summaries: TraceSummary[] = [];
    for (let i = 0; i < walk.traceIds.length; i += 1_000) {
      summaries.push(...(await this.spans.traceSummaries(walk.traceIds.slice(i, i + 1_000))));
    }
    summaries.sort((a, b) => a.startUs - b.startUs || (a.traceId < b.traceId ? -1 : 1));
    // whole traces within the span budget, earliest first; the rest are shown by their summaries
    let budget = maxSpans;
    let truncated = walk.truncated;
    const load: string[] = [];
    for (const s of summaries) {
      if (s.spanCount <= budget) {
        load.push(s.traceId);
        budget -= s.spanCount;
      } else truncated = true;
    }
    const loaded = new Map<string, Span[]>();
    await mapLimited(load, READ_CONCURRENCY, async (id) => loaded.set(id, await this.spans.getTrace(id)));
    const chain = assembleChain(
      summaries.map((summary) => ({ traceId: summary.traceId, spans: loaded.get(summary.traceId) ?? [], summary })),
      walk.joins,
      this.options.stages,
    );
    return { traceIds: walk.traceIds, summaries, chain, truncated };
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

/** Maps with at most `limit` calls in flight; results in input order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

import { CHAIN_READ_LIMITS } from '../../core/contracts/read-limits';
import {
  chainProfile,
  compareProfiles,
  profileFailed,
  typicalProfile,
  type ChainComparisonView,
  type ChainProfile,
  type ComparedOrder,
  type TypicalOrder,
} from '../../core/analysis/chain-compare';
import type { LogStore } from '../../core/contracts/log-store';
import type { SpanStore } from '../../core/contracts/span-store';
import { NotFoundError } from '../../core/errors';
import { mapLimited } from '../../core/util/map-limited';
import { CHAIN_DEFAULTS, ChainService, type ChainServiceOptions, type ChainView } from './chain-service';

export interface ChainCompareOptions {
  /** A typical order is made of the orders first seen in this long before the compared one ended. */
  typicalWindowUs: number;
  /** Most orders whose chains make a typical one (an even spread over the store's ranking of the window). */
  maxTypicalOrders: number;
  /** Most key values asked of the store's ranking (slowestBusinessKeys); a fuller window is narrowed to its latest part. */
  maxTypicalCandidates: number;
  /** Most spans loaded for all the chains of one typical order together. */
  maxTypicalSpans: number;
}

export const CHAIN_COMPARE_DEFAULTS: Readonly<ChainCompareOptions> = Object.freeze({
  typicalWindowUs: 60 * 60 * 1_000_000,
  maxTypicalOrders: 200,
  // as many as a store ranks in one call
  maxTypicalCandidates: CHAIN_READ_LIMITS.slowestKeys,
  maxTypicalSpans: 200_000,
});

/** Halvings of the window when the store's ranking comes back full (the hour held more orders than it ranks). */
const MAX_NARROWINGS = 4;
const READ_CONCURRENCY = 4;

/**
 * "Compare with…": one order against another, or against a typical order of
 * the same journey (the orders first seen in the hour before it ended whose
 * chains went through the same stages — for a failed order, began with its
 * stages — median per row, of those that did not fail while there are any). Chains come from
 * ChainService, so both sides are assembled exactly as the chain page's;
 * the comparison itself is core/analysis/chain-compare.ts.
 */
export class ChainCompareService {
  private readonly options: ChainCompareOptions;
  /** Chains as the chain page assembles them; logs are not needed here (the service reads one line per trace at most). */
  private readonly chains: ChainService;
  /** The same, with a smaller span cap per chain, for the orders of a typical one. */
  private readonly typicalChains: ChainService;

  constructor(
    private readonly spans: SpanStore,
    logs: LogStore,
    chainOptions: Partial<ChainServiceOptions> = {},
    options: Partial<ChainCompareOptions> = {},
  ) {
    this.options = { ...CHAIN_COMPARE_DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) };
    const defined = Object.fromEntries(Object.entries(chainOptions).filter(([, v]) => v !== undefined)) as Partial<ChainServiceOptions>;
    const noLogs = { logsPerTrace: 0, maxLogs: 0 };
    this.chains = new ChainService(spans, logs, { ...defined, ...noLogs });
    this.typicalChains = new ChainService(spans, logs, {
      ...defined,
      ...noLogs,
      maxSpans: Math.min(defined.maxSpans ?? CHAIN_DEFAULTS.maxSpans, defined.maxSpansPerSlowChain ?? CHAIN_DEFAULTS.maxSpansPerSlowChain),
    });
  }

  /** Compares order `a` with order `b`, or with a typical order when `b` is undefined. */
  async compare(key: string, a: string, b: string | undefined): Promise<ChainComparisonView> {
    const chainA = await this.chains.chain(key, a, {});
    const profileA = chainProfile(chainA);
    if (b !== undefined) {
      const chainB = await this.chains.chain(key, b, {});
      return { key, ...compareProfiles(profileA, chainProfile(chainB)), a: compared(chainA, profileA), b: compared(chainB, chainProfile(chainB)), typical: null };
    }
    const { profile, typical } = await this.typical(key, chainA, profileA);
    return { key, ...compareProfiles(profileA, profile), a: compared(chainA, profileA), b: null, typical };
  }

  private async typical(key: string, a: ChainView, profileA: ChainProfile): Promise<{ profile: ChainProfile; typical: TypicalOrder }> {
    const { typicalWindowUs, maxTypicalOrders, maxTypicalCandidates, maxTypicalSpans } = this.options;
    const aFailed = profileFailed(profileA);
    const endUs = a.endUs;
    let startUs = endUs - typicalWindowUs;
    let ranked = await this.spans.slowestBusinessKeys(key, { startUs, endUs }, maxTypicalCandidates);
    // a full ranking is the slowest part of the window only: its latest part, ranked whole, is a fairer sample
    for (let i = 0; i < MAX_NARROWINGS && ranked.length >= maxTypicalCandidates; i++) {
      startUs = endUs - Math.floor((endUs - startUs) / 2);
      ranked = await this.spans.slowestBusinessKeys(key, { startUs, endUs }, maxTypicalCandidates);
    }
    const others = evenSpread(
      ranked.filter((r) => r.value !== a.value),
      maxTypicalOrders,
    );
    let budget = maxTypicalSpans;
    const profiles = await mapLimited(others, READ_CONCURRENCY, async (r) => {
      if (budget <= 0) return null;
      const chain = await this.typicalChains.chain(key, r.value, {}).catch((err: unknown) => {
        // gone since the ranking (retention): not part of the journey any more
        if (err instanceof NotFoundError) return null;
        throw err;
      });
      if (!chain) return null;
      budget -= chain.spans.length;
      const profile = chainProfile(chain);
      return sameJourney(profile.stages, profileA.stages, aFailed) ? profile : null;
    });
    const journey = profiles.filter((p): p is ChainProfile => p !== null);
    const healthy = journey.filter((p) => !profileFailed(p));
    const typicalOrders = healthy.length > 0 ? healthy : journey;
    const profile = typicalProfile(typicalOrders);
    if (!profile) {
      throw new NotFoundError(
        `no other ${key} first seen in the hour before ${a.value} ended went through the same stages (${profileA.stages.join(' → ')})`,
      );
    }
    const failedLeftOut = journey.length - typicalOrders.length;
    return { profile, typical: { orders: typicalOrders.length, sampled: others.length, failedLeftOut, startUs, endUs, stages: profile.stages } };
  }
}

function compared(chain: ChainView, profile: ChainProfile): ComparedOrder {
  return {
    value: chain.value,
    startUs: chain.startUs,
    endUs: chain.endUs,
    traceCount: chain.traceCount,
    truncated: chain.truncated,
    stages: profile.stages,
  };
}

/**
 * Is an order with `stages` of the same journey as order a? The same stages in the same order;
 * where a failed, also an order that went on past where a stopped (a's stages begin its own).
 */
function sameJourney(stages: readonly string[], aStages: readonly string[], aFailed: boolean): boolean {
  if (aFailed ? stages.length < aStages.length : stages.length !== aStages.length) return false;
  return aStages.every((s, i) => s === stages[i]);
}

/** At most `n` items spread evenly over the list (a ranking's quantiles stay where they were). */
function evenSpread<T>(items: readonly T[], n: number): T[] {
  if (items.length <= n) return [...items];
  return Array.from({ length: n }, (_, i) => items[Math.floor((i * items.length) / n)]);
}

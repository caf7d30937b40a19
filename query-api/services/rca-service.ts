import type { SpanStore } from '../../core/contracts/span-store';
import type { TimeWindow } from '../../core/model';
import { operationKey, rankRootCauses, type RootCauseCandidate } from '../../core/analysis/root-cause';
import type { ChainService } from './chain-service';

/** Baselines of the chain's operations: their p50 over this long before the chain started. */
export const RCA_BASELINE_WINDOW_US = 60 * 60_000_000;
/** Store reads at a time. */
const READS_IN_FLIGHT = 4;

/** GET /api/rca */
export interface RcaAnswer {
  key: string;
  value: string;
  durationUs: number;
  errorCount: number;
  /** Most likely cause first, at most 10, each with its evidence. */
  candidates: RootCauseCandidate[];
}

/**
 * Root-cause ranking of one business chain (core/analysis/root-cause.ts): the
 * chain as GET /api/chains assembles it, and the usual p50 of each of its
 * services' operations over the hour before it, from the per-minute roll-ups.
 */
export class RcaService {
  constructor(
    private readonly chains: ChainService,
    private readonly spans: SpanStore,
  ) {}

  async rank(key: string, value: string, window: TimeWindow): Promise<RcaAnswer> {
    const chain = await this.chains.chain(key, value, window);
    const baselineWindow = { startUs: Math.max(1, chain.startUs - RCA_BASELINE_WINDOW_US), endUs: Math.max(1, chain.startUs - 1) };
    const services = [...new Set(chain.spans.map((s) => s.service))];
    const baselines = new Map<string, { p50Ms: number }>();
    for (let i = 0; i < services.length; i += READS_IN_FLIGHT) {
      const stats = await Promise.all(
        services.slice(i, i + READS_IN_FLIGHT).map((s) => this.spans.serviceStats(s, baselineWindow, Math.ceil((baselineWindow.endUs - baselineWindow.startUs + 1) / 60_000_000) * 60_000_000)),
      );
      for (const s of stats) for (const op of s.operations) if (op.p50Ms !== null) baselines.set(operationKey(s.service, op.name), { p50Ms: op.p50Ms });
    }
    return { key, value, durationUs: chain.durationUs, errorCount: chain.errorCount, candidates: rankRootCauses(chain, baselines) };
  }
}

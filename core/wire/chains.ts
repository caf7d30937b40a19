import type { AssembledChain } from '../analysis/chain';
import type { ChainTiming } from '../analysis/chain-waits';
import type { Span, TraceSummary } from '../model';
import type { LogView } from './logs';

export type { ChainError, ChainJoin, ChainWait } from '../analysis/chain';
export type { Bottleneck } from '../analysis/chain-bottleneck';
export type { ChainPathStep, ChainSpanStep, ChainWaitStep } from '../analysis/chain-critical-path';
export type { ChainStage } from '../analysis/chain-stages';
export type { ChainTiming, WaitKind } from '../analysis/chain-waits';
export type { ChainComparisonView, CompareRow, CompareRowKind, ComparedOrder, TypicalOrder } from '../analysis/chain-compare';

/** A span on the chain's merged timeline (resource and events are left out: GET /api/traces/:id has them). */
export type ChainSpanView = Pick<
  Span,
  'traceId' | 'spanId' | 'parentSpanId' | 'service' | 'name' | 'kind' | 'startUs' | 'durationUs' | 'status' | 'attributes' | 'links'
>;

/** A trace of a chain with the stage it belongs to. */
export type ChainTraceView = TraceSummary & { stage: string };

/** GET /api/chains: the assembled chain (core/analysis/chain.ts) with its key, traces, spans as the timeline shows them, and logs. */
export interface ChainView extends Omit<AssembledChain, 'traceStages' | 'spans'> {
  key: string;
  value: string;
  traceCount: number;
  /** The trace bound (CHAIN_MAX_TRACES) or the span cap cut the chain. */
  truncated: boolean;
  traces: ChainTraceView[];
  spans: ChainSpanView[];
  logs: LogView[];
  /** Some trace had more logs than its share of the log cap. */
  logsTruncated: boolean;
}

/** A row of GET /api/chains/slow: the timing, the error count and the bottleneck of an assembled chain. */
export interface SlowChainView extends Pick<AssembledChain, keyof ChainTiming | 'startUs' | 'endUs' | 'errorCount' | 'bottleneck'> {
  value: string;
  traceCount: number;
}

/** GET /api/chains/slow */
export interface SlowChainsAnswer {
  chains: SlowChainView[];
}

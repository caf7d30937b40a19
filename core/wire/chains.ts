import type { ChainError, ChainJoin, ChainWait } from '../analysis/chain';
import type { Bottleneck } from '../analysis/chain-bottleneck';
import type { ChainPathStep } from '../analysis/chain-critical-path';
import type { ChainStage } from '../analysis/chain-stages';
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

/** GET /api/chains */
export interface ChainView extends ChainTiming {
  key: string;
  value: string;
  traceCount: number;
  /** The trace bound (CHAIN_MAX_TRACES) or the span cap cut the chain. */
  truncated: boolean;
  startUs: number;
  endUs: number;
  durationUs: number;
  traces: ChainTraceView[];
  spans: ChainSpanView[];
  joins: ChainJoin[];
  stages: ChainStage[];
  waits: ChainWait[];
  criticalPath: ChainPathStep[];
  errors: ChainError[];
  errorCount: number;
  bottleneck: Bottleneck | null;
  logs: LogView[];
  /** Some trace had more logs than its share of the log cap. */
  logsTruncated: boolean;
}

/** A row of GET /api/chains/slow */
export interface SlowChainView extends ChainTiming {
  value: string;
  startUs: number;
  endUs: number;
  traceCount: number;
  errorCount: number;
  /** Null only for a chain with no trace at all. */
  bottleneck: Bottleneck | null;
}

/** GET /api/chains/slow */
export interface SlowChainsAnswer {
  chains: SlowChainView[];
}

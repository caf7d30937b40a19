import { topMessages } from '../analysis/log-messages';
import type { LogRecord } from '../model';
import type { LogMessageRow } from '../wire';
import type { HistogramBucket } from './log-store';
import { checkLimit, LOG_READ_LIMITS } from './read-limits';

/** How much one LogStore.bursts read returns: the top `services` services, each with its top `messages` messages. */
export interface BurstLimits {
  services: number;
  messages: number;
}

/** One service's matching records over the window (LogStore.bursts). */
export interface ServiceBurst {
  service: string;
  /** Matching records of the service in the window. */
  count: number;
  /** Non-empty buckets of the service's matching records, oldest first, counted by severity group. */
  buckets: HistogramBucket[];
  /**
   * Distinct bodies (cut to 300 characters) among the service's newest LOG_READ_LIMITS.burstSample matching
   * records (time, then id, descending), most frequent first, the newest of equals first.
   */
  messages: LogMessageRow[];
}

/** `limits` checked: non-negative whole numbers, lowered to LOG_READ_LIMITS.burstServices / burstMessages. */
export function checkBurstLimits(limits: BurstLimits): BurstLimits {
  return {
    services: checkLimit(limits.services, LOG_READ_LIMITS.burstServices, 'services'),
    messages: checkLimit(limits.messages, LOG_READ_LIMITS.burstMessages, 'messages'),
  };
}

/** A service's messages from its newest matching records (newest first, at most LOG_READ_LIMITS.burstSample). */
export function burstMessages(newest: readonly Pick<LogRecord, 'body' | 'service' | 'severityText' | 'timeUs' | 'traceId'>[], max: number): LogMessageRow[] {
  if (max === 0) return [];
  const sample = newest.slice(0, LOG_READ_LIMITS.burstSample).map((r) => ({ body: r.body, service: r.service, severity: r.severityText, timeUs: r.timeUs, traceId: r.traceId }));
  return topMessages(sample, max);
}

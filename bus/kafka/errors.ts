import { BackendUnavailableError, ChainscopeError, PayloadTooLargeError } from '../../core/errors';

/** Kafka's default `message.max.bytes` (1 MiB + record overhead): the limit we report when the broker says "too large". */
export const KAFKA_DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;

const TOO_LARGE = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE']);
const REBALANCING = new Set(['REBALANCE_IN_PROGRESS', 'NOT_COORDINATOR_FOR_GROUP', 'NOT_COORDINATOR', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID']);

interface KafkaJsErrorLike {
  name?: string;
  message?: string;
  type?: string;
  retriable?: boolean;
  cause?: unknown;
}

/** The error itself and its `cause` chain (kafkajs wraps retried errors in KafkaJSNumberOfRetriesExceeded). */
export function errorChain(err: unknown): KafkaJsErrorLike[] {
  const out: KafkaJsErrorLike[] = [];
  let e: unknown = err;
  while (e && typeof e === 'object' && out.length < 10) {
    out.push(e as KafkaJsErrorLike);
    e = (e as KafkaJsErrorLike).cause;
  }
  return out;
}

/** A group-membership change: kafkajs must re-join, so the error has to reach it. */
export function isRebalanceError(err: unknown): boolean {
  return errorChain(err).some((e) => (e.type !== undefined && REBALANCING.has(e.type)) || e.name === 'KafkaJSStaleTopicMetadataAssignment');
}

function describe(err: unknown): string {
  const chain = errorChain(err);
  if (chain.length === 0) return String(err);
  const root = chain[chain.length - 1];
  const top = chain[0];
  const text = top === root ? `${top.message}` : `${top.message} (${root.message})`;
  return text;
}

/**
 * Maps whatever kafkajs (or a deadline) threw to our domain errors: a record
 * the broker refuses for size is permanent (413 at the collector); everything
 * else — refused connections, timeouts, leader elections, authorization while
 * an operator fixes ACLs — is retriable BackendUnavailableError (503 +
 * Retry-After). Our own errors pass through unchanged.
 */
export function toBusError(err: unknown, action: string, maxMessageBytes = KAFKA_DEFAULT_MAX_MESSAGE_BYTES): ChainscopeError {
  if (err instanceof ChainscopeError) return err;
  if (errorChain(err).some((e) => e.type !== undefined && TOO_LARGE.has(e.type))) {
    return new PayloadTooLargeError(`kafka: ${action}: broker refused the record as too large: ${describe(err)}`, maxMessageBytes);
  }
  return new BackendUnavailableError(`kafka: ${action} failed: ${describe(err)}`, err);
}

/** Thrown when an operation passes its deadline; kafkajs may still finish it in the background. */
export class KafkaDeadlineError extends Error {
  constructor(action: string, ms: number) {
    super(`${action} did not finish within ${ms} ms`);
    this.name = 'KafkaDeadlineError';
  }
}

/**
 * Resolves or rejects like `work`, but rejects with KafkaDeadlineError after
 * `ms`. A late rejection of `work` is swallowed (it has already been answered).
 */
export function withDeadline<T>(work: Promise<T>, ms: number, action: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new KafkaDeadlineError(action, ms)), ms);
    timer.unref();
    work.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e) => (clearTimeout(timer), reject(e)),
    );
  });
}

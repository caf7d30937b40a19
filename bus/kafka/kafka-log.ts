import { logLevel, type logCreator } from 'kafkajs';
import { RateLimitedLog } from '../../core/util/rate-limited-log';

/**
 * Lines about choices made on purpose: publish bounds the idempotent
 * producer's retries (and replaces the producer after a failure) to answer
 * within requestTimeoutMs; duplicates from a retried publish are fine, the
 * stores are idempotent.
 */
const EXPECTED = ['Limiting retries for the idempotent producer may invalidate EoS guarantees'];

/**
 * Routes kafkajs' own log lines (warnings and errors only) through a
 * rate-limited log: a broker outage makes kafkajs log every retry of every
 * request, which must not flood the console.
 */
export function kafkaLogCreator(log: RateLimitedLog): logCreator {
  return () =>
    ({ namespace, level, log: entry }) => {
      if (level > logLevel.WARN) return;
      const { message, error } = entry as { message?: string; error?: unknown };
      if (message && EXPECTED.some((known) => message.startsWith(known))) return;
      const text = `kafka ${level === logLevel.ERROR ? 'error' : 'warning'} [${namespace}]: ${message ?? ''}${error ? ` (${error})` : ''}`;
      // Key on the namespace and the start of the message so distinct problems each get a line.
      log.warn(`kafkajs:${namespace}:${(message ?? '').slice(0, 40)}`, text);
    };
}

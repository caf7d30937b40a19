import { cutText } from '../log-normalise/attributes';
import type { InputLimits } from '../limits';

/** Distinct reject reasons kept per request: enough to tell a sender what is wrong, bounded. */
export const MAX_REJECT_REASONS = 5;

/**
 * Per-request bookkeeping shared by the decoders: rejected items with a bounded
 * list of distinct reasons, and a count of values cut or dropped to respect limits.
 */
export class DecodeReport {
  rejected = 0;
  truncated = 0;
  readonly rejectReasons: string[] = [];

  constructor(readonly limits: InputLimits) {}

  outcome(): { rejected: number; rejectReasons: string[]; truncated: number; modified: boolean } {
    return { rejected: this.rejected, rejectReasons: this.rejectReasons, truncated: this.truncated, modified: this.truncated > 0 };
  }

  reject(reason: string): void {
    this.rejected++;
    if (this.rejectReasons.length < MAX_REJECT_REASONS && !this.rejectReasons.includes(reason)) {
      this.rejectReasons.push(reason);
    }
  }

  /** `s` cut to `max` UTF-16 units (never splitting a surrogate pair), counting the cut. */
  cut(s: string, max: number): string {
    if (s.length <= max) return s;
    this.truncated++;
    return cutText(s, max);
  }
}

/** A problem with one span or log record: the item is rejected, the rest of the request goes on. */
export class ItemRejection extends Error {}

/** Sets `obj[key] = value` without letting a key named `__proto__` reach the prototype. */
export function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}

/** Resource attribute `service.name` when it is a non-empty string, else 'unknown_service'. */
export function serviceOf(resource: Record<string, unknown>): string {
  const name = resource['service.name'];
  return typeof name === 'string' && name !== '' ? name : 'unknown_service';
}

import type { TraceCursor, TraceSort } from '../core/contracts/trace-search';
import { TRACE_SORTS } from '../core/contracts/trace-search';

/** Longest trace id a cursor may carry (stored ids are 32 hex digits; room for odd ingest). */
const MAX_CURSOR_TRACE_ID = 128;

/**
 * The opaque `next` / `cursor` text of GET /api/traces: the sort it was made for and a store's
 * TraceCursor, as base64url JSON. The route writes it from the last hit and reads it back.
 */
export function encodeTraceCursor(sort: TraceSort, cursor: TraceCursor): string {
  return Buffer.from(JSON.stringify([sort, cursor.key, cursor.traceId]), 'utf8').toString('base64url');
}

/** The sort and cursor `text` holds, or undefined when it is not one this API wrote. */
export function decodeTraceCursor(text: string): { sort: TraceSort; cursor: TraceCursor } | undefined {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(value) &&
      value.length === 3 &&
      (TRACE_SORTS as readonly unknown[]).includes(value[0]) &&
      Number.isSafeInteger(value[1]) &&
      (value[1] as number) >= 0 &&
      typeof value[2] === 'string' &&
      value[2].length > 0 &&
      value[2].length <= MAX_CURSOR_TRACE_ID &&
      !value[2].includes('\0')
    ) {
      return { sort: value[0] as TraceSort, cursor: { key: value[1] as number, traceId: value[2] } };
    }
  } catch {
    // not JSON: not ours
  }
  return undefined;
}

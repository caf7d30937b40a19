import type { LogCursor } from '../core/contracts/log-store';

/**
 * The opaque `nextCursor` / `cursor` text of /api/logs: a store's LogCursor as
 * base64url JSON. The log service writes it, the request parser reads it back.
 */
export function encodeLogCursor(cursor: LogCursor): string {
  return Buffer.from(JSON.stringify([cursor.timeUs, cursor.id]), 'utf8').toString('base64url');
}

/** The cursor `text` holds, or undefined when it is not one this API wrote. */
export function decodeLogCursor(text: string): LogCursor | undefined {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && value.length === 2 && Number.isSafeInteger(value[0]) && typeof value[1] === 'string') {
      return { timeUs: value[0] as number, id: value[1] as string };
    }
  } catch {
    // not JSON: not ours
  }
  return undefined;
}

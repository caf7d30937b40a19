import { BackendUnavailableError, ChainscopeError } from '../../core/errors';

/**
 * Server error codes that say "try again later", not "this query is wrong":
 * timeouts, overload, memory pressure, too many parts, network trouble
 * between servers, read-only replicas, keeper trouble.
 */
export const RETRIABLE_SERVER_CODES: ReadonlySet<number> = new Set([
  3, // UNEXPECTED_END_OF_FILE (connection cut mid-answer)
  159, // TIMEOUT_EXCEEDED
  160, // TOO_SLOW
  164, // READONLY
  202, // TOO_MANY_SIMULTANEOUS_QUERIES
  203, // NO_FREE_CONNECTION
  209, // SOCKET_TIMEOUT
  210, // NETWORK_ERROR
  236, // ABORTED
  241, // MEMORY_LIMIT_EXCEEDED
  242, // TABLE_IS_READ_ONLY
  252, // TOO_MANY_PARTS
  285, // TOO_FEW_LIVE_REPLICAS
  319, // UNKNOWN_STATUS_OF_INSERT
  425, // SYSTEM_ERROR
  999, // KEEPER_EXCEPTION
]);

/**
 * The server error code in a failure, or undefined when the failure did not
 * come from a ClickHouse answer. Current servers' errors are parsed by the
 * client (ClickHouseError.code); 18.16's text ("Code: 81, e.displayText() =
 * DB::Exception: ...") does not match the client's pattern and arrives as a
 * plain Error, so the code is read from the message.
 */
export function serverErrorCode(err: unknown): number | undefined {
  if (!(err instanceof Error)) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && /^\d+$/.test(code)) return Number(code);
  const m = /^\s*Code: (\d+)[,.]/.exec(err.message);
  return m ? Number(m[1]) : undefined;
}

/**
 * Maps a client failure to a domain error. No server answer (connection
 * refused or reset, timeout, a proxy's 5xx page) and the retriable server
 * codes become BackendUnavailableError; any other server error means the
 * query or data is wrong and is not retriable. (ClickHouse answers most
 * failures with HTTP 500, so the status alone cannot tell the two apart.)
 */
export function toStoreError(what: string, err: unknown): ChainscopeError {
  if (err instanceof ChainscopeError) return err;
  const message = `clickhouse ${what}: ${firstLine(err)}`;
  // our own bugs and unparsable answers are not cured by retrying
  if (err instanceof TypeError || err instanceof RangeError || err instanceof SyntaxError) {
    return new ChainscopeError(message, false);
  }
  const code = serverErrorCode(err);
  if (code === undefined || RETRIABLE_SERVER_CODES.has(code)) return new BackendUnavailableError(message, err);
  return new ChainscopeError(message, false);
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const line = text.split('\n', 1)[0];
  return line.length > 500 ? `${line.slice(0, 500)}…` : line;
}

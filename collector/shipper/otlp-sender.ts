import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { encodeLogsRequestProto } from '../../core/otlp';
import type { LogRecord } from '../../core/model';
import { backoffDelayMs, sleep } from '../../core/util/backoff';

const gzip = promisify(zlib.gzip);

export interface SenderOptions {
  /** Collector base URL, e.g. http://127.0.0.1:4318 (`/v1/logs` is appended). */
  endpoint: string;
  timeoutMs: number;
  /** Backoff ceiling between retries. */
  maxBackoffMs: number;
  /** Authorization header value (Bearer <token>) when the collector asks for one (AUTH=tokens). */
  authorization?: string;
  /** Called before each wait between attempts (for counters and the status line). */
  onRetry?: (reason: string, delayMs: number) => void;
}

export type SendOutcome = { ok: true } | { ok: false; permanent: true; reason: string };

/** Statuses worth retrying (OTLP/HTTP spec: 429, 502, 503, 504), plus 408 and 500. */
const RETRIABLE = new Set([408, 429, 500, 502, 503, 504]);

/**
 * Sends log records as one OTLP/HTTP protobuf request, gzip-compressed.
 * Retries network errors and retriable statuses with exponential backoff and
 * full jitter (honouring Retry-After) until accepted or `signal` aborts;
 * while it retries, the caller reads nothing more, so memory stays bounded.
 * A permanent refusal (400, 413…) is returned, not retried.
 */
export class OtlpLogSender {
  private readonly url: string;

  constructor(private readonly options: SenderOptions) {
    this.url = `${options.endpoint.replace(/\/+$/, '')}/v1/logs`;
  }

  /** Protobuf, gzip level 1 (on loopback and LANs speed matters more than the last bytes); compressed off the main thread. */
  async encode(records: readonly LogRecord[]): Promise<Buffer> {
    const proto = encodeLogsRequestProto(records);
    // One output chunk for the whole body: the default 16 KiB chunks cost a callback into JS each.
    return gzip(proto, { level: 1, chunkSize: Math.max(64 * 1024, Math.min(proto.length, 8 * 1024 * 1024)) });
  }

  /** Resolves once the collector answered 2xx, with a permanent refusal, or (aborted) with `undefined`. */
  async send(body: Buffer, signal: AbortSignal): Promise<SendOutcome | undefined> {
    for (let attempt = 0; !signal.aborted; attempt++) {
      let reason: string;
      let retryAfterMs = 0;
      try {
        const res = await fetch(this.url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip', ...(this.options.authorization ? { authorization: this.options.authorization } : {}) },
          body,
          signal: AbortSignal.any([signal, AbortSignal.timeout(this.options.timeoutMs)]),
        });
        const text = await res.text().catch(() => '');
        if (res.status >= 200 && res.status < 300) return { ok: true };
        reason = `HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`;
        if (!RETRIABLE.has(res.status)) return { ok: false, permanent: true, reason };
        retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
      } catch (err) {
        if (signal.aborted) return undefined;
        const cause = (err as { cause?: { code?: string; errors?: { code?: string }[] } }).cause;
        reason = cause?.code ?? cause?.errors?.[0]?.code ?? (err as Error).message;
      }
      const delay = Math.min(this.options.maxBackoffMs, Math.max(retryAfterMs, backoffDelayMs(attempt, 200, this.options.maxBackoffMs)));
      this.options.onRetry?.(reason, delay);
      await sleep(delay, signal);
    }
    return undefined;
  }
}

/** Retry-After in seconds or as an HTTP date, as milliseconds (0 when absent or unreadable). */
export function parseRetryAfter(value: string | null): number {
  if (!value) return 0;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : 0;
}

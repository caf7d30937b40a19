import { BackendUnavailableError, ChainscopeError } from '../../core/errors';
import { Counters } from '../../core/metrics';
import { backoffDelayMs, sleep } from '../../core/util/backoff';
import type { BulkItemResult, BulkResponse, SearchTransport } from './transport';
import { SearchEngineResponseError } from './transport';

/**
 * Bulk writes with per-item error handling.
 *
 * - Op `create` with `_id` = LogRecord.id: a replayed record answers 409
 *   (version conflict), which means "already stored" and counts as written.
 *   `index` would rewrite the identical document and bump its version on every
 *   replay; `create` never overwrites and is also the only op data streams take.
 * - 429 (queue full, circuit breaker) and 5xx items are sent again, alone, after
 *   an exponential backoff with jitter, at most `maxAttempts` times in all; a
 *   whole-request 429/5xx answer is handled the same way for every item.
 * - Any other refusal (400 mapper_parsing_exception, strict mapping, id too
 *   long...) will never succeed: the document goes to `<prefix>-dlq` with the
 *   reason and is counted; the batch still succeeds.
 * - No answer at all (connection refused, reset, timeout) throws
 *   BackendUnavailableError for the whole call; so does a retriable item still
 *   refused after the last attempt. The caller (ingest) retries the batch, which
 *   is safe because writes are idempotent.
 */
export interface BulkRetryOptions {
  /** Attempts per item, first one included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Upper bound of one request body; a batch is split into requests below it. */
  maxRequestBytes: number;
}

export const DEFAULT_BULK_RETRY: BulkRetryOptions = {
  maxAttempts: 5,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  maxRequestBytes: 5 * 1024 * 1024,
};

export const SEARCH_COUNTERS = {
  written: 'chainscope_search_logs_written_total',
  duplicates: 'chainscope_search_logs_duplicate_total',
  retries: 'chainscope_search_bulk_item_retries_total',
  deadLettered: 'chainscope_search_logs_dead_lettered_total',
  deadLetterLost: 'chainscope_search_dead_letter_write_failures_total',
} as const;

export function describeSearchCounters(counters: Counters): void {
  counters.describe(SEARCH_COUNTERS.written, 'Log records newly stored in the search engine');
  counters.describe(SEARCH_COUNTERS.duplicates, 'Log records the search engine already had (replays)');
  counters.describe(SEARCH_COUNTERS.retries, 'Bulk items sent again after a 429 or 5xx answer');
  counters.describe(SEARCH_COUNTERS.deadLettered, 'Log records refused by the search engine and written to the dead-letter index');
  counters.describe(SEARCH_COUNTERS.deadLetterLost, 'Refused log records that could not be written to the dead-letter index either');
}

export type BulkOp = 'create' | 'index';

export interface BulkDocument {
  index: string;
  /** Document _id; omitted → the engine picks one. */
  id?: string;
  doc: unknown;
}

export interface DeadLetter {
  index: string;
  id?: string;
  status: number;
  errorType: string;
  reason: string;
  doc: unknown;
}

export interface BulkOutcome {
  written: number;
  duplicates: number;
  retried: number;
  deadLettered: DeadLetter[];
  /** Requests sent (a chunk counts once per attempt). */
  requests: number;
}

export function actionLine(op: BulkOp, d: BulkDocument): string {
  const meta: Record<string, string> = { _index: d.index };
  if (d.id !== undefined) meta._id = d.id;
  return JSON.stringify({ [op]: meta });
}

/** The NDJSON body for `docs`: action line then source line per document, each ending with \n. */
export function toNdjson(op: BulkOp, docs: BulkDocument[]): string {
  let out = '';
  for (const d of docs) out += `${actionLine(op, d)}\n${JSON.stringify(d.doc)}\n`;
  return out;
}

function describeError(item: BulkItemResult): { type: string; reason: string } {
  const e = item.error;
  if (!e) return { type: `http_${item.status}`, reason: `status ${item.status}` };
  const cause = e.caused_by?.reason ? ` (caused by ${e.caused_by.type ?? 'error'}: ${e.caused_by.reason})` : '';
  return { type: e.type ?? `http_${item.status}`, reason: `${e.reason ?? 'refused'}${cause}` };
}

function itemOf(entry: Record<string, BulkItemResult> | undefined): BulkItemResult | undefined {
  if (!entry) return undefined;
  for (const value of Object.values(entry)) return value;
  return undefined;
}

/**
 * Splits documents into chunks whose NDJSON stays under `maxBytes` (a single
 * larger document goes alone), one at a time: a chunk's body is built only
 * when the previous one has been sent, so one write holds one body at once.
 */
export function* chunkBySize(op: BulkOp, docs: BulkDocument[], maxBytes: number): Generator<{ docs: BulkDocument[]; body: string }> {
  let current: BulkDocument[] = [];
  let body = '';
  let bytes = 0;
  for (const d of docs) {
    const lines = `${actionLine(op, d)}\n${JSON.stringify(d.doc)}\n`;
    const size = Buffer.byteLength(lines);
    if (current.length > 0 && bytes + size > maxBytes) {
      yield { docs: current, body };
      current = [];
      body = '';
      bytes = 0;
    }
    current.push(d);
    body += lines;
    bytes += size;
  }
  if (current.length) yield { docs: current, body };
}

export class BulkWriter {
  private readonly retry: BulkRetryOptions;

  constructor(
    private readonly transport: SearchTransport,
    retry: Partial<BulkRetryOptions> = {},
    private readonly counters: Counters = new Counters(),
  ) {
    this.retry = { ...DEFAULT_BULK_RETRY, ...retry };
  }

  /**
   * Writes `docs` with `op`; returns what happened per item. Refused documents
   * are returned in `deadLettered` (the caller decides where they go).
   */
  async write(op: BulkOp, docs: BulkDocument[]): Promise<BulkOutcome> {
    const outcome: BulkOutcome = { written: 0, duplicates: 0, retried: 0, deadLettered: [], requests: 0 };
    let pending = docs;
    let lastProblem = '';
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= this.retry.maxAttempts) {
        throw new BackendUnavailableError(
          `search engine still refuses ${pending.length} of ${docs.length} documents after ${this.retry.maxAttempts} attempts: ${lastProblem}`,
        );
      }
      if (attempt > 0) {
        outcome.retried += pending.length;
        this.counters.add(SEARCH_COUNTERS.retries, pending.length);
        await sleep(Math.max(1, backoffDelayMs(attempt - 1, this.retry.baseDelayMs, this.retry.maxDelayMs)));
      }
      const again: BulkDocument[] = [];
      for (const chunk of chunkBySize(op, pending, this.retry.maxRequestBytes)) {
        outcome.requests++;
        let response: BulkResponse;
        try {
          response = await this.transport.bulk(chunk.body);
        } catch (err) {
          if (err instanceof SearchEngineResponseError && err.retriable) {
            lastProblem = err.message;
            again.push(...chunk.docs);
            continue;
          }
          throw err;
        }
        const items = response?.items;
        if (!Array.isArray(items) || items.length !== chunk.docs.length) {
          throw new ChainscopeError(
            `bulk answer has ${Array.isArray(items) ? items.length : 'no'} items for ${chunk.docs.length} documents`,
            true,
          );
        }
        chunk.docs.forEach((doc, i) => {
          const item = itemOf(items[i]);
          const status = item?.status ?? 0;
          if (status >= 200 && status < 300) {
            outcome.written++;
          } else if (status === 409 && op === 'create') {
            outcome.duplicates++;
          } else if (status === 429 || status >= 500 || status === 0) {
            const { type, reason } = item ? describeError(item) : { type: 'missing_item', reason: 'no result' };
            lastProblem = `${status} ${type}: ${reason}`;
            again.push(doc);
          } else {
            const { type, reason } = describeError(item!);
            outcome.deadLettered.push({ index: doc.index, id: doc.id, status, errorType: type, reason, doc: doc.doc });
          }
        });
      }
      pending = again;
    }
    return outcome;
  }
}

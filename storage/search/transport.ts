import { BackendUnavailableError, ChainscopeError } from '../../core/errors';

/**
 * What the shared search log store needs from an Elasticsearch or OpenSearch
 * client. A transport only moves requests: it never builds a query, a mapping
 * or an index name, and it returns response bodies as the engine sent them.
 *
 * Errors: an engine answer with a non-2xx status becomes a
 * SearchEngineResponseError (retriable for 429 and 5xx); a request that got no
 * answer (refused, reset, timed out, no living node) becomes a
 * BackendUnavailableError. `toTransportError` does that mapping for both clients.
 */
export interface SearchTransport {
  /** 'opensearch' | 'elasticsearch': shown in capabilities and messages. */
  readonly engine: string;
  info(): Promise<EngineInfo>;
  putIndexTemplate(name: string, body: object): Promise<void>;
  /** Deletes a composable index template; a missing one is not an error. */
  deleteIndexTemplate(name: string): Promise<void>;
  /** POST /_bulk with a complete NDJSON body (every line ends with \n). */
  bulk(ndjson: string): Promise<BulkResponse>;
  search(index: string, body: object): Promise<SearchResponse>;
  count(index: string, body: object): Promise<number>;
  refresh(index: string): Promise<void>;
  /** A document by id, or null when the index or the document does not exist. */
  get(index: string, id: string): Promise<GetResponse | null>;
  /** Names of the indices matching a wildcard pattern; [] when none. */
  listIndices(pattern: string): Promise<string[]>;
  /** Deletes indices by exact name (ES 8 refuses wildcard deletes by default); missing ones are ignored. */
  deleteIndices(names: string[]): Promise<void>;
  close(): Promise<void>;
}

export interface EngineInfo {
  distribution: string;
  version: string;
}

export interface BulkItemResult {
  _index?: string;
  _id?: string;
  status: number;
  result?: string;
  error?: { type?: string; reason?: string; caused_by?: { type?: string; reason?: string } };
}

export interface BulkResponse {
  errors: boolean;
  took?: number;
  /** One entry per action, in request order: `{ create: {...} }`, `{ index: {...} }`... */
  items: Record<string, BulkItemResult>[];
}

export interface SearchHit {
  _index: string;
  _id: string;
  _source?: unknown;
  sort?: unknown[];
}

export interface SearchResponse {
  hits: {
    total?: { value: number; relation: 'eq' | 'gte' } | number;
    hits: SearchHit[];
  };
}

export interface GetResponse {
  _index: string;
  _id: string;
  found: boolean;
  _source?: unknown;
}

/** The engine answered with an error status. */
export class SearchEngineResponseError extends ChainscopeError {
  constructor(
    message: string,
    readonly statusCode: number,
    readonly errorType: string | undefined,
  ) {
    super(message, statusCode === 429 || statusCode >= 500);
  }
}

/** Client-side errors that a retry will not fix. */
const PERMANENT_ERRORS = new Set(['ProductNotSupportedError', 'SerializationError', 'DeserializationError', 'ConfigurationError']);

/** Error class names of both clients' "no answer from the server" errors. */
const UNAVAILABLE_ERRORS = new Set(['ConnectionError', 'TimeoutError', 'NoLivingConnectionsError', 'RequestAbortedError']);

interface ClientErrorShape {
  name?: string;
  message?: string;
  meta?: { statusCode?: number; body?: unknown };
}

/**
 * Maps an error thrown by @elastic/elasticsearch or @opensearch-project/opensearch
 * (both descend from the same legacy client and share error names and `meta`).
 */
export function toTransportError(err: unknown, what: string): Error {
  if (err instanceof ChainscopeError) return err;
  const e = (err ?? {}) as ClientErrorShape;
  if (e.name && UNAVAILABLE_ERRORS.has(e.name)) {
    return new BackendUnavailableError(`${what}: search engine unreachable (${e.name}: ${e.message ?? ''})`, err);
  }
  if (e.name === 'ResponseError' && e.meta && typeof e.meta.statusCode === 'number') {
    const body = e.meta.body as { error?: { type?: string; reason?: string } | string } | undefined;
    const error = body?.error;
    const type = typeof error === 'object' ? error?.type : undefined;
    const reason = typeof error === 'object' ? error?.reason : typeof error === 'string' ? error : undefined;
    return new SearchEngineResponseError(
      `${what}: search engine answered ${e.meta.statusCode}${type ? ` ${type}` : ''}${reason ? `: ${reason}` : ''}`,
      e.meta.statusCode,
      type,
    );
  }
  if (e.name && PERMANENT_ERRORS.has(e.name)) {
    return new ChainscopeError(`${what}: ${e.name}: ${e.message ?? ''}`, false);
  }
  return new BackendUnavailableError(`${what}: ${e.message ?? String(err)}`, err);
}

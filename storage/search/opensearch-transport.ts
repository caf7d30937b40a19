import { Client } from '@opensearch-project/opensearch';
import type { ClientOptions } from '@opensearch-project/opensearch';
import { ClientTransport, type EngineAdapter, type SearchClient } from './client-transport';
import { SearchLogStore } from './log-store';
import type { SearchLogStoreOptions } from './log-store';

/** The official @opensearch-project/opensearch client wraps every answer as `{ body, statusCode, ... }`. */
const OPENSEARCH: EngineAdapter = {
  engine: 'opensearch',
  body: (response) => (response as { body?: unknown }).body,
  defaultDistribution: 'opensearch',
};

export interface OpenSearchConnectionOptions {
  url: string;
  username?: string;
  password?: string;
  /** Per request; default 30 s. */
  requestTimeoutMs?: number;
  /** Client-level retries on connection failure to other nodes; default 3. */
  maxRetries?: number;
  /** e.g. `{ ca, rejectUnauthorized }` for a private CA. */
  ssl?: ClientOptions['ssl'];
}

export function openSearchTransport(options: OpenSearchConnectionOptions): ClientTransport {
  const client = new Client({
    node: options.url,
    auth: options.username !== undefined ? { username: options.username, password: options.password ?? '' } : undefined,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    maxRetries: options.maxRetries ?? 3,
    ssl: options.ssl,
  });
  return new ClientTransport(client as unknown as SearchClient, OPENSEARCH);
}

/** A SearchLogStore on OpenSearch 2.x/3.x. */
export function openSearchLogStore(options: OpenSearchConnectionOptions & SearchLogStoreOptions): SearchLogStore {
  return new SearchLogStore(openSearchTransport(options), options);
}

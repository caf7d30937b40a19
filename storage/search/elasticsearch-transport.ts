import { Client } from '@elastic/elasticsearch';
import type { ClientOptions } from '@elastic/elasticsearch';
import { ClientTransport, type EngineAdapter, type SearchClient } from './client-transport';
import { SearchLogStore } from './log-store';
import type { SearchLogStoreOptions } from './log-store';

/**
 * The official @elastic/elasticsearch 8.x client returns bodies. It checks
 * `X-Elastic-Product: Elasticsearch` on every answer, so it cannot talk to
 * OpenSearch directly (use openSearchTransport there). Requests use the
 * `body` parameter, which 8.x sends verbatim (9.x drops it: spread the body
 * into the params there).
 */
const ELASTICSEARCH: EngineAdapter = {
  engine: 'elasticsearch',
  body: (response) => response,
  defaultDistribution: 'elasticsearch',
};

export interface ElasticsearchConnectionOptions {
  url: string;
  apiKey?: string;
  username?: string;
  password?: string;
  /** Per request; default 30 s. */
  requestTimeoutMs?: number;
  /** Client-level retries on connection failure to other nodes; default 3. */
  maxRetries?: number;
  tls?: ClientOptions['tls'];
}

export function elasticsearchTransport(options: ElasticsearchConnectionOptions): ClientTransport {
  const auth =
    options.apiKey !== undefined
      ? { apiKey: options.apiKey }
      : options.username !== undefined
        ? { username: options.username, password: options.password ?? '' }
        : undefined;
  const client = new Client({
    node: options.url,
    auth,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    maxRetries: options.maxRetries ?? 3,
    tls: options.tls,
  });
  return new ClientTransport(client as unknown as SearchClient, ELASTICSEARCH);
}

/** A SearchLogStore on Elasticsearch 8.x (and 9.x servers, which accept the 8.x client's compatible-with=8 requests). */
export function elasticsearchLogStore(options: ElasticsearchConnectionOptions & SearchLogStoreOptions): SearchLogStore {
  return new SearchLogStore(elasticsearchTransport(options), options);
}

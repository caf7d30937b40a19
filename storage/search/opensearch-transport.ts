import { Client } from '@opensearch-project/opensearch';
import type { ClientOptions } from '@opensearch-project/opensearch';
import { SearchLogStore } from './log-store';
import type { SearchLogStoreOptions } from './log-store';
import type { BulkResponse, EngineInfo, GetResponse, SearchResponse, SearchTransport } from './transport';
import { toTransportError } from './transport';

/** Index names per delete request: keeps the URL short. */
const DELETE_CHUNK = 50;

/**
 * SearchTransport over the official @opensearch-project/opensearch client.
 * Responses arrive as `{ body, statusCode, ... }`; only `body` is passed on.
 */
export class OpenSearchTransport implements SearchTransport {
  readonly engine = 'opensearch';

  constructor(private readonly client: Client) {}

  async info(): Promise<EngineInfo> {
    const { body } = await this.run('info', () => this.client.info());
    const version = (body as { version?: { number?: string; distribution?: string } }).version ?? {};
    return { distribution: version.distribution ?? 'opensearch', version: version.number ?? '' };
  }

  async putIndexTemplate(name: string, body: object): Promise<void> {
    await this.run('putIndexTemplate', () => this.client.indices.putIndexTemplate({ name, body: body as never }));
  }

  async deleteIndexTemplate(name: string): Promise<void> {
    try {
      await this.client.indices.deleteIndexTemplate({ name });
    } catch (err) {
      if ((err as { meta?: { statusCode?: number } }).meta?.statusCode === 404) return;
      throw toTransportError(err, 'opensearch deleteIndexTemplate');
    }
  }

  async bulk(ndjson: string): Promise<BulkResponse> {
    const { body } = await this.run('bulk', () => this.client.bulk({ body: ndjson as never }));
    return body as unknown as BulkResponse;
  }

  async search(index: string, body: object): Promise<SearchResponse> {
    const res = await this.run('search', () => this.client.search({ index, body: body as never }));
    return res.body as unknown as SearchResponse;
  }

  async count(index: string, body: object): Promise<number> {
    const res = await this.run('count', () => this.client.count({ index, body: body as never }));
    return (res.body as { count: number }).count;
  }

  async refresh(index: string): Promise<void> {
    await this.run('refresh', () =>
      this.client.indices.refresh({ index, ignore_unavailable: true, allow_no_indices: true, expand_wildcards: 'open' }),
    );
  }

  async get(index: string, id: string): Promise<GetResponse | null> {
    try {
      const res = await this.client.get({ index, id });
      return res.body as unknown as GetResponse;
    } catch (err) {
      if ((err as { meta?: { statusCode?: number } }).meta?.statusCode === 404) return null;
      throw toTransportError(err, 'opensearch get');
    }
  }

  async listIndices(pattern: string): Promise<string[]> {
    try {
      const res = await this.client.cat.indices({ index: pattern, format: 'json', h: ['index'], expand_wildcards: 'all' } as never);
      const rows = (res as { body?: unknown }).body as unknown as { index: string }[] | undefined;
      return (rows ?? []).map((r) => r.index).sort();
    } catch (err) {
      // an exact name (no wildcard) that does not exist
      if ((err as { meta?: { statusCode?: number } }).meta?.statusCode === 404) return [];
      throw toTransportError(err, 'opensearch listIndices');
    }
  }

  async deleteIndices(names: string[]): Promise<void> {
    for (let i = 0; i < names.length; i += DELETE_CHUNK) {
      const index = names.slice(i, i + DELETE_CHUNK).join(',');
      await this.run('deleteIndices', () => this.client.indices.delete({ index, ignore_unavailable: true }));
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  private async run<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toTransportError(err, `opensearch ${what}`);
    }
  }
}

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

export function openSearchTransport(options: OpenSearchConnectionOptions): OpenSearchTransport {
  const client = new Client({
    node: options.url,
    auth: options.username !== undefined ? { username: options.username, password: options.password ?? '' } : undefined,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    maxRetries: options.maxRetries ?? 3,
    ssl: options.ssl,
  });
  return new OpenSearchTransport(client);
}

/** A SearchLogStore on OpenSearch 2.x/3.x. */
export function openSearchLogStore(options: OpenSearchConnectionOptions & SearchLogStoreOptions): SearchLogStore {
  return new SearchLogStore(openSearchTransport(options), options);
}

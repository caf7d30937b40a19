import { Client } from '@elastic/elasticsearch';
import type { ClientOptions } from '@elastic/elasticsearch';
import { SearchLogStore } from './log-store';
import type { SearchLogStoreOptions } from './log-store';
import type { BulkResponse, EngineInfo, GetResponse, SearchResponse, SearchTransport } from './transport';
import { toTransportError } from './transport';

const DELETE_CHUNK = 50;

/**
 * SearchTransport over the official @elastic/elasticsearch 8.x client.
 * Responses arrive as bodies. The client checks `X-Elastic-Product:
 * Elasticsearch` on every answer, so this transport cannot talk to OpenSearch
 * (use OpenSearchTransport there). Requests use the `body` parameter, which
 * 8.x sends verbatim (9.x drops it: spread the body into the params there).
 */
export class ElasticsearchTransport implements SearchTransport {
  readonly engine = 'elasticsearch';

  constructor(private readonly client: Client) {}

  async info(): Promise<EngineInfo> {
    const body = await this.run('info', () => this.client.info());
    return { distribution: 'elasticsearch', version: body.version?.number ?? '' };
  }

  async putIndexTemplate(name: string, body: object): Promise<void> {
    await this.run('putIndexTemplate', () => this.client.indices.putIndexTemplate({ name, body: body as never }));
  }

  async deleteIndexTemplate(name: string): Promise<void> {
    try {
      await this.client.indices.deleteIndexTemplate({ name });
    } catch (err) {
      if ((err as { meta?: { statusCode?: number } }).meta?.statusCode === 404) return;
      throw toTransportError(err, 'elasticsearch deleteIndexTemplate');
    }
  }

  async bulk(ndjson: string): Promise<BulkResponse> {
    const body = await this.run('bulk', () => this.client.bulk({ body: ndjson as never }));
    return body as unknown as BulkResponse;
  }

  async search(index: string, body: object): Promise<SearchResponse> {
    const res = await this.run('search', () => this.client.search({ index, body: body as never }));
    return res as unknown as SearchResponse;
  }

  async count(index: string, body: object): Promise<number> {
    const res = await this.run('count', () => this.client.count({ index, body: body as never }));
    return res.count;
  }

  async refresh(index: string): Promise<void> {
    await this.run('refresh', () =>
      this.client.indices.refresh({ index, ignore_unavailable: true, allow_no_indices: true, expand_wildcards: 'open' }),
    );
  }

  async get(index: string, id: string): Promise<GetResponse | null> {
    try {
      return (await this.client.get({ index, id })) as unknown as GetResponse;
    } catch (err) {
      if ((err as { meta?: { statusCode?: number } }).meta?.statusCode === 404) return null;
      throw toTransportError(err, 'elasticsearch get');
    }
  }

  async listIndices(pattern: string): Promise<string[]> {
    try {
      const res = await this.client.cat.indices({ index: pattern, format: 'json', h: ['index'], expand_wildcards: 'all' } as never);
      const rows = res as unknown as { index: string }[] | undefined;
      return (rows ?? []).map((r) => r.index).sort();
    } catch (err) {
      // an exact name (no wildcard) that does not exist
      if ((err as { meta?: { statusCode?: number } }).meta?.statusCode === 404) return [];
      throw toTransportError(err, 'elasticsearch listIndices');
    }
  }

  async deleteIndices(names: string[]): Promise<void> {
    for (let i = 0; i < names.length; i += DELETE_CHUNK) {
      const index = names.slice(i, i + DELETE_CHUNK);
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
      throw toTransportError(err, `elasticsearch ${what}`);
    }
  }
}

export interface ElasticsearchConnectionOptions {
  url: string;
  apiKey?: string;
  username?: string;
  password?: string;
  requestTimeoutMs?: number;
  maxRetries?: number;
  tls?: ClientOptions['tls'];
}

export function elasticsearchTransport(options: ElasticsearchConnectionOptions): ElasticsearchTransport {
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
  return new ElasticsearchTransport(client);
}

/** A SearchLogStore on Elasticsearch 8.x (and 9.x servers, which accept the 8.x client's compatible-with=8 requests). */
export function elasticsearchLogStore(options: ElasticsearchConnectionOptions & SearchLogStoreOptions): SearchLogStore {
  return new SearchLogStore(elasticsearchTransport(options), options);
}

import type { BulkResponse, EngineInfo, GetResponse, SearchResponse, SearchTransport } from './transport';
import { toTransportError } from './transport';

/** Index names per delete request: keeps the URL short. */
const DELETE_CHUNK = 50;

/**
 * The calls this transport makes, as both official clients take them
 * (@opensearch-project/opensearch and @elastic/elasticsearch 8.x descend from
 * the same legacy client and share the API's shape). Their own types differ in
 * overloads and generics only, so each factory hands its client over as this.
 */
export interface SearchClient {
  info(): Promise<unknown>;
  bulk(params: { body: string }): Promise<unknown>;
  search(params: { index: string; body: object }): Promise<unknown>;
  count(params: { index: string; body: object }): Promise<unknown>;
  get(params: { index: string; id: string }): Promise<unknown>;
  indices: {
    putIndexTemplate(params: { name: string; body: object }): Promise<unknown>;
    deleteIndexTemplate(params: { name: string }): Promise<unknown>;
    refresh(params: { index: string; ignore_unavailable: boolean; allow_no_indices: boolean; expand_wildcards: string }): Promise<unknown>;
    delete(params: { index: string; ignore_unavailable: boolean }): Promise<unknown>;
  };
  cat: {
    indices(params: { index: string; format: string; h: string[]; expand_wildcards: string }): Promise<unknown>;
  };
  close(): Promise<unknown>;
}

/** What differs between the two clients, and nothing else. */
export interface EngineAdapter {
  /** 'opensearch' | 'elasticsearch': shown in capabilities and error messages. */
  readonly engine: string;
  /** The response body: OpenSearch's client wraps it (`{ body, statusCode, headers }`), Elasticsearch 8's returns it. */
  body(response: unknown): unknown;
  /** The distribution name when the info answer does not say (Elasticsearch's never does). */
  readonly defaultDistribution: string;
}

/**
 * SearchTransport over either official client: the requests are the same,
 * an EngineAdapter says how to read the answers.
 */
export class ClientTransport implements SearchTransport {
  readonly engine: string;

  constructor(
    private readonly client: SearchClient,
    private readonly adapter: EngineAdapter,
  ) {
    this.engine = adapter.engine;
  }

  async info(): Promise<EngineInfo> {
    const body = (await this.run('info', () => this.client.info())) as { version?: { number?: string; distribution?: string } };
    const version = body?.version ?? {};
    return { distribution: version.distribution ?? this.adapter.defaultDistribution, version: version.number ?? '' };
  }

  async putIndexTemplate(name: string, body: object): Promise<void> {
    await this.run('putIndexTemplate', () => this.client.indices.putIndexTemplate({ name, body }));
  }

  async deleteIndexTemplate(name: string): Promise<void> {
    await this.orNullWhenMissing('deleteIndexTemplate', () => this.client.indices.deleteIndexTemplate({ name }));
  }

  async bulk(ndjson: string): Promise<BulkResponse> {
    return (await this.run('bulk', () => this.client.bulk({ body: ndjson }))) as BulkResponse;
  }

  async search(index: string, body: object): Promise<SearchResponse> {
    return (await this.run('search', () => this.client.search({ index, body }))) as SearchResponse;
  }

  async count(index: string, body: object): Promise<number> {
    return ((await this.run('count', () => this.client.count({ index, body }))) as { count: number }).count;
  }

  async refresh(index: string): Promise<void> {
    await this.run('refresh', () =>
      this.client.indices.refresh({ index, ignore_unavailable: true, allow_no_indices: true, expand_wildcards: 'open' }),
    );
  }

  async get(index: string, id: string): Promise<GetResponse | null> {
    return (await this.orNullWhenMissing('get', () => this.client.get({ index, id }))) as GetResponse | null;
  }

  async listIndices(pattern: string): Promise<string[]> {
    // an exact name (no wildcard) that does not exist answers 404
    const rows = (await this.orNullWhenMissing('listIndices', () =>
      this.client.cat.indices({ index: pattern, format: 'json', h: ['index'], expand_wildcards: 'all' }),
    )) as { index: string }[] | null;
    return (rows ?? []).map((r) => r.index).sort();
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

  /** The answer's body; errors mapped by toTransportError. */
  private async run(what: string, call: () => Promise<unknown>): Promise<unknown> {
    try {
      return this.adapter.body(await call());
    } catch (err) {
      throw toTransportError(err, `${this.engine} ${what}`);
    }
  }

  /** As run, but a 404 answer is null. */
  private async orNullWhenMissing(what: string, call: () => Promise<unknown>): Promise<unknown> {
    try {
      return this.adapter.body(await call());
    } catch (err) {
      if ((err as { meta?: { statusCode?: number } }).meta?.statusCode === 404) return null;
      throw toTransportError(err, `${this.engine} ${what}`);
    }
  }
}

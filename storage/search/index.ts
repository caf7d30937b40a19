export { SearchLogStore } from './log-store';
export type { SearchLogStoreOptions, WriteReport } from './log-store';
export type {
  BulkItemResult,
  BulkResponse,
  EngineInfo,
  GetResponse,
  SearchHit,
  SearchResponse,
  SearchTransport,
} from './transport';
export { SearchEngineResponseError } from './transport';
export { openSearchLogStore, openSearchTransport } from './opensearch-transport';
export type { OpenSearchConnectionOptions } from './opensearch-transport';
export { elasticsearchLogStore, elasticsearchTransport } from './elasticsearch-transport';
export { ClientTransport } from './client-transport';
export type { EngineAdapter, SearchClient } from './client-transport';
export type { ElasticsearchConnectionOptions } from './elasticsearch-transport';
export { DEFAULT_INDEX_PREFIX, IndexNames } from './mappings';
export { DEFAULT_BULK_RETRY, SEARCH_COUNTERS } from './bulk';
export type { BulkRetryOptions } from './bulk';

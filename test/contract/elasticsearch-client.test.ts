import { describeWithEngines, ENGINE_ADDRESSES, uniqueName } from '../helpers/engines';
import { startElasticProductProxy, type ElasticProductProxy } from '../helpers/elastic-product-proxy';
import { elasticsearchLogStore } from '../../storage/search';
import { describeLogStoreContract } from './log-store.contract';

/**
 * The log-store contract through the Elasticsearch transport: the real
 * @elastic/elasticsearch 8 client against real OpenSearch, through a proxy
 * that only translates the media types and adds the product header the client
 * checks (no registry here serves a runnable Elasticsearch 8). The requests,
 * their bodies and the answers' handling are the Elasticsearch path's own.
 */
describeWithEngines(['opensearch'], 'Elasticsearch client log store (through a product-header proxy to OpenSearch)', () => {
  let proxy: ElasticProductProxy;
  beforeAll(async () => {
    proxy = await startElasticProductProxy(ENGINE_ADDRESSES.opensearch());
  });
  afterAll(async () => {
    // every request of the suite went through the proxy, i.e. through the Elasticsearch client
    expect(proxy.forwarded).toBeGreaterThan(0);
    await proxy.close();
  });

  describeLogStoreContract('elasticsearch', async () => {
    const store = elasticsearchLogStore({ url: proxy.url, indexPrefix: uniqueName('cs_es_contract'), numberOfReplicas: 0 });
    return {
      store,
      flush: () => store.refresh(),
      cleanup: async () => {
        await store.uninstall();
        await store.shutdown();
      },
    };
  });
});

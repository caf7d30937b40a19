import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { BackendUnavailableError, ChainscopeError } from '../../../../core/errors';
import { RateLimitedLog } from '../../../../core/util/rate-limited-log';
import { elasticsearchLogStore, elasticsearchTransport, SearchEngineResponseError } from '../../../../storage/search';
import { toDocument } from '../../../../storage/search/mappings';
import { makeLog } from '../../../contract/fixtures';

interface Recorded {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

type Reply = { status?: number; body: unknown; product?: boolean };

/**
 * A tiny stand-in for an Elasticsearch 8 node: records every request and
 * answers from a handler, with the X-Elastic-Product header the official
 * client insists on. The real @elastic/elasticsearch client talks to it.
 */
async function fakeElasticsearch(handle: (req: Recorded) => Reply) {
  const requests: Recorded[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(recorded);
      const reply = handle(recorded);
      const headers: Record<string, string> = { 'content-type': 'application/vnd.elasticsearch+json;compatible-with=8' };
      if (reply.product !== false) headers['x-elastic-product'] = 'Elasticsearch';
      res.writeHead(reply.status ?? 200, headers);
      res.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const INFO = { name: 'n1', cluster_name: 'c', version: { number: '8.19.1', build_flavor: 'default' }, tagline: 'You Know, for Search' };

function bulkAnswer(body: string, statusOf: (doc: Record<string, unknown>) => number) {
  const lines = body.trim().split('\n').map((l) => JSON.parse(l));
  const items = [];
  for (let i = 0; i < lines.length; i += 2) {
    const [op] = Object.keys(lines[i]);
    const status = statusOf(lines[i + 1]);
    items.push({
      [op]: {
        _index: lines[i][op]._index,
        _id: lines[i][op]._id ?? 'auto',
        status,
        ...(status >= 300 ? { error: { type: 'mapper_parsing_exception', reason: 'failed to parse field [time_us]' } } : { result: 'created' }),
      },
    });
  }
  return { took: 3, errors: items.some((it) => Object.values(it)[0].status >= 300), items };
}

describe('ElasticsearchTransport with the real @elastic/elasticsearch client', () => {
  it('sends the index templates, the bulk NDJSON and the search body, and parses the answers', async () => {
    const stored = makeLog({ id: 'log-1', service: 'checkout', body: 'payment declined "ORD-1"', traceId: 'a'.repeat(32) });
    const refused = makeLog({ id: 'log-2', service: 'checkout', timeUs: stored.timeUs + 1 });
    const es = await fakeElasticsearch((req) => {
      if (req.method === 'PUT' && req.url.startsWith('/_index_template/')) return { body: { acknowledged: true } };
      if (req.method === 'POST' && req.url.startsWith('/_bulk')) return { body: bulkAnswer(req.body, (d) => (d.id === 'log-2' ? 400 : 201)) };
      if (req.url.includes('/_search')) {
        return {
          body: {
            took: 1,
            timed_out: false,
            hits: {
              total: { value: 10_000, relation: 'gte' },
              hits: [{ _index: 'cs-2024.01.01', _id: 'log-1', _source: toDocument(stored), sort: [stored.timeUs, 'log-1'] }],
            },
          },
        };
      }
      if (req.url.startsWith('/_cat/indices')) return { body: [{ index: 'cs-2024.01.01' }] };
      if (req.method === 'GET' && req.url === '/') return { body: INFO };
      return { status: 404, body: { error: { type: 'index_not_found_exception', reason: 'no such index' }, status: 404 } };
    });
    const store = elasticsearchLogStore({ url: es.url, indexPrefix: 'cs', apiKey: 'c2VjcmV0', log: new RateLimitedLog(() => {}) });
    try {
      await store.writeLogs({ logs: [stored, refused], businessKeys: [] });

      const [logTemplate, dlqTemplate, bulk, dlqBulk] = es.requests;
      expect([logTemplate.method, logTemplate.url]).toEqual(['PUT', '/_index_template/cs']);
      const template = JSON.parse(logTemplate.body);
      expect(template.index_patterns).toEqual(['cs-*.*.*']);
      expect(template.template.mappings.dynamic).toBe('strict');
      expect(template.template.mappings.properties.body).toMatchObject({ type: 'text', analyzer: 'chainscope_body' });
      expect(template.template.mappings.properties.attributes).toEqual({ type: 'object', enabled: false });
      expect(template.template.settings.analysis.analyzer.chainscope_body.filter).toEqual(['lowercase', 'asciifolding']);
      expect([dlqTemplate.method, dlqTemplate.url]).toEqual(['PUT', '/_index_template/cs-dlq']);
      expect(logTemplate.headers.authorization).toBe('ApiKey c2VjcmV0');
      expect(logTemplate.headers.accept).toContain('compatible-with=8');

      expect([bulk.method, bulk.url]).toEqual(['POST', '/_bulk']);
      expect(bulk.headers['content-type']).toContain('x-ndjson');
      const lines = bulk.body.split('\n');
      expect(lines).toHaveLength(5); // 2 × (action, source) + the final newline
      expect(lines[4]).toBe('');
      const day = new Date(stored.timeUs / 1000).toISOString().slice(0, 10).replace(/-/g, '.');
      expect(JSON.parse(lines[0])).toEqual({ create: { _index: `cs-${day}`, _id: 'log-1' } });
      expect(JSON.parse(lines[1])).toEqual(toDocument(stored));
      expect(JSON.parse(lines[2])).toEqual({ create: { _index: expect.stringMatching(/^cs-\d{4}\.\d\d\.\d\d$/), _id: 'log-2' } });

      expect(dlqBulk.url).toBe('/_bulk');
      const dlqLines = dlqBulk.body.trim().split('\n').map((l) => JSON.parse(l));
      expect(dlqLines[0]).toEqual({ index: { _index: 'cs-dlq', _id: 'log-2' } });
      expect(dlqLines[1]).toMatchObject({ record_id: 'log-2', status: 400, error_type: 'mapper_parsing_exception', reason: 'failed to parse field [time_us]' });
      expect(store.lastWrite).toMatchObject({ written: 1, deadLettered: [{ id: 'log-2' }] });

      es.requests.length = 0;
      const result = await store.search({ service: 'checkout', text: { terms: ['*:*', 'declined'], phrases: ['") OR 1=1'] }, limit: 20 });
      expect(result).toEqual({ total: 10_000, totalIsLowerBound: true, logs: [stored] });
      const [search] = es.requests;
      expect([search.method, search.url]).toEqual(['POST', `/${encodeURIComponent('cs-*.*.*')}/_search`]);
      expect(JSON.parse(search.body)).toEqual({
        query: {
          bool: {
            filter: [
              { match_phrase: { body: { query: 'declined' } } },
              { match_phrase: { body: { query: '") OR 1=1' } } },
              { term: { service: { value: 'checkout' } } },
            ],
          },
        },
        sort: [{ time_us: { order: 'desc' } }, { id: { order: 'desc' } }],
        size: 20,
        track_total_hits: 10_000,
      });

      const transport = elasticsearchTransport({ url: es.url });
      expect(await transport.info()).toEqual({ distribution: 'elasticsearch', version: '8.19.1' });
      expect(await transport.listIndices('cs-*.*.*')).toEqual(['cs-2024.01.01']);
      expect(await transport.get('cs-dlq', 'nope')).toBeNull();
      const err = await transport.count('missing', { query: { match_all: {} } }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SearchEngineResponseError);
      expect(err).toMatchObject({ statusCode: 404, errorType: 'index_not_found_exception', retriable: false });
      await transport.close();
    } finally {
      await store.shutdown();
      await es.close();
    }
  });

  it('refuses a server without X-Elastic-Product with a permanent error', async () => {
    const notEs = await fakeElasticsearch(() => ({ body: INFO, product: false }));
    const transport = elasticsearchTransport({ url: notEs.url, maxRetries: 0 });
    try {
      const err = await transport.info().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ChainscopeError);
      expect(err).not.toBeInstanceOf(BackendUnavailableError);
      expect((err as ChainscopeError).retriable).toBe(false);
      expect((err as Error).message).toContain('ProductNotSupportedError');
    } finally {
      await transport.close();
      await notEs.close();
    }
  });

  it('maps 429/503 answers to retriable errors and a refused connection to BackendUnavailableError', async () => {
    const busy = await fakeElasticsearch(() => ({ status: 503, body: { error: { type: 'cluster_block_exception', reason: 'blocked' }, status: 503 } }));
    const transport = elasticsearchTransport({ url: busy.url, maxRetries: 0 });
    try {
      await expect(transport.search('x', {})).rejects.toMatchObject({ statusCode: 503, retriable: true });
    } finally {
      await transport.close();
      await busy.close();
    }
    const down = elasticsearchTransport({ url: busy.url, maxRetries: 0 });
    await expect(down.search('x', {})).rejects.toBeInstanceOf(BackendUnavailableError);
    await down.close();
  });
});

import fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { BusMessage } from '../../../../core/contracts/bus';
import { isRetriable } from '../../../../core/errors';
import { Counters } from '../../../../core/metrics';
import { encodeLogsRequestProto } from '../../../../core/otlp';
import { RateLimitedLog } from '../../../../core/util/rate-limited-log';
import { StoreBatchProcessor } from '../../../../ingest/batch-processor';
import { openEmbeddedStores, type EmbeddedStores } from '../../../../storage/embedded';
import { openSearchLogStore, SEARCH_COUNTERS } from '../../../../storage/search';
import { freePorts } from '../../../helpers/private-engines';
import { makeLog } from '../../../contract/fixtures';

/**
 * What the log write path does while OpenSearch is unavailable, with the real
 * @opensearch-project/opensearch client: against a closed port, and against a
 * stand-in node that answers as OpenSearch does while it starts or recovers
 * (503 cluster_block_exception for the whole request, 503
 * unavailable_shards_exception per item). Every case must end in a retriable
 * error with nothing written to the dead-letter index, so ingest hands the
 * batch back to Kafka instead of dead-lettering it.
 */

interface Node {
  url: string;
  /** Bulk request bodies received, in order. */
  bulks: string[];
  close(): Promise<void>;
}

type BulkMode = 'ok' | 'cluster_block' | 'unavailable_shards' | 'conflict';

async function standInNode(mode: () => BulkMode): Promise<Node> {
  const bulks: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const reply = (status: number, json: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(json));
      };
      if (!req.url?.startsWith('/_bulk')) return reply(200, { acknowledged: true });
      bulks.push(body);
      const m = mode();
      if (m === 'cluster_block') {
        return reply(503, { error: { type: 'cluster_block_exception', reason: 'blocked by: [SERVICE_UNAVAILABLE/1/state not recovered / initialized];' }, status: 503 });
      }
      const actions = body
        .trim()
        .split('\n')
        .filter((_, i) => i % 2 === 0)
        .map((l) => JSON.parse(l) as Record<string, { _index: string; _id?: string }>);
      const items = actions.map((a) => {
        const [op] = Object.keys(a);
        const meta = { _index: a[op]._index, _id: a[op]._id ?? 'auto' };
        if (m === 'unavailable_shards') {
          return { [op]: { ...meta, status: 503, error: { type: 'unavailable_shards_exception', reason: '[x][0] primary shard is not active Timeout: [1m]' } } };
        }
        if (m === 'conflict' && op === 'create') {
          return { [op]: { ...meta, status: 409, error: { type: 'version_conflict_engine_exception', reason: 'document already exists' } } };
        }
        return { [op]: { ...meta, status: 201, result: 'created' } };
      });
      reply(200, { took: 1, errors: m !== 'ok', items });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bulks,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const FAST = { baseDelayMs: 1, maxDelayMs: 2, maxAttempts: 3 };
const quiet = () => new RateLimitedLog(() => undefined);

function storeAt(url: string, counters = new Counters()) {
  return openSearchLogStore({ url, indexPrefix: 'outage-test', maxRetries: 0, requestTimeoutMs: 5_000, bulk: FAST, counters, log: quiet() });
}

const dlqWrites = (node: Node) => node.bulks.filter((b) => b.includes('"outage-test-dlq"')).length;

describe('log writes while OpenSearch is unavailable', () => {
  it('a closed port: writeLogs fails retriably', async () => {
    const [port] = await freePorts(1);
    const store = storeAt(`http://127.0.0.1:${port}`);
    try {
      const err = await store.writeLogs({ logs: [makeLog()], businessKeys: [] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      expect(isRetriable(err)).toBe(true);
      expect((err as Error).message).toMatch(/unreachable|ECONNREFUSED|ConnectionError/);
    } finally {
      await store.shutdown();
    }
  });

  it.each<[BulkMode, RegExp]>([
    ['cluster_block', /503 cluster_block_exception/],
    ['unavailable_shards', /unavailable_shards_exception/],
  ])('%s: fails retriably after its attempts, nothing dead-lettered', async (mode, message) => {
    const node = await standInNode(() => mode);
    const counters = new Counters();
    const store = storeAt(node.url, counters);
    try {
      const err = await store.writeLogs({ logs: [makeLog(), makeLog()], businessKeys: [] }).catch((e: unknown) => e);
      expect(isRetriable(err)).toBe(true);
      expect((err as Error).message).toMatch(message);
      expect(node.bulks).toHaveLength(FAST.maxAttempts);
      expect(dlqWrites(node)).toBe(0);
      expect(counters.get(SEARCH_COUNTERS.deadLettered)).toBe(0);
    } finally {
      await store.shutdown();
      await node.close();
    }
  });

  it('back again with the records already there: replays count as duplicates, not refusals', async () => {
    const node = await standInNode(() => 'conflict');
    const counters = new Counters();
    const store = storeAt(node.url, counters);
    try {
      await store.writeLogs({ logs: [makeLog(), makeLog()], businessKeys: [] });
      expect(store.lastWrite).toMatchObject({ written: 0, duplicates: 2, deadLettered: [] });
      expect(dlqWrites(node)).toBe(0);
    } finally {
      await store.shutdown();
      await node.close();
    }
  });
});

describe('ingest batches while OpenSearch is unavailable', () => {
  let dir: string;
  let embedded: EmbeddedStores;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-os-outage-'));
    embedded = openEmbeddedStores({ dataDir: dir });
  });

  afterEach(async () => {
    await embedded.spans.shutdown();
    await embedded.logs.shutdown();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the batch is handed back (retriable rejection, retry counted), never dead-lettered, and written once the node is back', async () => {
    let mode: BulkMode = 'cluster_block';
    const node = await standInNode(() => mode);
    const counters = new Counters();
    const logStore = storeAt(node.url);
    const processor = new StoreBatchProcessor({
      spanStore: embedded.spans,
      logStore,
      businessKeys: { attributeNames: ['order.id'], bodyPatterns: [] },
      batchSize: 1000,
      counters,
    });
    const messages: BusMessage[] = [0, 1, 2].map((i) => ({
      key: undefined,
      value: Buffer.from(encodeLogsRequestProto([makeLog({ body: `record ${i}`, attributes: { 'order.id': `ORD-${i}` } })])),
    }));
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        const err = await processor.process('logs', 'otlp_logs', messages).catch((e: unknown) => e);
        expect(isRetriable(err)).toBe(true);
      }
      expect(counters.get('chainscope_ingest_store_retries_total')).toBe(3);
      expect(counters.get('chainscope_ingest_logs_written_total')).toBe(0);
      expect(dlqWrites(node)).toBe(0);

      mode = 'ok';
      await expect(processor.process('logs', 'otlp_logs', messages)).resolves.toEqual([]);
      expect(counters.get('chainscope_ingest_logs_written_total')).toBe(3);
      expect(dlqWrites(node)).toBe(0);
    } finally {
      await logStore.shutdown();
      await node.close();
    }
  });
});

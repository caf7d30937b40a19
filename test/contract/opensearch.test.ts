import { describeWithEngines, ENGINE_ADDRESSES, uniqueName } from '../helpers/engines';
import { SearchLogStore, openSearchLogStore, openSearchTransport } from '../../storage/search';
import type { SearchTransport } from '../../storage/search';
import { BulkWriter } from '../../storage/search/bulk';
import { IndexNames, toDocument } from '../../storage/search/mappings';
import { RateLimitedLog } from '../../core/util/rate-limited-log';
import { describeLogStoreContract } from './log-store.contract';
import { BASE_US, logBatch, makeLog, newTraceId, uniq } from './fixtures';

describeWithEngines(['opensearch'], 'OpenSearch log store', () => {
  describeLogStoreContract('opensearch', async () => {
    const store = openSearchLogStore({
      url: ENGINE_ADDRESSES.opensearch(),
      indexPrefix: uniqueName('cs_contract'),
      numberOfReplicas: 0,
    });
    return {
      store,
      flush: () => store.refresh(),
      cleanup: async () => {
        await store.uninstall();
        await store.shutdown();
      },
    };
  });

  describe('engine specifics', () => {
    let transport: SearchTransport;
    let store: SearchLogStore;
    let names: IndexNames;

    beforeAll(async () => {
      names = new IndexNames(uniqueName('cs_bulk'));
      transport = openSearchTransport({ url: ENGINE_ADDRESSES.opensearch() });
      store = new SearchLogStore(transport, { indexPrefix: names.prefix, numberOfReplicas: 0, bulk: { baseDelayMs: 1 }, log: new RateLimitedLog(() => {}) });
      await store.start();
    });
    afterAll(async () => {
      await store.uninstall();
      await store.shutdown();
    });

    it('dead-letters a document the mapping refuses, with the reason, and keeps the rest of the batch', async () => {
      const good = makeLog({ service: uniq('dlq'), timeUs: BASE_US + 1, body: 'good record' });
      const bad = makeLog({ service: good.service, timeUs: BASE_US + 2, body: 'bad record' });
      const index = names.daily(bad.timeUs);
      // crafted documents straight through the bulk writer: a string where the mapping has a long
      const writer = new BulkWriter(transport, { baseDelayMs: 1 });
      const outcome = await writer.write('create', [
        { index, id: good.id, doc: toDocument(good) },
        { index, id: bad.id, doc: { ...toDocument(bad), time_us: 'not a number' } },
        { index, id: 'unknown-field', doc: { ...toDocument(bad), id: 'unknown-field', surprise: 1 } },
      ]);
      expect(outcome.written).toBe(1);
      expect(outcome.deadLettered.map((d) => [d.id, d.status, d.errorType])).toEqual([
        [bad.id, 400, 'mapper_parsing_exception'],
        ['unknown-field', 400, 'strict_dynamic_mapping_exception'],
      ]);
      expect(outcome.deadLettered[0].reason).toContain('time_us');
    });

    it('writeLogs sends refused records to <prefix>-dlq with the reason and does not fail the batch', async () => {
      const service = uniq('dlq-store');
      const traceId = newTraceId();
      const ok = makeLog({ service, traceId, timeUs: BASE_US + 10, body: 'stored fine' });
      // severity_number is a short: 70000 is refused by the engine, not by us
      const refused = makeLog({ service, traceId, timeUs: BASE_US + 20, severityNumber: 70_000, body: 'refused' });
      const badTime = makeLog({ service, timeUs: Number.NaN, body: 'no time' });
      await store.writeLogs(
        logBatch([ok, refused, badTime], { businessKeys: [{ key: 'order.id', value: 'ORD-7', traceId, timeUs: BASE_US }] }),
      );
      expect(store.lastWrite).toMatchObject({ written: 1, duplicates: 0 });
      expect(store.lastWrite!.deadLettered.map((d) => d.id).sort()).toEqual([badTime.id, refused.id].sort());
      await store.refresh();

      const dead = await transport.get(names.dlq, refused.id);
      expect(dead?.found).toBe(true);
      const source = dead!._source as Record<string, unknown>;
      expect(source).toMatchObject({ record_id: refused.id, target_index: names.daily(refused.timeUs), status: 400 });
      expect(String(source.error_type)).toMatch(/mapper_parsing_exception|illegal_argument_exception/);
      expect(String(source.reason)).toContain('severity_number');
      expect((source.document as Record<string, unknown>).body).toBe('refused');
      expect((await transport.get(names.dlq, badTime.id))?._source).toMatchObject({ error_type: 'invalid_time' });

      // the stored record carries the batch's business keys of its trace
      const stored = await transport.search(names.read, { query: { term: { business_keys: 'order.id=ORD-7' } } });
      expect(stored.hits.hits.map((h) => h._id)).toEqual([ok.id]);
      expect((await store.search({ service, limit: 10 })).logs).toEqual([ok]);

      // a replay dead-letters into the same DLQ documents and stores nothing twice
      await store.writeLogs(logBatch([ok, refused]));
      expect(store.lastWrite).toMatchObject({ written: 0, duplicates: 1 });
      await store.refresh();
      expect(await transport.count(names.dlq, { query: { match_all: {} } })).toBe(2);
    });

    it('installs the template with explicit mappings on daily indices only', async () => {
      const indices = await transport.listIndices(`${names.prefix}-*`);
      expect(indices).toEqual(expect.arrayContaining([names.daily(BASE_US), names.dlq]));
      const answer = await transport.search(names.read, { size: 0, query: { match_all: {} } });
      expect(answer.hits.hits).toEqual([]);
    });

    it('maps a refused connection to a retriable BackendUnavailableError', async () => {
      const dead = openSearchLogStore({ url: 'http://127.0.0.1:1', indexPrefix: uniqueName('cs_down'), maxRetries: 0 });
      await expect(dead.search({ limit: 1 })).rejects.toMatchObject({ name: 'BackendUnavailableError', retriable: true });
      await dead.shutdown();
    });
  });
});

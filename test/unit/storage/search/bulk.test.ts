import { BackendUnavailableError } from '../../../../core/errors';
import { Counters } from '../../../../core/metrics';
import { RateLimitedLog } from '../../../../core/util/rate-limited-log';
import { SearchLogStore } from '../../../../storage/search';
import { BulkWriter, chunkBySize, SEARCH_COUNTERS, toNdjson } from '../../../../storage/search/bulk';
import type { BulkItemResult, BulkResponse, SearchResponse, SearchTransport } from '../../../../storage/search/transport';
import { SearchEngineResponseError } from '../../../../storage/search/transport';
import { BASE_US, logBatch, makeLog } from '../../../contract/fixtures';

type Answer = (lines: { action: Record<string, { _index: string; _id?: string }>; doc: Record<string, unknown> }[]) => BulkResponse | Error;

/**
 * Our own SearchTransport interface with canned bulk answers: records every
 * NDJSON body and answers each call with the next scripted function.
 */
class ScriptedTransport implements SearchTransport {
  readonly engine = 'scripted';
  readonly bulkBodies: string[] = [];
  readonly templates: [string, object][] = [];
  constructor(private readonly answers: Answer[]) {}
  async info() {
    return { distribution: 'scripted', version: '0' };
  }
  async putIndexTemplate(name: string, body: object) {
    this.templates.push([name, body]);
  }
  async deleteIndexTemplate() {}
  async bulk(ndjson: string): Promise<BulkResponse> {
    this.bulkBodies.push(ndjson);
    expect(ndjson.endsWith('\n')).toBe(true);
    const raw = ndjson.slice(0, -1).split('\n').map((l) => JSON.parse(l));
    const lines = [];
    for (let i = 0; i < raw.length; i += 2) lines.push({ action: raw[i], doc: raw[i + 1] });
    const answer = this.answers.shift();
    if (!answer) throw new Error('unexpected bulk call');
    const result = answer(lines);
    if (result instanceof Error) throw result;
    return result;
  }
  async search(): Promise<SearchResponse> {
    return { hits: { total: { value: 0, relation: 'eq' }, hits: [] } };
  }
  async count() {
    return 0;
  }
  async refresh() {}
  async get() {
    return null;
  }
  async listIndices(_pattern: string): Promise<string[]> {
    return [];
  }
  async deleteIndices(_names: string[]): Promise<void> {}
  async close() {}
}

const ok = (status = 201): BulkItemResult => ({ status, result: 'created' });
const fail = (status: number, type: string, reason: string): BulkItemResult => ({ status, error: { type, reason } });
/** Answers each line by the first matching rule on the document body; default 201. */
function answerBy(rule: (doc: Record<string, unknown>) => BulkItemResult | undefined): Answer {
  return (lines) => ({
    errors: true,
    items: lines.map(({ action, doc }) => {
      const [op] = Object.keys(action);
      return { [op]: { _index: action[op]._index, _id: action[op]._id, ...(rule(doc) ?? ok()) } };
    }),
  });
}
const quiet = new RateLimitedLog(() => {});
const FAST = { baseDelayMs: 1, maxDelayMs: 2 };

describe('bulk writer', () => {
  it('builds NDJSON with create actions and deterministic ids', () => {
    expect(toNdjson('create', [{ index: 'p-2024.01.02', id: 'abc', doc: { body: 'line\n"two"' } }])).toBe(
      '{"create":{"_index":"p-2024.01.02","_id":"abc"}}\n{"body":"line\\n\\"two\\""}\n',
    );
    expect(toNdjson('index', [{ index: 'p-dlq', doc: { a: 1 } }])).toBe('{"index":{"_index":"p-dlq"}}\n{"a":1}\n');
  });

  it('splits large batches by request size', () => {
    const docs = Array.from({ length: 10 }, (_, i) => ({ index: 'i', id: String(i), doc: { body: 'x'.repeat(100) } }));
    const chunks = [...chunkBySize('create', docs, 450)];
    expect(chunks.map((c) => c.docs.length)).toEqual([3, 3, 3, 1]);
    expect(chunks.map((c) => c.body).join('')).toBe(toNdjson('create', docs));
  });

  it('builds one request body at a time, not every body of a write up front', () => {
    let serialised = 0;
    const docs = Array.from({ length: 10 }, (_, i) => ({
      index: 'i',
      id: String(i),
      doc: { toJSON: () => (serialised++, { body: 'x'.repeat(100) }) },
    }));
    const chunks = chunkBySize('create', docs, 450);
    expect(chunks.next().value?.docs).toHaveLength(3);
    expect(serialised).toBe(4); // the fourth document was read to find that it opens the next body
    expect([...chunks].map((c) => c.docs.length)).toEqual([3, 3, 1]);
    expect(serialised).toBe(10);
  });

  it('retries only the items rejected with 429 and 5xx, then succeeds', async () => {
    let round = 0;
    const transport = new ScriptedTransport([
      answerBy((d) => (d.n === 1 ? fail(429, 'es_rejected_execution_exception', 'queue full') : d.n === 2 ? fail(503, 'unavailable_shards_exception', 'primary not active') : ok())),
      (lines) => {
        round++;
        expect(lines.map((l) => l.doc.n)).toEqual([1, 2]);
        return answerBy((d) => (d.n === 2 ? fail(500, 'internal', 'boom') : ok()))(lines);
      },
      (lines) => {
        expect(lines.map((l) => l.doc.n)).toEqual([2]);
        return answerBy(() => ok())(lines);
      },
    ]);
    const counters = new Counters();
    const writer = new BulkWriter(transport, FAST, counters);
    const outcome = await writer.write('create', [0, 1, 2, 3].map((n) => ({ index: 'i', id: `id${n}`, doc: { n } })));
    expect(round).toBe(1);
    expect(outcome).toMatchObject({ written: 4, duplicates: 0, retried: 3, deadLettered: [], requests: 3 });
    expect(counters.get(SEARCH_COUNTERS.retries)).toBe(3);
  });

  it('counts 409 on create as already stored', async () => {
    const transport = new ScriptedTransport([answerBy((d) => (d.n === 0 ? fail(409, 'version_conflict_engine_exception', 'exists') : ok()))]);
    const outcome = await new BulkWriter(transport, FAST).write('create', [0, 1].map((n) => ({ index: 'i', id: `id${n}`, doc: { n } })));
    expect(outcome).toMatchObject({ written: 1, duplicates: 1, deadLettered: [] });
  });

  it('returns 400 items as dead letters with their reason instead of failing the batch', async () => {
    const transport = new ScriptedTransport([
      answerBy((d) =>
        d.n === 1
          ? {
              status: 400,
              error: {
                type: 'mapper_parsing_exception',
                reason: "failed to parse field [time_us] of type [long]",
                caused_by: { type: 'illegal_argument_exception', reason: 'For input string: "x"' },
              },
            }
          : ok(),
      ),
    ]);
    const outcome = await new BulkWriter(transport, FAST).write('create', [0, 1].map((n) => ({ index: 'i', id: `id${n}`, doc: { n } })));
    expect(outcome.written).toBe(1);
    expect(outcome.deadLettered).toEqual([
      {
        index: 'i',
        id: 'id1',
        status: 400,
        errorType: 'mapper_parsing_exception',
        reason: 'failed to parse field [time_us] of type [long] (caused by illegal_argument_exception: For input string: "x")',
        doc: { n: 1 },
      },
    ]);
    expect(transport.bulkBodies).toHaveLength(1);
  });

  it('retries a whole-request 429/503 and gives up after maxAttempts with a retriable error', async () => {
    const busy = () => new SearchEngineResponseError('search engine answered 429', 429, 'es_rejected_execution_exception');
    const transport = new ScriptedTransport([busy, busy, busy]);
    const writer = new BulkWriter(transport, { ...FAST, maxAttempts: 3 });
    const err = await writer.write('create', [{ index: 'i', id: 'a', doc: {} }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect((err as BackendUnavailableError).retriable).toBe(true);
    expect((err as Error).message).toContain('after 3 attempts');
    expect(transport.bulkBodies).toHaveLength(3);
  });

  it('gives up on items still refused with 429 after maxAttempts', async () => {
    const always429 = answerBy(() => fail(429, 'circuit_breaking_exception', 'too much data'));
    const transport = new ScriptedTransport([always429, always429]);
    const err = await new BulkWriter(transport, { ...FAST, maxAttempts: 2 })
      .write('create', [{ index: 'i', id: 'a', doc: {} }])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect((err as Error).message).toContain('circuit_breaking_exception');
  });

  it('passes connection errors through at once, and refuses a malformed answer', async () => {
    const down = new BackendUnavailableError('unreachable');
    const transport = new ScriptedTransport([() => down]);
    await expect(new BulkWriter(transport, FAST).write('create', [{ index: 'i', id: 'a', doc: {} }])).rejects.toBe(down);
    expect(transport.bulkBodies).toHaveLength(1);
    const short = new ScriptedTransport([() => ({ errors: false, items: [] })]);
    await expect(new BulkWriter(short, FAST).write('create', [{ index: 'i', id: 'a', doc: {} }])).rejects.toThrow('0 items for 1 documents');
  });
});

describe('SearchLogStore writes through its transport', () => {
  it('installs both templates once, writes daily indices, dead-letters refusals to <prefix>-dlq and counts them', async () => {
    const log = makeLog({ id: 'good', timeUs: Date.UTC(2024, 0, 31, 23, 59, 59) * 1000 + 999_999, traceId: 't1' });
    const bad = makeLog({ id: 'bad', timeUs: Date.UTC(2024, 1, 1) * 1000, traceId: 't1' });
    const transport = new ScriptedTransport([
      answerBy((d) => (d.id === 'bad' ? fail(400, 'mapper_parsing_exception', 'failed to parse [severity_number]') : ok())),
      (lines) => {
        expect(lines).toHaveLength(1);
        expect(lines[0].action).toEqual({ index: { _index: 'p-dlq', _id: 'bad' } });
        expect(lines[0].doc).toMatchObject({
          record_id: 'bad',
          target_index: 'p-2024.02.01',
          status: 400,
          error_type: 'mapper_parsing_exception',
          reason: 'failed to parse [severity_number]',
          document: { id: 'bad', body: bad.body },
        });
        return answerBy(() => ok())(lines);
      },
    ]);
    const counters = new Counters();
    const store = new SearchLogStore(transport, { indexPrefix: 'p', counters, log: quiet, bulk: FAST });
    await store.writeLogs(logBatch([log, bad], { businessKeys: [{ key: 'order.id', value: 'ORD-1', traceId: 't1', timeUs: BASE_US }] }));
    expect(transport.templates.map(([n]) => n)).toEqual(['p', 'p-dlq']);
    expect(transport.templates[0][1]).toMatchObject({ index_patterns: ['p-*.*.*'] });
    const first = transport.bulkBodies[0].split('\n');
    expect(JSON.parse(first[0])).toEqual({ create: { _index: 'p-2024.01.31', _id: 'good' } });
    expect(JSON.parse(first[1])).toMatchObject({ id: 'good', time_us: log.timeUs, '@timestamp': '2024-01-31T23:59:59.999Z', business_keys: ['order.id=ORD-1'] });
    expect(JSON.parse(first[2])).toEqual({ create: { _index: 'p-2024.02.01', _id: 'bad' } });
    expect(counters.get(SEARCH_COUNTERS.written)).toBe(1);
    expect(counters.get(SEARCH_COUNTERS.deadLettered)).toBe(1);
    expect(store.lastWrite).toMatchObject({ written: 1, deadLetterIndex: 'p-dlq' });
    await store.writeLogs(logBatch([]));
    expect(transport.templates).toHaveLength(2);
  });

  it('deletes only daily indices older than retentionDays', async () => {
    const transport = new ScriptedTransport([]);
    const deleted: string[][] = [];
    transport.listIndices = async () => ['p-2024.01.01', 'p-2024.01.09', 'p-2024.01.10', 'p-2024.13.01', 'p-dlq'];
    transport.deleteIndices = async (names: string[]) => {
      deleted.push(names);
    };
    const store = new SearchLogStore(transport, { indexPrefix: 'p', retentionDays: 2, log: quiet });
    expect(await store.enforceRetention(Date.UTC(2024, 0, 10, 12))).toEqual(['p-2024.01.01']);
    expect(deleted).toEqual([['p-2024.01.01']]);
    await store.shutdown();
  });

  it('rejects an unsafe index prefix', () => {
    expect(() => new SearchLogStore(new ScriptedTransport([]), { indexPrefix: 'Logs,*' })).toThrow('index prefix');
  });
});

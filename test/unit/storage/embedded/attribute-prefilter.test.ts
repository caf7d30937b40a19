import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { matchesLogQuery, parseLogQuery } from '../../../../core/logql';
import type { MatchNode } from '../../../../core/logql';
import type { LogRecord } from '../../../../core/model';
import { openEmbeddedStores } from '../../../../storage/embedded';
import type { EmbeddedLogStore } from '../../../../storage/embedded';
import { verbatimPiece } from '../../../../storage/embedded/log-filter';
import { makeLog } from '../../../contract/fixtures';

/**
 * Attribute conditions first test the attributes' JSON text for a piece of
 * the value (log-filter.ts verbatimPiece). That test may only reject rows
 * the exact condition rejects too: values JSON escapes, numbers whose text
 * differs from what is typed, arrays, wildcards and unicode must give what
 * the reference evaluator gives. (Exotic number texts are left out: SQLite
 * prints 1e-7 as 1.0e-07 where the evaluator prints 1e-7, with or without
 * the substring test.)
 */
const ATTRIBUTES: Record<string, unknown>[] = [
  { 'customer.id': 'CUST-42' },
  { 'customer.id': 'CUST-420' },
  { 'customer.id': 'cust-42' },
  { 'customer.id': 'X-CUST-42' },
  { note: 'say "hi"' },
  { note: 'back\\slash' },
  { note: 'tab\there' },
  { note: 'Müller ✅ 🚀' },
  { ratio: 1e-7 },
  { ratio: 0.5 },
  { code: 500 },
  { code: '500' },
  { flag: true },
  { tags: ['slow', 'retry'] },
  { nested: { 'customer.id': 'CUST-42' } },
  { other: 'CUST-42', 'customer.id': 'CUST-7' },
];

const QUERIES = [
  'customer.id:CUST-42',
  'customer.id:CUST-42*',
  'customer.id:?CUST-42',
  'customer.id:CUST-4?',
  'customer.id:cust-42',
  'note:"say \\"hi\\""',
  'note:"back\\\\slash"',
  'note:"tab\there"',
  'note:"Müller ✅ 🚀"',
  'note:Müller*',
  'ratio:0.5',
  'code:500',
  'flag:true',
  'tags:retry',
  'tags:sl*',
  'nested.customer.id:CUST-42',
];

describe('attribute conditions with a substring test first', () => {
  let dataDir: string;
  let store: EmbeddedLogStore;
  const logs: LogRecord[] = ATTRIBUTES.map((attributes, i) => makeLog({ attributes, timeUs: 1_700_000_000_000_000 + i, body: `line ${i}` }));

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-attr-'));
    const stores = openEmbeddedStores({ dataDir });
    await stores.spans.shutdown();
    store = stores.logs;
    await store.writeLogs({ logs, businessKeys: [] });
  });
  afterAll(async () => {
    await store.shutdown();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it.each(QUERIES)('%s finds what the reference evaluator finds', async (q) => {
    const filter = parseLogQuery(q);
    const want = logs.filter((l) => matchesLogQuery(filter, l)).map((l) => l.id).sort();
    const got = (await store.search({ filter, limit: 100 })).logs.map((l) => l.id).sort();
    expect(got).toEqual(want);
  });

  it('finds something for most of these queries (the cases are not vacuous)', async () => {
    let found = 0;
    for (const q of QUERIES) if ((await store.search({ filter: parseLogQuery(q), limit: 1 })).total > 0) found++;
    expect(found).toBeGreaterThanOrEqual(QUERIES.length - 2);
  });

  it('uses only pieces that appear verbatim in JSON text', () => {
    const piece = (q: string) => verbatimPiece(parseLogQuery(q) as MatchNode);
    expect(piece('customer.id:CUST-42*')).toBe('CUST-42');
    expect(piece('customer.id:ab?CUST-42x*')).toBe('CUST-42x');
    expect(piece('code:500')).toBeNull();
    expect(piece('ratio:1.0e-07')).toBeNull();
    expect(piece('ratio:-1.5E+3')).toBeNull();
    expect(piece('note:"say \\"hi\\""')).toBeNull();
    expect(piece('note:"back\\\\slash"')).toBeNull();
    expect(piece('note:"🚀"')).toBeNull();
    expect(piece('customer.id:??')).toBeNull();
  });
});

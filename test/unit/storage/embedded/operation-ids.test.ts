import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EmbeddedDatabase } from '../../../../storage/embedded/database';

const dirs: string[] = [];
const opened: EmbeddedDatabase[] = [];

function open(): EmbeddedDatabase {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-op-ids-'));
  dirs.push(dataDir);
  const edb = new EmbeddedDatabase({ dataDir, syncCommits: false });
  opened.push(edb);
  return edb;
}

afterEach(() => {
  for (const edb of opened.splice(0)) edb.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('EmbeddedDatabase operation ids', () => {
  it('tells apart (service, name) pairs whose joined text is the same (a NUL inside a name)', () => {
    const edb = open();
    const a = edb.operationId('a\u0000b', 'c');
    const b = edb.operationId('a', 'b\u0000c');
    expect(a).not.toBe(b);
    expect(edb.operation(a)).toEqual({ service: 'a\u0000b', name: 'c' });
    expect(edb.operation(b)).toEqual({ service: 'a', name: 'b\u0000c' });
    // from the table too, once the caches are gone
    edb.dropCaches();
    expect(edb.operationId('a', 'b\u0000c')).toBe(b);
    expect(edb.operationId('a\u0000b', 'c')).toBe(a);
  });

  it('gives one id per pair, the same from the cache, from the table after dropCaches, and in another connection', () => {
    const edb = open();
    const pairs = Array.from({ length: 50 }, (_, i) => [`svc-${i % 7}`, `op-${i % 11}`] as const);
    const ids = pairs.map(([s, n]) => edb.operationId(s, n));
    expect(new Set(ids).size).toBe(new Set(pairs.map(([s, n]) => `${s}/${n}`)).size);
    expect(pairs.map(([s, n]) => edb.operationId(s, n))).toEqual(ids);
    edb.dropCaches();
    expect(pairs.map(([s, n]) => edb.operationId(s, n))).toEqual(ids);
    const other = new EmbeddedDatabase({ dataDir: path.dirname(edb.file), syncCommits: false });
    opened.push(other);
    expect(pairs.map(([s, n]) => other.operationId(s, n))).toEqual(ids);
  });
});

import fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openEmbeddedStores } from '../../../../storage/embedded';
import { syncCommits } from '../../../../storage/embedded/commit-sync';
import { makeTrace, spanBatch } from '../../../contract/fixtures';

/** The files fdatasync was called on while `fn` ran (fs is not ours: watching it is the only way to see a sync). */
async function syncedFiles(fn: () => Promise<void>): Promise<string[]> {
  const opened = new Map<number, string>();
  const open = jest.spyOn(fs, 'openSync');
  const sync = jest.spyOn(fs, 'fdatasyncSync');
  try {
    await fn();
    open.mock.calls.forEach((call, i) => opened.set(open.mock.results[i].value as number, String(call[0])));
    return sync.mock.calls.map(([fd]) => opened.get(fd as number) ?? `fd ${fd}`);
  } finally {
    open.mockRestore();
    sync.mockRestore();
  }
}

describe('commit sync', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-commit-sync-'));
  });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('a span or log write returns once its commit is synced: the write-ahead file of the database, once per write', async () => {
    const { spans, logs, database } = openEmbeddedStores({ dataDir });
    const synced = await syncedFiles(async () => {
      await spans.writeSpans(spanBatch(makeTrace({ spans: 5 })));
      await logs.writeLogs({ logs: [], businessKeys: [] });
    });
    expect(synced).toEqual([`${database.file}-wal`, `${database.file}-wal`]);
    await spans.shutdown();
    await logs.shutdown();
  });

  it('syncs nothing when turned off (a throwaway file), and a database without a write-ahead file needs nothing', async () => {
    const { spans, logs } = openEmbeddedStores({ dataDir, syncCommits: false });
    expect(await syncedFiles(() => spans.writeSpans(spanBatch(makeTrace({ spans: 5 }))))).toEqual([]);
    await spans.shutdown();
    await logs.shutdown();
    expect(() => syncCommits(path.join(dataDir, 'no-such.db'))).not.toThrow();
  });
});

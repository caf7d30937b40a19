import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_CONFIG } from '../core/config';
import { openEmbeddedStores } from '../storage/embedded';
import { machineNote, numberFlag } from './args';
import { ingestProcessor, syntheticRequests } from './ingest-path';
import { report } from './load';

const WAL_HEADER_BYTES = 32;
const FRAME_HEADER_BYTES = 24;

/**
 * Which tables and indexes the span write makes SQLite write: the ingest
 * thread's work (as `--ingest`, one connection with an ingest thread's page
 * cache) into a fresh store whose WAL is never checkpointed, so it keeps every
 * commit's pages; after each bus batch the new frames' page numbers are read
 * from the WAL file (a frame = a 24-byte header naming its page, then the
 * page), and at the end each page is named by the b-tree it belongs to
 * (`dbstat`). Prints per b-tree the frames written, the share of all, the
 * distinct pages and the frames per commit, at `--spans` (1,000,000).
 * A page rewritten inside one transaction (a cache spill) counts once.
 */
export async function benchWalPages(args: string[]): Promise<void> {
  const { requests, spans } = syntheticRequests(numberFlag(args, 'spans', 1_000_000), numberFlag(args, 'batch', 2_000));
  const messagesPerBusBatch = numberFlag(args, 'bus-batch', 10);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-bench-wal-pages-'));
  // a WAL limit far above what the run writes: no checkpoint, every frame stays
  const stores = openEmbeddedStores({ dataDir, syncCommits: false, cacheSizeMiB: DEFAULT_CONFIG.ingestThreadCacheMiB, walLimitBytes: 2 ** 40 });
  try {
    const pageSize = stores.database.db.pragma('page_size', { simple: true }) as number;
    const frames = new WalFrames(`${stores.database.file}-wal`, pageSize);
    const processor = ingestProcessor(stores.spans, stores.logs);
    for (let i = 0; i < requests.length; i += messagesPerBusBatch) {
      await processor.process('spans', 'spans', requests.slice(i, i + messagesPerBusBatch).map((value) => ({ value })));
      frames.readNew();
    }
    const owner = new Map<number, string>();
    for (const r of stores.database.db.prepare('SELECT name, pageno FROM dbstat').iterate() as IterableIterator<{ name: string; pageno: number }>) owner.set(r.pageno, r.name);
    const byTree = new Map<string, { frames: number; pages: number }>();
    for (const [page, n] of frames.perPage) {
      const name = owner.get(page) ?? '(pointer map or free)';
      const t = byTree.get(name) ?? { frames: 0, pages: 0 };
      t.frames += n;
      t.pages++;
      byTree.set(name, t);
    }
    const trees = [...byTree]
      .sort((a, b) => b[1].frames - a[1].frames)
      .filter(([, t]) => t.frames >= frames.commits)
      .map(([name, t]) => ({ name, frames: t.frames, share: Math.round((1000 * t.frames) / frames.total) / 10, pages: t.pages, framesPerCommit: Math.round((10 * t.frames) / frames.commits) / 10 }));
    report('wal-pages', {
      date: new Date().toISOString(),
      machine: machineNote(),
      spans,
      commits: frames.commits,
      frames: frames.total,
      walMiB: Math.round((frames.total * pageSize) / 1048576),
      databasePages: stores.database.db.pragma('page_count', { simple: true }),
      trees,
    });
  } finally {
    await stores.spans.shutdown();
    await stores.logs.shutdown();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Reads a WAL file's frames as they are appended: how often each page was written, and the commits. */
class WalFrames {
  readonly perPage = new Map<number, number>();
  total = 0;
  commits = 0;
  private offset = WAL_HEADER_BYTES;
  private readonly header = Buffer.alloc(FRAME_HEADER_BYTES);

  constructor(
    private readonly file: string,
    private readonly pageSize: number,
  ) {}

  readNew(): void {
    const fd = fs.openSync(this.file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      while (this.offset + FRAME_HEADER_BYTES + this.pageSize <= size) {
        fs.readSync(fd, this.header, 0, FRAME_HEADER_BYTES, this.offset);
        const page = this.header.readUInt32BE(0);
        this.perPage.set(page, (this.perPage.get(page) ?? 0) + 1);
        this.total++;
        // the database size after the commit, on a commit's last frame only
        if (this.header.readUInt32BE(4) !== 0) this.commits++;
        this.offset += FRAME_HEADER_BYTES + this.pageSize;
      }
    } finally {
      fs.closeSync(fd);
    }
  }
}

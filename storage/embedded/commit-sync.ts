import fs from 'node:fs';

/**
 * Makes what SQLite has committed durable: an fdatasync of the database's
 * write-ahead file (`<file>-wal`). With `synchronous = NORMAL` SQLite syncs
 * that file only at checkpoints, so a commit survives kill -9 (the page cache
 * has it) but not a power loss; a writer whose caller forgets what it handed
 * over once the write returns (the all-in-one's write-ahead log moving its
 * position) needs the commit on disk first. Done after the write turn, so
 * another thread's transaction goes on meanwhile. The file is opened each time:
 * SQLite may delete and recreate it, and a kept descriptor would sync the old one.
 */
export function syncCommits(databaseFile: string): void {
  let fd: number;
  try {
    fd = fs.openSync(`${databaseFile}-wal`, 'r');
  } catch (err) {
    // no write-ahead file: everything is in the database file, synced by its last checkpoint
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  try {
    fs.fdatasyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

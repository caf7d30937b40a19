import * as fs from 'node:fs';
import * as path from 'node:path';
import type Database from 'better-sqlite3';

/** Sizes of the files one SQLite database in WAL mode keeps on disk. */
export interface FileSizes {
  dbBytes: number;
  walBytes: number;
  shmBytes: number;
  /** All three. */
  totalBytes: number;
}

function sizeOf(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0; // -wal and -shm exist only while a connection has the file open in WAL mode
  }
}

export function fileSizes(dbFile: string): FileSizes {
  const dbBytes = sizeOf(dbFile);
  const walBytes = sizeOf(`${dbFile}-wal`);
  const shmBytes = sizeOf(`${dbFile}-shm`);
  return { dbBytes, walBytes, shmBytes, totalBytes: dbBytes + walBytes + shmBytes };
}

/** Free bytes for an unprivileged writer on the file system holding `file`; null where the platform cannot tell. */
export function freeBytesNear(file: string): number | null {
  try {
    const s = fs.statfsSync(path.dirname(file));
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
}

/** What the database's pages hold, as this connection sees the latest commit. */
export interface PageUsage {
  pageSize: number;
  pageCount: number;
  freePages: number;
  /** Bytes of pages in use: what the file shrinks to once every free page is handed back. */
  liveBytes: number;
  /** 0 none, 1 full, 2 incremental (PRAGMA auto_vacuum). */
  autoVacuum: number;
}

export function pageUsage(db: Database.Database): PageUsage {
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const pageCount = db.pragma('page_count', { simple: true }) as number;
  const freePages = db.pragma('freelist_count', { simple: true }) as number;
  const autoVacuum = db.pragma('auto_vacuum', { simple: true }) as number;
  return { pageSize, pageCount, freePages, liveBytes: (pageCount - freePages) * pageSize, autoVacuum };
}

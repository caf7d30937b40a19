import fs from 'node:fs';

/**
 * Makes a new directory entry (a created, renamed or deleted file) durable.
 * Some file systems refuse to fsync a directory; that is harmless: the entry
 * is there, just not guaranteed across a power loss, and a rename stays atomic.
 */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // see above
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

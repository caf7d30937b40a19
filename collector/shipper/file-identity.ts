import { createHash } from 'node:crypto';
import fs from 'node:fs';

/** Bytes at the start of a file hashed into its fingerprint (fewer while the file is shorter). */
export const FINGERPRINT_BYTES = 256;

/** Identity of a file across renames: device and inode. */
export function identityKey(stat: { dev: number; ino: number }): string {
  return `${stat.dev}:${stat.ino}`;
}

/** sha256 of the first `length` bytes of an open file, 16 hex chars; '' if the file is shorter than `length`. */
export function fingerprintOf(fd: number, length: number): string {
  if (length === 0) return createHash('sha256').digest('hex').slice(0, 16);
  const buf = Buffer.alloc(length);
  const read = fs.readSync(fd, buf, 0, length, 0);
  if (read < length) return '';
  return createHash('sha256').update(buf).digest('hex').slice(0, 16);
}

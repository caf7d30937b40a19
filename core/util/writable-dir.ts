import fs from 'node:fs';
import path from 'node:path';
import { CannotStartError } from '../errors';

/**
 * Makes sure `dir` is a folder this process can write, creating it when
 * missing; otherwise one line naming `setting` (e.g. DATA_DIR). Writing a probe
 * file is the only test that holds for root and for read-only mounts alike.
 */
export function ensureWritableDir(dir: string, setting: string): void {
  const shown = `${setting}=${dir}`;
  const absolute = path.resolve(dir);
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(absolute);
  } catch {
    // missing: created below
  }
  if (stat && !stat.isDirectory()) throw new CannotStartError(`${shown}: ${absolute} is a file, not a folder (point ${setting} at a folder)`);
  try {
    if (!stat) fs.mkdirSync(absolute, { recursive: true });
    const probe = path.join(absolute, `.write-probe-${process.pid}`);
    fs.writeFileSync(probe, '');
    fs.unlinkSync(probe);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOSPC') throw new CannotStartError(`disk full: ${shown}: no space left in ${absolute}`);
    const reason = e.code === 'EROFS' ? 'the file system is read-only' : e.code === 'EACCES' || e.code === 'EPERM' ? 'permission denied' : e.code === 'ENOTDIR' ? 'a part of the path is a file' : (e.message ?? String(e));
    throw new CannotStartError(`${shown}: cannot write in ${absolute} (${reason}; point ${setting} at a folder this user can write)`);
  }
}

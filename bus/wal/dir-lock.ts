import fs from 'node:fs';
import path from 'node:path';
import { CannotStartError } from '../../core/errors';

const openInThisProcess = new Set<string>();

/**
 * One writer per WAL folder: a `LOCK` file holding the owner's pid (a second
 * process finds it alive and refuses to start), and a set for this process.
 * A lock left by a killed process names a dead pid and is taken over.
 */
export class DirLock {
  private readonly file: string;
  private held = false;

  constructor(private readonly dir: string) {
    this.file = path.join(dir, 'LOCK');
  }

  acquire(): void {
    const key = path.resolve(this.dir);
    if (openInThisProcess.has(key)) throw new CannotStartError(`WAL folder ${this.dir} is already open in this process`);
    const owner = this.owner();
    if (owner !== null && owner !== process.pid && alive(owner)) {
      throw new CannotStartError(`WAL folder ${this.dir} is in use by process ${owner} (remove ${this.file} if that is not chainscope)`);
    }
    fs.writeFileSync(this.file, `${process.pid}\n`);
    openInThisProcess.add(key);
    this.held = true;
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    openInThisProcess.delete(path.resolve(this.dir));
    try {
      if (this.owner() === process.pid) fs.unlinkSync(this.file);
    } catch {
      // already gone
    }
  }

  private owner(): number | null {
    try {
      const pid = Number(fs.readFileSync(this.file, 'utf8').trim());
      return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
    } catch {
      return null;
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

import fs from 'node:fs';
import path from 'node:path';
import { fsyncDir } from '../../core/util/fsync-dir';

interface PositionsFileContent {
  version: 1;
  /** Consumer group → topic byte position of the next record it has not handled. */
  groups: Record<string, number>;
}

/**
 * The consumer groups' positions on one topic, in `positions.json`, replaced
 * atomically (tmp file, fsync, rename, fsync of the folder), so a crash leaves
 * the old or the new content. Losing the latest update only means the group
 * gets some records again.
 */
export class PositionsFile {
  readonly file: string;
  private writing: Promise<void> = Promise.resolve();

  constructor(dir: string) {
    this.file = path.join(dir, 'positions.json');
  }

  /** The saved positions; an unreadable file counts as none (every group starts from the oldest record), with the reason. */
  read(): { groups: Record<string, number>; problem: string | null } {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { groups: {}, problem: null };
      return { groups: {}, problem: `cannot read ${this.file}: ${(err as Error).message}` };
    }
    try {
      const parsed = JSON.parse(text) as PositionsFileContent;
      if (parsed?.version !== 1 || typeof parsed.groups !== 'object' || parsed.groups === null) throw new Error('not a version 1 positions file');
      const groups: Record<string, number> = {};
      for (const [group, pos] of Object.entries(parsed.groups)) if (Number.isSafeInteger(pos) && pos >= 0) groups[group] = pos;
      return { groups, problem: null };
    } catch (err) {
      return { groups: {}, problem: `${this.file} is unreadable (${(err as Error).message}); its groups start from the oldest record` };
    }
  }

  /** Writes after any write in progress; rejects when the disk refuses (the old file stays). */
  write(groups: Record<string, number>): Promise<void> {
    const content = JSON.stringify({ version: 1, groups } satisfies PositionsFileContent);
    const next = this.writing.catch(() => undefined).then(() => this.replace(content));
    this.writing = next;
    return next;
  }

  private async replace(content: string): Promise<void> {
    const tmp = `${this.file}.tmp`;
    const handle = await fs.promises.open(tmp, 'w', 0o644);
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.promises.rename(tmp, this.file);
    fsyncDir(path.dirname(this.file));
  }
}

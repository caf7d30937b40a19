import { fsyncDir } from '../../core/util/fsync-dir';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Where each file was shipped up to, keyed by file identity (device + inode),
 * with a fingerprint of the file's first bytes so a reused inode is not
 * mistaken for the old file. One JSON file in the state directory, replaced
 * atomically (temp file, fsync, rename, fsync of the directory): a crash
 * leaves either the old or the new checkpoint, never a torn one.
 */
export interface FileCheckpoint {
  /** Path the file had when first seen: the `log.file.path` attribute of its records, stable across renames. */
  originPath: string;
  /** Path it was last seen at (where to look first after a restart). */
  path: string;
  /** Bytes shipped and accepted by the collector: reading resumes here. */
  offset: number;
  /** sha256 (hex, first 16 chars) of the first `fingerprintBytes` bytes. */
  fingerprint: string;
  fingerprintBytes: number;
  /** Time of the last shipped record: records without a timestamp of their own inherit it. */
  lastTimeUs: number;
  /** Stamp for records without any timestamp before them, fixed at each commit (so a replay gets the same time). */
  clockUs: number;
  /** Times the file was truncated in place (copy-truncate rotation). */
  truncations: number;
  /** When this entry was last written (ms); entries of vanished files are pruned after a while. */
  updatedMs: number;
}

export interface CheckpointFile {
  version: 1;
  files: Record<string, FileCheckpoint>;
}

export const CHECKPOINT_FILE = 'checkpoints.json';

export class CheckpointStore {
  private readonly file: string;

  constructor(private readonly dir: string) {
    this.file = path.join(dir, CHECKPOINT_FILE);
  }

  get path(): string {
    return this.file;
  }

  /** Creates the state directory and reads the checkpoints (none yet: empty). A corrupt file is an error, not a silent restart from zero. */
  load(): Record<string, FileCheckpoint> {
    fs.mkdirSync(this.dir, { recursive: true });
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw err;
    }
    const parsed = JSON.parse(text) as CheckpointFile;
    if (!parsed || parsed.version !== 1 || typeof parsed.files !== 'object') {
      throw new Error(`${this.file} is not a version 1 checkpoint file`);
    }
    return parsed.files;
  }

  save(files: Record<string, FileCheckpoint>): void {
    writeFileAtomic(this.file, JSON.stringify({ version: 1, files } satisfies CheckpointFile, null, 1));
  }
}

/** Writes a file so that readers see the old or the new content, even across a crash or power loss. */
export function writeFileAtomic(file: string, content: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w', 0o644);
  try {
    fs.writeSync(fd, content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  // the rename itself is durable only once the directory entry is
  fsyncDir(path.dirname(file));
}

import fs from 'node:fs';
import path from 'node:path';

/** What an admin did: tokens made and revoked, data deleted. */
export type AuditAction = 'token.created' | 'token.revoked' | 'data.deleted';

export interface AuditEntry {
  /** ISO-8601 time of the action. */
  at: string;
  action: AuditAction;
  /** Who: `token:<id>` for the admin API, `cli:<user>` for the chainscope command. */
  actor: string;
  /** What, by action: the token's id, name, role and tenant; the tenant, time and per-store outcome of a deletion. */
  detail: Record<string, unknown>;
}

/** Past this size the file is renamed to `<file>.1` (the one before is dropped) and a new one starts. */
export const AUDIT_ROTATE_BYTES = 64 * 1024 * 1024;
/** A read looks at this many bytes of the end of the file at most. */
const READ_TAIL_BYTES = 4 * 1024 * 1024;
/** Entries one read returns at most. */
export const AUDIT_READ_MAX = 1000;

/**
 * The audit log: one JSON line per admin action, appended and flushed to disk
 * before the action answers, mode 0600, in the security folder beside the
 * tokens file (DATA_DIR/security/audit.jsonl by default). The chainscope
 * command and every process that uses that tokens file write the same file
 * (appends of one line each do not interleave).
 */
export class AuditLog {
  constructor(readonly file: string) {}

  append(action: AuditAction, actor: string, detail: Record<string, unknown>): AuditEntry {
    const entry: AuditEntry = { at: new Date().toISOString(), action, actor, detail };
    fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    this.rotateIfBig();
    const fd = fs.openSync(this.file, 'a', 0o600);
    try {
      fs.writeSync(fd, JSON.stringify(entry) + '\n');
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    return entry;
  }

  /** The newest entries first, at most `limit` (of the last READ_TAIL_BYTES of the file); `action` keeps one kind. */
  read(limit: number, action?: AuditAction): AuditEntry[] {
    const lines = this.tailLines();
    const entries: AuditEntry[] = [];
    for (let i = lines.length - 1; i >= 0 && entries.length < limit; i--) {
      const entry = parseEntry(lines[i]);
      if (entry && (action === undefined || entry.action === action)) entries.push(entry);
    }
    return entries;
  }

  private tailLines(): string[] {
    let fd: number;
    try {
      fd = fs.openSync(this.file, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    try {
      const size = fs.fstatSync(fd).size;
      const length = Math.min(size, READ_TAIL_BYTES);
      const buffer = Buffer.alloc(length);
      fs.readSync(fd, buffer, 0, length, size - length);
      const lines = buffer.toString('utf8').split('\n');
      // a cut first line is not an entry
      if (length < size) lines.shift();
      return lines.filter((l) => l !== '');
    } finally {
      fs.closeSync(fd);
    }
  }

  private rotateIfBig(): void {
    let size: number;
    try {
      size = fs.statSync(this.file).size;
    } catch {
      return;
    }
    if (size >= AUDIT_ROTATE_BYTES) fs.renameSync(this.file, `${this.file}.1`);
  }
}

/** The audit log beside a tokens file. */
export function auditFileBeside(tokensFile: string): string {
  return path.join(path.dirname(tokensFile), 'audit.jsonl');
}

const ACTIONS: readonly string[] = ['token.created', 'token.revoked', 'data.deleted'] satisfies AuditAction[];

export function isAuditAction(value: unknown): value is AuditAction {
  return typeof value === 'string' && ACTIONS.includes(value);
}

function parseEntry(line: string): AuditEntry | undefined {
  try {
    const e = JSON.parse(line) as AuditEntry;
    return e && typeof e.at === 'string' && isAuditAction(e.action) && typeof e.actor === 'string' ? e : undefined;
  } catch {
    return undefined;
  }
}

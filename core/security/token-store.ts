import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { NotFoundError, ValidationError } from '../errors';
import { fsyncDir } from '../util/fsync-dir';
import { AuditLog, auditFileBeside } from './audit-log';
import { isAccessRole, type AccessRole } from './roles';
import { DEFAULT_TENANT, isTenantName, tenantNameOf } from './tenants';

/** What is kept of a token: never the token itself, only its SHA-256. */
export interface TokenRecord {
  id: string;
  name: string;
  role: AccessRole;
  /** Whose data the token writes and reads (files written before tenants existed: DEFAULT_TENANT). */
  tenant: string;
  /** SHA-256 of the token, hex. */
  sha256: string;
  createdAt: string;
  revokedAt?: string;
}

/** A token as listed: everything but its hash. */
export type TokenView = Omit<TokenRecord, 'sha256'>;

const TOKEN_PREFIX = 'cs_';
export const MAX_TOKEN_NAME_CHARS = 100;
/** A token file is re-read when it changed, looked at no more than this often (a CLI revoke takes effect within it). */
const RELOAD_CHECK_MS = 1000;
const MAX_TOKENS = 10_000;

/**
 * API tokens in one JSON file (TOKENS_FILE, DATA_DIR/security/tokens.json by default).
 *
 * A token is 256 random bits; the file keeps its SHA-256 only. A slow hash
 * (scrypt, bcrypt) protects low-entropy passwords from guessing; a 256-bit
 * random value cannot be guessed, so a fast hash is as safe and lets every
 * request be checked by one lookup, without a CPU cost an attacker could
 * multiply by sending bad tokens. Writes go to a temporary file renamed over
 * the old one (atomic), mode 0600. The `chainscope tokens` CLI and the admin
 * API write the same file; a running process sees their changes within a second.
 */
export class TokenStore {
  private records: TokenRecord[] = [];
  private byHash = new Map<string, TokenRecord>();
  private loadedMtimeMs = -1;
  private checkedAtMs = 0;

  /** Where creating and revoking a token is written down (beside the tokens file). */
  readonly audit: AuditLog;

  constructor(readonly file: string) {
    this.audit = new AuditLog(auditFileBeside(file));
  }

  /** Makes a token; its text is returned once and never stored. `actor`: who, for the audit log. */
  create(name: string, role: string, tenant: string = DEFAULT_TENANT, actor = 'unknown'): { token: string; record: TokenView } {
    const tenantName = tenantNameOf(tenant);
    if (!isAccessRole(role)) throw new ValidationError(`role must be ingest, read or admin, got "${String(role).slice(0, 40)}"`, 'role');
    const cleanName = String(name ?? '').trim();
    if (cleanName === '' || cleanName.length > MAX_TOKEN_NAME_CHARS || /[\u0000-\u001f]/.test(cleanName)) {
      throw new ValidationError(`name must be 1 to ${MAX_TOKEN_NAME_CHARS} printable characters`, 'name');
    }
    const records = this.readFile();
    if (records.length >= MAX_TOKENS) throw new ValidationError(`at most ${MAX_TOKENS} tokens (revoked ones included); remove old ones from ${this.file}`, 'name');
    const token = TOKEN_PREFIX + crypto.randomBytes(32).toString('base64url');
    const record: TokenRecord = { id: crypto.randomBytes(6).toString('hex'), name: cleanName, role, tenant: tenantName, sha256: sha256(token), createdAt: new Date().toISOString() };
    this.writeFile([...records, record]);
    this.audit.append('token.created', actor, auditDetail(record));
    return { token, record: view(record) };
  }

  list(): TokenView[] {
    return this.readFile().map(view);
  }

  /** Revokes a token by id (404 when there is none); revoking twice keeps the first time. */
  revoke(id: string, actor = 'unknown'): TokenView {
    const records = this.readFile();
    const record = records.find((r) => r.id === id);
    if (!record) throw new NotFoundError(`no token with id "${String(id).slice(0, 40)}"`);
    record.revokedAt ??= new Date().toISOString();
    this.writeFile(records);
    this.audit.append('token.revoked', actor, auditDetail(record));
    return view(record);
  }

  /** The live token this text is, or undefined (unknown, revoked, malformed). */
  verify(token: string): TokenView | undefined {
    if (!token.startsWith(TOKEN_PREFIX) || token.length > 100) return undefined;
    this.reloadIfChanged();
    const record = this.byHash.get(sha256(token));
    return record && !record.revokedAt ? view(record) : undefined;
  }

  /** Whether the token with this id is still live (a session of a revoked token ends with it). */
  isLive(id: string): boolean {
    this.reloadIfChanged();
    const record = this.records.find((r) => r.id === id);
    return record !== undefined && !record.revokedAt;
  }

  private reloadIfChanged(): void {
    const now = Date.now();
    if (now - this.checkedAtMs < RELOAD_CHECK_MS && this.loadedMtimeMs !== -1) return;
    this.checkedAtMs = now;
    let mtimeMs: number;
    try {
      mtimeMs = fs.statSync(this.file).mtimeMs;
    } catch {
      mtimeMs = 0;
    }
    if (mtimeMs !== this.loadedMtimeMs) this.remember(this.readFile(), mtimeMs);
  }

  private remember(records: TokenRecord[], mtimeMs: number): void {
    this.records = records;
    this.byHash = new Map(records.map((r) => [r.sha256, r]));
    this.loadedMtimeMs = mtimeMs;
  }

  private readFile(): TokenRecord[] {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const parsed = JSON.parse(text) as { tokens?: unknown };
    if (!parsed || !Array.isArray(parsed.tokens)) throw new Error(`${this.file} is not a Chainscope tokens file (no "tokens" list)`);
    return parsed.tokens.filter(isRecord).map((r) => ({ ...r, tenant: r.tenant ?? DEFAULT_TENANT }));
  }

  private writeFile(records: TokenRecord[]): void {
    const dir = path.dirname(this.file);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const temp = `${this.file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
    fs.writeFileSync(temp, JSON.stringify({ tokens: records }, null, 2) + '\n', { mode: 0o600 });
    const fd = fs.openSync(temp, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, this.file);
    fsyncDir(dir);
    this.remember(records, fs.statSync(this.file).mtimeMs);
  }
}

/** TOKENS_FILE, or its default under DATA_DIR. */
export function tokensFileOf(config: { tokensFile: string; dataDir: string }): string {
  return config.tokensFile || path.join(config.dataDir, 'security', 'tokens.json');
}

function sha256(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex');
}

function auditDetail(record: TokenRecord): Record<string, unknown> {
  return { tokenId: record.id, name: record.name, role: record.role, tenant: record.tenant };
}

function view(record: TokenRecord): TokenView {
  const { sha256: _hash, ...rest } = record;
  return rest;
}

function isRecord(value: unknown): value is TokenRecord {
  const r = value as TokenRecord;
  return !!r && typeof r.id === 'string' && typeof r.sha256 === 'string' && /^[0-9a-f]{64}$/.test(r.sha256) && isAccessRole(r.role) && (r.tenant === undefined || isTenantName(r.tenant));
}

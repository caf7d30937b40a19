import fs from 'node:fs';
import { importJwk, type VerificationKey } from './jws';

/** A JWKS larger than this is refused (an identity provider's holds a handful of keys: a few KiB). */
export const MAX_JWKS_BYTES = 1024 * 1024;
/** Keys kept from one JWKS, at most. */
export const MAX_JWKS_KEYS = 100;
const FETCH_TIMEOUT_MS = 5000;

export interface JwksSourceOptions {
  /** https:// (or http://) URL of the JWKS, e.g. the identity provider's jwks_uri. */
  url?: string;
  /** A JWKS file (JSON `{ "keys": [...] }`); re-read when it changes. */
  file?: string;
  /** Keys are fetched again this often (the provider rotates keys). */
  refreshMs: number;
  /** An unknown kid fetches the keys again at once, but not more often than this (a stream of made-up kids cannot make us hammer the provider). */
  minRefetchMs: number;
  log?: (line: string) => void;
}

/**
 * The verification keys of an identity provider, from a JWKS URL or file:
 * loaded once, kept in memory, refreshed on a timer and when a token names a
 * kid we do not have (key rotation), bounded in size and in how often it is
 * fetched. When a refresh fails the keys already held stay in use.
 */
export class JwksSource {
  private keys: VerificationKey[] = [];
  private loadedAtMs = 0;
  private lastAttemptMs = -Infinity;
  private lastError: string | undefined;
  private fileMtimeMs = -1;
  private loading: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: JwksSourceOptions) {
    if (!options.url === !options.file) throw new Error('JwksSource needs exactly one of url or file');
  }

  /** Where the keys come from, for messages. */
  get location(): string {
    return this.options.url ?? this.options.file!;
  }

  /** Loads the keys once and refreshes them on a timer (unref'd) until stop(). A failure is reported, not thrown: tokens are refused until keys load. */
  async start(): Promise<string | undefined> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.options.refreshMs);
    this.timer.unref();
    return this.lastError;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Why the last load failed, if it did (the keys held, if any, are from an earlier one). */
  get error(): string | undefined {
    return this.lastError;
  }

  get size(): number {
    return this.keys.length;
  }

  /**
   * The keys a token may be checked with: the one of its kid (fetched again
   * once when unknown, rate-limited), or all keys when it names none.
   */
  async keysFor(kid: string | undefined): Promise<VerificationKey[]> {
    if (this.options.file) this.reloadFileIfChanged();
    let found = this.match(kid);
    if (found.length === 0 && Date.now() - this.lastAttemptMs >= this.options.minRefetchMs) {
      await this.refresh();
      found = this.match(kid);
    }
    return found;
  }

  private match(kid: string | undefined): VerificationKey[] {
    return kid === undefined ? this.keys : this.keys.filter((k) => k.kid === kid);
  }

  /** One load at a time; callers during a load wait for it. */
  refresh(): Promise<void> {
    this.loading ??= this.load().finally(() => (this.loading = null));
    return this.loading;
  }

  private async load(): Promise<void> {
    this.lastAttemptMs = Date.now();
    try {
      const text = this.options.url ? await fetchBounded(this.options.url) : this.readFile();
      this.keys = parseJwks(text, this.options.log, this.location);
      this.loadedAtMs = Date.now();
      this.lastError = undefined;
    } catch (err) {
      const cause = (err as Error & { cause?: Error }).cause?.message;
      this.lastError = `JWKS ${this.location}: ${(err as Error).message}${cause ? ` (${cause})` : ''}`;
      this.options.log?.(`chainscope: warning: ${this.lastError}${this.keys.length > 0 ? ` (keeping the ${this.keys.length} key(s) loaded ${new Date(this.loadedAtMs).toISOString()})` : ''}`);
    }
  }

  private readFile(): string {
    const file = this.options.file!;
    const stat = fs.statSync(file);
    if (stat.size > MAX_JWKS_BYTES) throw new Error(`larger than ${MAX_JWKS_BYTES} bytes`);
    this.fileMtimeMs = stat.mtimeMs;
    return fs.readFileSync(file, 'utf8');
  }

  private reloadFileIfChanged(): void {
    if (Date.now() - this.lastAttemptMs < 1000) return;
    let mtimeMs: number;
    try {
      mtimeMs = fs.statSync(this.options.file!).mtimeMs;
    } catch {
      return;
    }
    if (mtimeMs !== this.fileMtimeMs) void this.refresh();
  }
}

/** The usable public keys of a JWKS document; keys that cannot be used are skipped (and said once per load). */
export function parseJwks(text: string, log: ((line: string) => void) | undefined, location: string): VerificationKey[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`not JSON: ${(err as Error).message.slice(0, 100)}`);
  }
  const list = (parsed as { keys?: unknown })?.keys;
  if (!Array.isArray(list)) throw new Error('not a JWKS (no "keys" list)');
  const keys: VerificationKey[] = [];
  const skipped: string[] = [];
  for (const [i, jwk] of list.entries()) {
    if (keys.length >= MAX_JWKS_KEYS) {
      skipped.push(`keys past the first ${MAX_JWKS_KEYS}`);
      break;
    }
    const key = importJwk(jwk);
    if (typeof key === 'string') skipped.push(`keys[${i}]: ${key}`);
    else keys.push(key);
  }
  if (skipped.length > 0) log?.(`chainscope: JWKS ${location}: skipped ${skipped.slice(0, 5).join('; ')}`);
  if (keys.length === 0) throw new Error('holds no usable public signing key (RSA, EC P-256/P-384, Ed25519)');
  return keys;
}

async function fetchBounded(url: string): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: 'follow', headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`answered HTTP ${response.status}`);
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > MAX_JWKS_BYTES) throw new Error(`larger than ${MAX_JWKS_BYTES} bytes`);
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > MAX_JWKS_BYTES) {
      await reader.cancel();
      throw new Error(`larger than ${MAX_JWKS_BYTES} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

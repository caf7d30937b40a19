import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TokenStore, tokensFileOf } from '../../../../core/security/token-store';

describe('TokenStore', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-tokens-'));
    file = path.join(dir, 'security', 'tokens.json');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keeps only the SHA-256 of a 256-bit token; the token verifies, others do not', () => {
    const store = new TokenStore(file);
    const { token, record } = store.create('ci', 'ingest');
    expect(token).toMatch(/^cs_[A-Za-z0-9_-]{43}$/);
    const text = fs.readFileSync(file, 'utf8');
    expect(text).not.toContain(token);
    expect(text).not.toContain(token.slice(3, 20));
    expect(JSON.parse(text).tokens[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(store.verify(token)).toMatchObject({ id: record.id, role: 'ingest', name: 'ci' });
    expect(store.verify(token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A'))).toBeUndefined();
    expect(store.verify('')).toBeUndefined();
    expect(store.verify('cs_' + 'x'.repeat(500))).toBeUndefined();
    // no temporary file left behind; the creation is in the audit log, the token is not
    expect(fs.readdirSync(path.dirname(file)).sort()).toEqual(['audit.jsonl', 'tokens.json']);
    expect(fs.readFileSync(path.join(path.dirname(file), 'audit.jsonl'), 'utf8')).not.toContain(token);
  });

  it('a token belongs to a tenant: "default" unless named, kept in the file, seen by verify', () => {
    const store = new TokenStore(file);
    const plain = store.create('ci', 'ingest');
    const acme = store.create('acme ci', 'read', 'acme-1');
    expect(plain.record.tenant).toBe('default');
    expect(acme.record.tenant).toBe('acme-1');
    expect(store.verify(acme.token)).toMatchObject({ tenant: 'acme-1', role: 'read' });
    expect(new TokenStore(file).list().map((t) => t.tenant)).toEqual(['default', 'acme-1']);
  });

  it('a tokens file written before tenants existed gives its tokens the tenant "default"', () => {
    const store = new TokenStore(file);
    const { token } = store.create('old', 'read');
    const saved = JSON.parse(fs.readFileSync(file, 'utf8'));
    delete saved.tokens[0].tenant;
    fs.writeFileSync(file, JSON.stringify(saved));
    expect(new TokenStore(file).verify(token)).toMatchObject({ tenant: 'default' });
  });

  it('a revoke through another instance (the CLI) is seen by a running one', async () => {
    const running = new TokenStore(file);
    const { token, record } = running.create('svc', 'read');
    expect(running.verify(token)).toBeDefined();
    new TokenStore(file).revoke(record.id);
    const deadline = Date.now() + 3000;
    while (running.verify(token) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(running.verify(token)).toBeUndefined();
    expect(running.isLive(record.id)).toBe(false);
    expect(running.list()[0].revokedAt).toEqual(expect.any(String));
  });

  it.each([
    ['a role that does not exist', () => new TokenStore('/nonexistent/x.json').create('x', 'root'), /role must be ingest, read or admin/],
    ['an empty name', () => new TokenStore('/nonexistent/x.json').create('  ', 'read'), /name must be 1 to 100 printable characters/],
    ['a name with control characters', () => new TokenStore('/nonexistent/x.json').create('a\nb', 'read'), /name must be/],
    ['an upper-case tenant', () => new TokenStore('/nonexistent/x.json').create('x', 'read', 'Acme'), /tenant must match/],
    ['a tenant with a path in it', () => new TokenStore('/nonexistent/x.json').create('x', 'read', '../etc'), /tenant must match/],
    ['a tenant of 64 characters', () => new TokenStore('/nonexistent/x.json').create('x', 'read', 'a'.repeat(64)), /tenant must match/],
  ])('refuses %s', (_what, make, message) => {
    expect(make).toThrow(message);
  });

  it('an unknown id is a NotFoundError; a file that is not a tokens file says so', () => {
    const store = new TokenStore(file);
    expect(() => store.revoke('nope')).toThrow(/no token with id "nope"/);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '{"other": 1}');
    expect(() => store.list()).toThrow(/is not a Chainscope tokens file/);
  });

  it('TOKENS_FILE wins over the default under DATA_DIR', () => {
    expect(tokensFileOf({ tokensFile: '', dataDir: '/d' })).toBe(path.join('/d', 'security', 'tokens.json'));
    expect(tokensFileOf({ tokensFile: '/run/secrets/t.json', dataDir: '/d' })).toBe('/run/secrets/t.json');
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AuditLog, auditFileBeside } from '../../../../core/security/audit-log';

describe('AuditLog', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-audit-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('appends one JSON line per action (mode 0600) and reads newest first, by action, bounded', () => {
    const log = new AuditLog(path.join(dir, 'security', 'audit.jsonl'));
    log.append('token.created', 'cli:ops', { tokenId: 'a1' });
    log.append('data.deleted', 'token:ab12', { tenant: 'acme', before: null });
    log.append('token.revoked', 'token:ab12', { tokenId: 'a1' });
    expect(fs.statSync(log.file).mode & 0o777).toBe(0o600);
    const lines = fs.readFileSync(log.file, 'utf8').trim().split('\n');
    expect(lines.map((l) => JSON.parse(l).action)).toEqual(['token.created', 'data.deleted', 'token.revoked']);
    expect(log.read(10).map((e) => e.action)).toEqual(['token.revoked', 'data.deleted', 'token.created']);
    expect(log.read(1)).toHaveLength(1);
    expect(log.read(10, 'data.deleted')).toEqual([{ at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), action: 'data.deleted', actor: 'token:ab12', detail: { tenant: 'acme', before: null } }]);
  });

  it('skips lines that are not entries (a torn or foreign line) and reads nothing from a missing file', () => {
    const file = path.join(dir, 'audit.jsonl');
    expect(new AuditLog(file).read(10)).toEqual([]);
    fs.writeFileSync(file, '{"at":"x","action":"token.created","actor":"a","detail":{}}\nnot json\n{"action":"rm -rf"}\n{"at":"y","action":"data.deleted","actor":"b","detail":{}}\n{"at":"z","act');
    expect(new AuditLog(file).read(10).map((e) => e.at)).toEqual(['y', 'x']);
  });

  it('lives beside the tokens file', () => {
    expect(auditFileBeside('/var/lib/chainscope/security/tokens.json')).toBe('/var/lib/chainscope/security/audit.jsonl');
  });
});

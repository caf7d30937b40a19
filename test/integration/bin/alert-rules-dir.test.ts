import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureFreshBuild } from '../../helpers/fresh-build';

/**
 * ALERT_RULES_DIR and the alerter role through the real CLI: a rule file that does not conform, a folder
 * that cannot be read, an alerter without rules or without ClickHouse each stop start-up before anything
 * listens, with one line saying why (exit 2).
 */
const ENTRY = path.resolve(__dirname, '..', '..', '..', 'dist', 'bin', 'chainscope.js');

beforeAll(() => ensureFreshBuild(), 180_000);

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-alert-rules-dir-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function run(role: string, env: Record<string, string>): { status: number | null; lines: string[] } {
  const result = spawnSync(process.execPath, [ENTRY, role], {
    env: { ...process.env, DEMO: '0', HOST: '127.0.0.1', PORT: '0', OTLP_HTTP_PORT: '0', OTLP_GRPC_PORT: 'off', ZIPKIN_PORT: 'off', DATA_DIR: path.join(dir, 'data'), ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, lines: result.stderr.trim().split('\n') };
}

describe('ALERT_RULES_DIR and the alerter role at start-up', () => {
  it('refuses a YAML rule file with a bad field in one line naming the file and the field, in the all-in-one and the alerter', () => {
    fs.writeFileSync(path.join(dir, 'shop.yaml'), 'rules:\n  - name: A\n    for: soon\n    severity: info\n    condition: { kind: anomaly }\n');
    const expected = `chainscope: cannot start: alert rules ${path.join(dir, 'shop.yaml')}: $.rules[0].for: expected a string matching ^[1-9][0-9]{0,5}(s|m|h)$ (like 30s, 2m, 1h), got "soon"`;
    expect(run('all-in-one', { ALERT_RULES_DIR: dir })).toEqual({ status: 2, lines: [expected] });
    expect(run('alerter', { ALERT_RULES_DIR: dir, SPAN_STORE: 'clickhouse', LOG_STORE: 'opensearch' })).toEqual({ status: 2, lines: [expected] });
  }, 120_000);

  it('refuses a folder that cannot be read, an alerter without rules and one without ClickHouse', () => {
    const missing = path.join(dir, 'missing');
    expect(run('all-in-one', { ALERT_RULES_DIR: missing })).toEqual({ status: 2, lines: [expect.stringMatching(new RegExp(`^chainscope: cannot start: ALERT_RULES_DIR ${missing} cannot be read: ENOENT`))] });
    expect(run('alerter', { SPAN_STORE: 'clickhouse', LOG_STORE: 'opensearch' })).toEqual({ status: 2, lines: ['chainscope: cannot start: the alerter role has no rules to evaluate: ALERT_RULES_DIR is not set'] });
    fs.writeFileSync(path.join(dir, 'a.json'), JSON.stringify({ rules: [{ name: 'A', severity: 'info', condition: { kind: 'anomaly' } }] }));
    expect(run('alerter', { ALERT_RULES_DIR: dir })).toEqual({ status: 2, lines: [expect.stringMatching(/^chainscope: cannot start: the alerter role keeps its lease and alert state .*\(SPAN_STORE=clickhouse\)/)] });
  }, 120_000);
});

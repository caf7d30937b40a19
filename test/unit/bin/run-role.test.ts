import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ValidationError } from '../../../core/errors';
import { planRole, roleConfig } from '../../../bin/run-role';

const names = (role: Parameters<typeof planRole>[0], env: NodeJS.ProcessEnv) => planRole(role, roleConfig(role, env)).map((p) => p.factory.name);

/** `expected` appear in `actual` in this order (other components, e.g. more receivers, may sit between). */
function expectInOrder(actual: string[], expected: string[]): void {
  const positions = expected.map((name) => actual.indexOf(name));
  expect(positions.every((p) => p >= 0)).toBe(true);
  expect([...positions].sort((a, b) => a - b)).toEqual(positions);
}

describe('roles are lists of components', () => {
  it('all-in-one runs every part; BUS=memory adds the spill keeper, syslog ports the syslog receiver, the demo its shipper and itself', () => {
    const bare = names('all-in-one', { DEMO: '0' });
    expectInOrder(bare, ['security', 'data folder', 'stores', 'bus', 'ingest', 'query API', 'receiver']);
    for (const absent of ['spill keeper', 'ops server', 'syslog receiver', 'log shipper', 'demo']) expect(bare).not.toContain(absent);
    expectInOrder(names('all-in-one', { BUS: 'memory', SYSLOG_UDP_PORT: '0' }), [
      'data folder', 'spill keeper', 'stores', 'bus', 'ingest', 'query API', 'receiver', 'syslog receiver', 'log shipper', 'demo',
    ]);
  });

  it('the distributed roles run a few parts each', () => {
    const kafka = { BUS: 'kafka', SPAN_STORE: 'clickhouse', LOG_STORE: 'opensearch' };
    const collector = names('collector', kafka);
    expectInOrder(collector, ['bus', 'ops server', 'receiver']);
    for (const absent of ['data folder', 'stores', 'ingest', 'query API', 'log shipper', 'demo']) expect(collector).not.toContain(absent);
    expect(names('ingest', kafka)).toEqual(['security', 'stores', 'bus', 'ingest', 'ops server']);
    // on ClickHouse the query role reads the alert state the alerters save there
    expect(names('query', kafka)).toEqual(['security', 'stores', 'saved alert state', 'query API']);
    expect(names('query', { BUS: 'kafka' })).toEqual(['security', 'data folder', 'stores', 'query API']);
  });

  it('the alerter runs the stores, its ops server and the evaluator; it needs rules and ClickHouse for its lease', () => {
    const rulesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-alerter-plan-'));
    try {
      fs.writeFileSync(path.join(rulesDir, 'r.json'), JSON.stringify({ rules: [{ name: 'A', severity: 'info', condition: { kind: 'anomaly' } }] }));
      const env = { SPAN_STORE: 'clickhouse', LOG_STORE: 'opensearch', ALERT_RULES_DIR: rulesDir };
      expect(names('alerter', env)).toEqual(['security', 'stores', 'ops server', 'alert evaluator']);
      expect(() => names('alerter', { ...env, SPAN_STORE: 'embedded' })).toThrow(/SPAN_STORE=clickhouse/);
      expect(() => names('alerter', { ...env, ALERT_RULES_DIR: '' })).toThrow(/no rules to evaluate: ALERT_RULES_DIR is not set/);
      // the all-in-one without rules runs no evaluator
      expect(names('all-in-one', { DEMO: '0' })).not.toContain('alert evaluator');
      expect(names('all-in-one', { DEMO: '0', ALERT_RULES_DIR: rulesDir })).toContain('alert evaluator');
    } finally {
      fs.rmSync(rulesDir, { recursive: true, force: true });
    }
  });

  it('a component checks its own section before anything starts: the in-process buses only in all-in-one', () => {
    expect(() => planRole('collector', roleConfig('collector', { BUS: 'wal' }))).toThrow(ValidationError);
    expect(() => planRole('collector', roleConfig('collector', { BUS: 'wal' }))).toThrow('BUS=wal only works in all-in-one; the collector role needs BUS=kafka');
  });
});

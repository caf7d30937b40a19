import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AlertRulesFileError, loadAlertRules } from '../../../alerting/rules';

describe('alert rule files', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-rules-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, body: unknown) => fs.writeFileSync(path.join(dir, name), typeof body === 'string' ? body : JSON.stringify(body));
  const problemsOf = (): { file: string; problems: { path: string; expected: string }[] } => {
    try {
      loadAlertRules(dir);
    } catch (err) {
      if (err instanceof AlertRulesFileError) return { file: path.basename(err.file), problems: err.problems };
      throw err;
    }
    throw new Error('no error');
  };
  /** Loading the folder fails naming `name` and, among its problems, one at `fieldPath` saying `expected`. */
  const expectProblem = (name: string, fieldPath: string, expected: RegExp) => {
    const { file, problems } = problemsOf();
    expect(file).toBe(name);
    const problem = problems.find((p) => p.path === fieldPath);
    expect({ problems, found: !!problem }).toMatchObject({ found: true });
    expect(problem!.expected).toMatch(expected);
  };

  it('reads threshold, anomaly and log-rate rules with their for, window, severity, labels and annotations', () => {
    write('payment.json', {
      rules: [
        {
          name: 'PaymentSlow',
          for: '2m',
          severity: 'critical',
          labels: { team: 'payments' },
          annotations: { runbook: 'https://runbooks/payment' },
          condition: { kind: 'threshold', metric: 'latency_p95_ms', service: 'payment', op: '>', value: 300, window: '3m' },
        },
        { name: 'AnyAnomaly', severity: 'warning', condition: { kind: 'anomaly', metric: 'error_rate' } },
        { name: 'PaymentErrorLogs', severity: 'info', condition: { kind: 'log_rate', query: 'level:error AND service:payment', op: '>', value: 10 } },
      ],
    });
    write('README.txt', 'not a rules file');
    const rules = loadAlertRules(dir);
    expect(rules.map((r) => [r.name, r.forMs, r.windowMs, r.severity, r.condition.kind])).toEqual([
      ['PaymentSlow', 120_000, 180_000, 'critical', 'threshold'],
      ['AnyAnomaly', 0, 300_000, 'warning', 'anomaly'],
      ['PaymentErrorLogs', 0, 300_000, 'info', 'log_rate'],
    ]);
    expect(rules[0].labels).toEqual({ team: 'payments' });
    expect(rules[0].file).toBe(path.join(dir, 'payment.json'));
    expect(loadAlertRules('')).toEqual([]);
  });

  it.each([
    ['not JSON', '{ rules: ', '$', /JSON/],
    ['an unknown condition kind', { rules: [{ name: 'A', severity: 'info', condition: { kind: 'magic' } }] }, '$.rules[0].condition.kind', /threshold/],
    ['a missing severity', { rules: [{ name: 'A', condition: { kind: 'anomaly' } }] }, '$.rules[0].severity', /required/],
    ['a bad duration', { rules: [{ name: 'A', for: 'soon', severity: 'info', condition: { kind: 'anomaly' } }] }, '$.rules[0].for', /like 30s, 2m, 1h/],
    ['an unknown field', { rules: [{ name: 'A', severity: 'info', condition: { kind: 'anomaly', colour: 'red' } }] }, '$.rules[0].condition.colour', /no property|not allowed|unknown/i],
    ['a threshold on both a service and an edge', { rules: [{ name: 'A', severity: 'info', condition: { kind: 'threshold', metric: 'error_rate', service: 's', source: 'a', target: 'b', op: '>', value: 1 } }] }, '$.rules[0].condition', /one of service .* or key/],
    ['a threshold on both a service and a business key', { rules: [{ name: 'A', severity: 'info', condition: { kind: 'threshold', metric: 'error_rate', service: 's', key: 'order.id', op: '>', value: 1 } }] }, '$.rules[0].condition', /one of service/],
    ['a KPI rule on a key not in BUSINESS_KEYS', { rules: [{ name: 'A', severity: 'info', condition: { kind: 'anomaly', key: 'parcel.id' } }] }, '$.rules[0].condition.key', /one of BUSINESS_KEYS \(order\.id, customer\.id, business\.id\), got "parcel\.id"/],
    ['a stage without a key', { rules: [{ name: 'A', severity: 'info', condition: { kind: 'threshold', metric: 'latency_p95_ms', service: 's', stage: 'pay', op: '>', value: 1 } }] }, '$.rules[0].condition.stage', /only with a key/],
    ['an anomaly rule on a service and a key', { rules: [{ name: 'A', severity: 'info', condition: { kind: 'anomaly', service: 's', key: 'order.id' } }] }, '$.rules[0].condition', /either service or key/],
    ['a bad log query', { rules: [{ name: 'A', severity: 'info', condition: { kind: 'log_rate', query: 'level:(', op: '>', value: 1 } }] }, '$.rules[0].condition.query', /log query/],
    ['a reserved label', { rules: [{ name: 'A', severity: 'info', labels: { severity: 'x' }, condition: { kind: 'anomaly' } }] }, '$.rules[0].labels.severity', /no "severity" label/],
    ['a window over 60 minutes', { rules: [{ name: 'A', severity: 'info', condition: { kind: 'anomaly', window: '2h' } }] }, '$.rules[0].condition.window', /at most 60m/],
  ])('refuses %s, naming the file and the field', (_what, body, fieldPath, expected) => {
    write('bad.json', body);
    expectProblem('bad.json', fieldPath, expected);
  });

  it('reads YAML files (.yaml, .yml) as their JSON twins', () => {
    write(
      'payment.yaml',
      [
        '# payment team',
        'rules:',
        '  - name: PaymentSlow',
        '    for: 2m',
        '    severity: critical',
        '    labels: { team: payments }',
        '    annotations:',
        '      runbook: https://runbooks/payment',
        '    condition:',
        '      kind: threshold',
        '      metric: latency_p95_ms',
        '      service: payment',
        "      op: '>'",
        '      value: 300',
        '      window: 3m',
        '',
      ].join('\n'),
    );
    write('orders.yml', 'rules:\n  - { name: OrdersSlow, severity: warning, condition: { kind: threshold, metric: latency_p95_ms, key: order.id, stage: "2024-01-01", op: ">", value: 2000 } }\n');
    const rules = loadAlertRules(dir);
    expect(rules.map((r) => [r.name, r.forMs, r.windowMs, r.severity, path.basename(r.file)])).toEqual([
      ['OrdersSlow', 0, 300_000, 'warning', 'orders.yml'],
      ['PaymentSlow', 120_000, 180_000, 'critical', 'payment.yaml'],
    ]);
    expect(rules[1].labels).toEqual({ team: 'payments' });
    expect(rules[1].condition).toEqual({ kind: 'threshold', metric: 'latency_p95_ms', service: 'payment', op: '>', value: 300, window: '3m' });
    // a date-like stage stays text (the core schema has no dates)
    expect(rules[0].condition).toMatchObject({ key: 'order.id', stage: '2024-01-01' });
  });

  it.each([
    ['broken YAML', 'rules:\n  - name: A\n   severity: info\n', '$', /^YAML \(.*line 3/],
    ['a duplicate key', 'rules:\n  - name: A\n    name: B\n    severity: info\n    condition: { kind: anomaly }\n', '$', /^YAML \(duplicated mapping key/],
    ['a bad duration', 'rules:\n  - name: A\n    for: soon\n    severity: info\n    condition: { kind: anomaly }\n', '$.rules[0].for', /like 30s, 2m, 1h/],
    ['a number for a severity', 'rules:\n  - name: A\n    severity: 3\n    condition: { kind: anomaly }\n', '$.rules[0].severity', /critical/],
    ['an alias bomb', ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...'bcdefg'.split('').map((k, i) => `${k}: &${k} [${Array(10).fill(`*${'abcdefg'[i]}`).join(', ')}]`), 'rules: *g', ''].join('\n'), '$', /at most 100000 values/],
  ])('refuses a YAML file with %s, naming the file and the field', (_what, text, fieldPath, expected) => {
    write('bad.yaml', text);
    expectProblem('bad.yaml', fieldPath, expected);
  });

  it('refuses a rule name used in two files, naming the second', () => {
    const rule = { name: 'Twice', severity: 'info', condition: { kind: 'anomaly' } };
    write('a.json', { rules: [rule] });
    write('b.json', { rules: [rule] });
    const { file, problems } = problemsOf();
    expect(file).toBe('b.json');
    expect(problems[0]).toMatchObject({ path: '$.rules[0].name', expected: expect.stringContaining('a.json') });
  });
});

import fs from 'node:fs';
import path from 'node:path';
import { SchemaValidator, type JsonSchema, type SchemaProblem } from '../core/dashboards/json-schema';
import { parseLogQuery } from '../core/logql';
import { parseRuleDocument, RULE_FILE_EXTENSIONS } from './rule-document';
import type { SeriesMetric } from '../core/anomaly';
import { DEFAULT_CONFIG } from '../core/config';
import { CannotStartError } from '../core/errors';

/** Alert rules as files (docs/alerts.md, alert-rules/alert-rules.schema.json). */

export type Severity = 'critical' | 'warning' | 'info';

export type AlertCondition =
  | { kind: 'threshold'; metric: SeriesMetric; service?: string; operation?: string; source?: string; target?: string; key?: string; stage?: string; op: '>' | '<'; value: number; window?: string }
  | { kind: 'anomaly'; metric?: SeriesMetric; service?: string; key?: string; stage?: string; minScore?: number; window?: string }
  | { kind: 'log_rate'; query: string; op: '>' | '<'; value: number; window?: string };

export interface AlertRule {
  name: string;
  /** How long the condition must hold before the alert fires (ms); 0: at the first evaluation. */
  forMs: number;
  severity: Severity;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  condition: AlertCondition;
  /** The window a condition is judged over (ms, whole minutes), default 5 minutes. */
  windowMs: number;
  /** File the rule came from. */
  file: string;
}

export const DEFAULT_CONDITION_WINDOW_MS = 5 * 60_000;
/** Longest condition window (the anomalies API judges at most 60 minutes). */
export const MAX_CONDITION_WINDOW_MS = 60 * 60_000;
export const MAX_RULE_FILE_BYTES = 256 * 1024;
export const MAX_RULE_FILES = 200;
/** Labels the evaluator sets itself; a rule may not set them. */
const RESERVED_LABELS = ['alertname', 'severity'];

/** A rule as GET /api/alerts and /api/alerts/rules list it: `lastError` says why its last evaluation failed (null when it did not, or when this process evaluates no rules). */
export type AlertRuleView = AlertRule & { lastError: string | null };

export function alertRuleView(rule: AlertRule, lastError: string | null): AlertRuleView {
  const { name, severity, forMs, windowMs, labels, annotations, condition, file } = rule;
  return { name, severity, forMs, windowMs, labels, annotations, condition, file, lastError };
}

/** A rules file that does not conform: the file, and each problem's JSON path and what was expected there. */
export class AlertRulesFileError extends CannotStartError {
  constructor(
    readonly file: string,
    readonly problems: SchemaProblem[],
  ) {
    super(`alert rules ${file}: ${problems.map((p) => `${p.path}: expected ${p.expected}`).join('; ')}`);
  }
}

/** The published schema, found from this file in alerting/ or dist/alerting/. */
export function alertRulesSchemaPath(): string {
  let dir = __dirname;
  for (let i = 0; i < 4; i++) {
    const candidate = path.join(dir, 'alert-rules', 'alert-rules.schema.json');
    if (fs.existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error(`alert-rules/alert-rules.schema.json not found above ${__dirname}`);
}

let validator: SchemaValidator | undefined;
function rulesValidator(): SchemaValidator {
  validator ??= new SchemaValidator(JSON.parse(fs.readFileSync(alertRulesSchemaPath(), 'utf8')) as JsonSchema);
  return validator;
}

/** `30s`, `2m`, `1h` → ms. */
export function durationMs(text: string): number {
  const m = /^(\d+)(s|m|h)$/.exec(text);
  if (!m) throw new Error(`not a duration: ${text}`);
  return Number(m[1]) * (m[2] === 'h' ? 3_600_000 : m[2] === 'm' ? 60_000 : 1000);
}

/**
 * Every rule of the folder's *.json, *.yaml and *.yml files (sorted by name); '' = none. Throws AlertRulesFileError naming
 * the file and field of the first bad file. `businessKeys` (BUSINESS_KEYS): the keys a KPI rule may name.
 */
export function loadAlertRules(dir: string, businessKeys: readonly string[] = DEFAULT_CONFIG.businessKeys): AlertRule[] {
  if (!dir) return [];
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => RULE_FILE_EXTENSIONS.some((ext) => n.endsWith(ext)) && !n.endsWith('.schema.json')).sort();
  } catch (err) {
    throw new CannotStartError(`ALERT_RULES_DIR ${dir} cannot be read: ${(err as Error).message}`);
  }
  if (names.length > MAX_RULE_FILES) throw new CannotStartError(`ALERT_RULES_DIR ${dir} holds ${names.length} rule files, at most ${MAX_RULE_FILES} are read`);
  const rules: AlertRule[] = [];
  const seen = new Map<string, string>();
  for (const name of names) {
    const file = path.join(dir, name);
    const fileRules = loadAlertRulesFile(file, businessKeys);
    fileRules.forEach((rule, i) => {
      const other = seen.get(rule.name);
      if (other !== undefined) throw new AlertRulesFileError(file, [{ path: `$.rules[${i}].name`, expected: `a name no other rule has ("${rule.name}" is in ${other})` }]);
      seen.set(rule.name, file);
    });
    rules.push(...fileRules);
  }
  return rules;
}

/** One rules file (JSON, or YAML by its extension), validated against the schema and the rules a schema cannot say. */
export function loadAlertRulesFile(file: string, businessKeys: readonly string[] = DEFAULT_CONFIG.businessKeys): AlertRule[] {
  const size = fs.statSync(file).size;
  if (size > MAX_RULE_FILE_BYTES) throw new AlertRulesFileError(file, [{ path: '$', expected: `at most ${MAX_RULE_FILE_BYTES} bytes, got ${size}` }]);
  const parsed = parseRuleDocument(file, fs.readFileSync(file, 'utf8'));
  if ('problem' in parsed) throw new AlertRulesFileError(file, [parsed.problem]);
  const document = parsed.document;
  const problems = rulesValidator().validate(document);
  if (problems.length) throw new AlertRulesFileError(file, problems);
  const raw = (document as { rules: RawRule[] }).rules;
  const semantic = raw.flatMap((r, i) => ruleProblems(r, `$.rules[${i}]`, businessKeys));
  if (semantic.length) throw new AlertRulesFileError(file, semantic);
  return raw.map((r) => ({
    name: r.name,
    forMs: r.for ? durationMs(r.for) : 0,
    severity: r.severity,
    labels: r.labels ?? {},
    annotations: r.annotations ?? {},
    condition: r.condition,
    windowMs: r.condition.window ? durationMs(r.condition.window) : DEFAULT_CONDITION_WINDOW_MS,
    file,
  }));
}

interface RawRule {
  name: string;
  for?: string;
  severity: Severity;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  condition: AlertCondition;
}

function ruleProblems(rule: RawRule, at: string, businessKeys: readonly string[]): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  for (const label of Object.keys(rule.labels ?? {})) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(label)) problems.push({ path: `${at}.labels`, expected: `label names of letters, digits and _ (Alertmanager's), got "${label}"` });
    if (RESERVED_LABELS.includes(label)) problems.push({ path: `${at}.labels.${label}`, expected: `no "${label}" label (set from the rule's ${label === 'alertname' ? 'name' : 'severity'})` });
  }
  const c = rule.condition;
  const w = c.window ? durationMs(c.window) : DEFAULT_CONDITION_WINDOW_MS;
  if (w % 60_000 !== 0 || w > MAX_CONDITION_WINDOW_MS) problems.push({ path: `${at}.condition.window`, expected: 'whole minutes, at most 60m' });
  if (c.kind !== 'log_rate' && c.stage !== undefined && c.key === undefined) problems.push({ path: `${at}.condition.stage`, expected: 'a stage only with a key' });
  if (c.kind !== 'log_rate' && c.key !== undefined && !businessKeys.includes(c.key)) {
    problems.push({ path: `${at}.condition.key`, expected: `one of BUSINESS_KEYS (${businessKeys.join(', ')}), got "${c.key}"` });
  }
  if (c.kind === 'anomaly' && c.key !== undefined && c.service !== undefined) problems.push({ path: `${at}.condition`, expected: 'either service or key (a business KPI), not both' });
  if (c.kind === 'threshold') {
    const service = c.service !== undefined;
    const edge = c.source !== undefined || c.target !== undefined;
    const kpi = c.key !== undefined;
    if (Number(service) + Number(edge) + Number(kpi) !== 1) {
      problems.push({ path: `${at}.condition`, expected: 'one of service (with an optional operation), source and target (an edge), or key (a business KPI, with an optional stage)' });
    }
    if (edge && (c.source === undefined || c.target === undefined)) problems.push({ path: `${at}.condition`, expected: 'both source and target for an edge' });
    if (c.operation !== undefined && !service) problems.push({ path: `${at}.condition.operation`, expected: 'an operation only with a service' });
  }
  if (c.kind === 'log_rate') {
    try {
      parseLogQuery(c.query, 'query');
    } catch (err) {
      problems.push({ path: `${at}.condition.query`, expected: `a log query (${(err as Error).message})` });
    }
  }
  return problems;
}

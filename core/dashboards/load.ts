import fs from 'node:fs';
import path from 'node:path';
import { CannotStartError } from '../errors';
import { parseLogQuery } from '../logql';
import { childPath, SchemaValidator, type JsonSchema, type SchemaProblem } from './json-schema';
import {
  DASHBOARD_DEFAULTS,
  durationMs,
  MAX_PANEL_WINDOW_MS,
  PANEL_QUERIES,
  type DashboardDefinition,
  type PanelDefinition,
} from './model';

/** Dashboard files larger than this are refused (a dashboard is a few KiB). */
export const MAX_DASHBOARD_FILE_BYTES = 256 * 1024;
/** Most dashboard files read from one folder. */
export const MAX_DASHBOARD_FILES = 200;

/**
 * A dashboard file that does not conform: the file, and each problem's JSON
 * path and what was expected there. A start-up failure: the entry point prints
 * it as one line and exits 2.
 */
export class DashboardFileError extends CannotStartError {
  constructor(
    readonly file: string,
    readonly problems: SchemaProblem[],
  ) {
    super(`dashboard ${file}: ${problems.map((p) => `${p.path}: expected ${p.expected}`).join('; ')}`);
  }
}

/** The shipped dashboards folder (the repository's dashboards/), found from this file in core/dashboards or dist/core/dashboards. */
export function shippedDashboardsDir(): string {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    const candidate = path.join(dir, 'dashboards');
    if (fs.existsSync(path.join(candidate, 'dashboard.schema.json'))) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error(`dashboards/dashboard.schema.json not found above ${__dirname}`);
}

let validator: SchemaValidator | undefined;

/** The published schema (dashboards/dashboard.schema.json) as a validator. */
export function dashboardValidator(): SchemaValidator {
  validator ??= new SchemaValidator(JSON.parse(fs.readFileSync(path.join(shippedDashboardsDir(), 'dashboard.schema.json'), 'utf8')) as JsonSchema);
  return validator;
}

export interface LoadOptions {
  /** The configured business keys: a panel's `key` must be one of them. */
  businessKeys: readonly string[];
}

/**
 * Every dashboard of the shipped folder, then of `extraDir` (DASHBOARDS_DIR;
 * '' = none): one `<id>.json` per dashboard; a file of `extraDir` replaces the
 * shipped dashboard of the same id. Throws DashboardFileError on the first
 * file that does not conform, CannotStartError when a folder cannot be read.
 */
export function loadDashboards(extraDir: string, options: LoadOptions): Map<string, DashboardDefinition> {
  const dashboards = new Map<string, DashboardDefinition>();
  for (const dir of [shippedDashboardsDir(), ...(extraDir ? [path.resolve(extraDir)] : [])]) {
    for (const d of loadFolder(dir, options)) dashboards.set(d.id, d);
  }
  return dashboards;
}

function loadFolder(dir: string, options: LoadOptions): DashboardDefinition[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => n.endsWith('.json') && !n.endsWith('.schema.json')).sort();
  } catch (err) {
    throw new CannotStartError(`DASHBOARDS_DIR ${dir} cannot be read: ${(err as Error).message}`);
  }
  if (names.length > MAX_DASHBOARD_FILES) throw new CannotStartError(`${dir} holds ${names.length} dashboard files, at most ${MAX_DASHBOARD_FILES} are read`);
  return names.map((n) => loadDashboardFile(path.join(dir, n), options));
}

/** One dashboard file, validated against the schema and the rules a schema cannot say. */
export function loadDashboardFile(file: string, options: LoadOptions): DashboardDefinition {
  const size = fs.statSync(file).size;
  if (size > MAX_DASHBOARD_FILE_BYTES) throw new DashboardFileError(file, [{ path: '$', expected: `at most ${MAX_DASHBOARD_FILE_BYTES} bytes, got ${size}` }]);
  let document: unknown;
  try {
    document = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new DashboardFileError(file, [{ path: '$', expected: `JSON (${(err as Error).message})` }]);
  }
  const problems = dashboardValidator().validate(document);
  if (problems.length) throw new DashboardFileError(file, problems);
  const raw = document as Partial<DashboardDefinition> & Pick<DashboardDefinition, 'id' | 'title' | 'panels'>;
  const dashboard: DashboardDefinition = {
    id: raw.id,
    title: raw.title,
    description: raw.description ?? '',
    window: raw.window ?? DASHBOARD_DEFAULTS.window,
    refresh: raw.refresh ?? DASHBOARD_DEFAULTS.refresh,
    columns: raw.columns ?? DASHBOARD_DEFAULTS.columns,
    rows: raw.rows ?? DASHBOARD_DEFAULTS.rows,
    panels: raw.panels,
  };
  const rules = ruleProblems(dashboard, path.basename(file, '.json'), options);
  if (rules.length) throw new DashboardFileError(file, rules);
  return dashboard;
}

/** What the schema cannot say: the id is the file name, panels are unique and inside the grid without overlapping, windows, queries and keys. */
function ruleProblems(d: DashboardDefinition, fileId: string, options: LoadOptions): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  if (d.id !== fileId) problems.push({ path: '$.id', expected: `"${fileId}" (the file name without .json), got "${d.id}"` });
  if (durationMs(d.window) > MAX_PANEL_WINDOW_MS) problems.push({ path: '$.window', expected: 'a window of at most 24h' });
  const seen = new Map<string, number>();
  const cells = new Map<string, string>();
  d.panels.forEach((panel, i) => {
    const at = `$.panels[${i}]`;
    const first = seen.get(panel.id);
    if (first !== undefined) problems.push({ path: `${at}.id`, expected: `an id not used by another panel ("${panel.id}" is $.panels[${first}])` });
    seen.set(panel.id, i);
    problems.push(...panelProblems(panel, at, d, options));
    for (let x = panel.x; x < Math.min(panel.x + panel.w, d.columns); x++) {
      for (let y = panel.y; y < Math.min(panel.y + panel.h, d.rows); y++) {
        const other = cells.get(`${x},${y}`);
        if (other !== undefined && !problems.some((p) => p.path === at)) {
          problems.push({ path: at, expected: `a place not overlapping panel "${other}" (cell x=${x}, y=${y})` });
        }
        cells.set(`${x},${y}`, panel.id);
      }
    }
  });
  return problems;
}

function panelProblems(panel: PanelDefinition, at: string, d: DashboardDefinition, options: LoadOptions): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  if (panel.x + panel.w > d.columns) problems.push({ path: `${at}.w`, expected: `x + w ≤ columns (${d.columns}), got ${panel.x} + ${panel.w}` });
  if (panel.y + panel.h > d.rows) problems.push({ path: `${at}.h`, expected: `y + h ≤ rows (${d.rows}), got ${panel.y} + ${panel.h}` });
  if (panel.window && durationMs(panel.window) > MAX_PANEL_WINDOW_MS) problems.push({ path: `${at}.window`, expected: 'a window of at most 24h' });
  const allowed = PANEL_QUERIES[panel.type];
  const q = panel.query;
  if (!allowed.includes(q.kind)) problems.push({ path: `${at}.query.kind`, expected: `for a ${panel.type} panel one of ${allowed.map((k) => `"${k}"`).join(', ')}` });
  if (q.kind === 'orders' && panel.type === 'stat' && q.measure === 'latency') {
    problems.push({ path: `${at}.query.measure`, expected: 'for a stat panel a single value (ordersPerMinute, successRate, p50Ms, p95Ms, p99Ms)' });
  }
  if ('key' in q && q.key !== undefined && !options.businessKeys.includes(q.key)) {
    problems.push({ path: `${at}.query.key`, expected: `one of the configured BUSINESS_KEYS (${options.businessKeys.join(', ')}), got "${q.key}"` });
  }
  if ('q' in q && q.q !== undefined) {
    try {
      parseLogQuery(q.q);
    } catch (err) {
      problems.push({ path: `${at}.query.q`, expected: `a log query (${(err as Error).message})` });
    }
  }
  for (const [measure, t] of Object.entries(panel.thresholds ?? {})) {
    const worse = (t.direction ?? 'above') === 'above' ? t.critical >= t.warn : t.critical <= t.warn;
    if (!worse) problems.push({ path: childPath(`${at}.thresholds`, measure), expected: `critical ${t.direction === 'below' ? '≤' : '≥'} warn` });
  }
  return problems;
}

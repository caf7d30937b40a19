import type { SchemaProblem } from '../core/dashboards/json-schema';

/** The extensions of rule files ALERT_RULES_DIR reads: JSON, or YAML for those who write Prometheus rules. */
export const RULE_FILE_EXTENSIONS = ['.json', '.yaml', '.yml'] as const;

/** Values (objects, arrays, scalars) a rules document may hold at most: YAML aliases may not fan it out beyond. */
const MAX_DOCUMENT_VALUES = 100_000;

interface JsYaml {
  safeLoad(text: string, options: { filename: string; schema: unknown; json: boolean }): unknown;
  CORE_SCHEMA: unknown;
}

/** The document of a rules file's text, or the problem at its root (what is wrong, where in the text). */
export function parseRuleDocument(file: string, text: string): { document: unknown } | { problem: SchemaProblem } {
  if (!/\.ya?ml$/i.test(file)) {
    try {
      return { document: JSON.parse(text) };
    } catch (err) {
      return { problem: { path: '$', expected: `JSON (${(err as Error).message})` } };
    }
  }
  // loaded only for YAML files; js-yaml 3 is plain JS without types
  const yaml = require('js-yaml') as JsYaml;
  let document: unknown;
  try {
    // the core schema: null, booleans, numbers and strings, as JSON has (no dates, no custom tags); duplicate keys are errors
    document = yaml.safeLoad(text, { filename: file, schema: yaml.CORE_SCHEMA, json: false });
  } catch (err) {
    return { problem: { path: '$', expected: `YAML (${String((err as Error).message).split('\n', 1)[0]})` } };
  }
  if (!withinValues(document, MAX_DOCUMENT_VALUES)) {
    return { problem: { path: '$', expected: `at most ${MAX_DOCUMENT_VALUES} values (YAML aliases count each time they are used)` } };
  }
  return { document };
}

/** Whether walking the document (every alias use again) meets at most `budget` values. */
function withinValues(document: unknown, budget: number): boolean {
  const stack: unknown[] = [document];
  let seen = 0;
  while (stack.length > 0) {
    const value = stack.pop();
    if (++seen > budget) return false;
    if (Array.isArray(value)) stack.push(...value);
    else if (value !== null && typeof value === 'object') stack.push(...Object.values(value));
  }
  return true;
}

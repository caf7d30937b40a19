/**
 * A validator for the subset of JSON Schema (2020-12) that
 * dashboards/dashboard.schema.json uses: type, const, enum, required,
 * properties, additionalProperties (false or a schema), items, minItems,
 * maxItems, minLength, maxLength, pattern, minimum, maximum, local $ref
 * (#/$defs/…) and oneOf whose branches are told apart by a `const` property
 * (so an error names the branch the document meant, not every branch).
 * Any other keyword in a schema is refused when the validator is built, so the
 * published schema cannot silently say more than is checked.
 */

export type JsonSchema = Record<string, unknown>;

export interface SchemaProblem {
  /** JSON path in the document: $.panels[2].query.kind */
  path: string;
  /** What was expected there. */
  expected: string;
}

const KNOWN = new Set([
  '$schema', '$id', '$defs', '$ref', 'title', 'description', 'default',
  'type', 'const', 'enum', 'required', 'properties', 'additionalProperties', 'items',
  'minItems', 'maxItems', 'minLength', 'maxLength', 'pattern', 'minimum', 'maximum', 'oneOf',
]);

/** Most problems reported for one document (the first ones in document order). */
const MAX_PROBLEMS = 20;

export class SchemaValidator {
  private readonly patterns = new Map<string, RegExp>();

  constructor(private readonly root: JsonSchema) {
    this.check(root, '#');
  }

  /** Problems of `value` against the root schema; empty when it conforms. */
  validate(value: unknown): SchemaProblem[] {
    const problems: SchemaProblem[] = [];
    this.walk(value, this.root, '$', problems);
    return problems.slice(0, MAX_PROBLEMS);
  }

  private check(schema: JsonSchema, at: string): void {
    for (const key of Object.keys(schema)) {
      if (!KNOWN.has(key)) throw new Error(`schema keyword "${key}" at ${at} is not supported by core/dashboards/json-schema.ts`);
    }
    const children: [string, unknown][] = [];
    for (const k of ['$defs', 'properties'] as const) {
      for (const [name, s] of Object.entries((schema[k] as Record<string, unknown>) ?? {})) children.push([`${at}/${k}/${name}`, s]);
    }
    if (isObject(schema.items)) children.push([`${at}/items`, schema.items]);
    if (isObject(schema.additionalProperties)) children.push([`${at}/additionalProperties`, schema.additionalProperties]);
    (Array.isArray(schema.oneOf) ? schema.oneOf : []).forEach((s, i) => children.push([`${at}/oneOf/${i}`, s]));
    if (typeof schema.pattern === 'string') this.patterns.set(schema.pattern, new RegExp(schema.pattern, 'u'));
    if (typeof schema.$ref === 'string') this.resolve(schema.$ref);
    for (const [path, s] of children) this.check(s as JsonSchema, path);
  }

  private resolve(ref: string): JsonSchema {
    const m = /^#\/\$defs\/([A-Za-z0-9_-]+)$/.exec(ref);
    const defs = (this.root.$defs ?? {}) as Record<string, JsonSchema>;
    if (!m || !defs[m[1]]) throw new Error(`schema $ref "${ref}" does not name an entry of $defs`);
    return defs[m[1]];
  }

  private walk(value: unknown, schema: JsonSchema, path: string, out: SchemaProblem[]): void {
    if (out.length >= MAX_PROBLEMS) return;
    if (typeof schema.$ref === 'string') return this.walk(value, this.resolve(schema.$ref), path, out);
    if (Array.isArray(schema.oneOf)) return this.oneOf(value, schema.oneOf as JsonSchema[], path, out);
    if ('const' in schema && value !== schema.const) return void out.push({ path, expected: JSON.stringify(schema.const) });
    if (Array.isArray(schema.enum) && !schema.enum.includes(value as never)) {
      return void out.push({ path, expected: `one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}` });
    }
    if (typeof schema.type === 'string' && !hasType(value, schema.type)) {
      return void out.push({ path, expected: `${article(schema.type)} ${schema.type}, got ${typeName(value)}` });
    }
    if (typeof value === 'string') this.string(value, schema, path, out);
    else if (typeof value === 'number') this.number(value, schema, path, out);
    else if (Array.isArray(value)) this.array(value, schema, path, out);
    else if (isObject(value)) this.object(value, schema, path, out);
  }

  private string(value: string, schema: JsonSchema, path: string, out: SchemaProblem[]): void {
    const length = [...value].length;
    if (typeof schema.minLength === 'number' && length < schema.minLength) out.push({ path, expected: `a string of at least ${schema.minLength} characters` });
    if (typeof schema.maxLength === 'number' && length > schema.maxLength) out.push({ path, expected: `a string of at most ${schema.maxLength} characters` });
    if (typeof schema.pattern === 'string' && !this.patterns.get(schema.pattern)!.test(value)) {
      out.push({ path, expected: `a string matching ${schema.pattern}${schema.description ? ` (${schema.description})` : ''}, got ${JSON.stringify(value.slice(0, 60))}` });
    }
  }

  private number(value: number, schema: JsonSchema, path: string, out: SchemaProblem[]): void {
    if (typeof schema.minimum === 'number' && value < schema.minimum) out.push({ path, expected: `a number ≥ ${schema.minimum}, got ${value}` });
    if (typeof schema.maximum === 'number' && value > schema.maximum) out.push({ path, expected: `a number ≤ ${schema.maximum}, got ${value}` });
  }

  private array(value: unknown[], schema: JsonSchema, path: string, out: SchemaProblem[]): void {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) out.push({ path, expected: `at least ${schema.minItems} items, got ${value.length}` });
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) out.push({ path, expected: `at most ${schema.maxItems} items, got ${value.length}` });
    if (isObject(schema.items)) value.forEach((item, i) => this.walk(item, schema.items as JsonSchema, `${path}[${i}]`, out));
  }

  private object(value: Record<string, unknown>, schema: JsonSchema, path: string, out: SchemaProblem[]): void {
    const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
    for (const name of (schema.required as string[] | undefined) ?? []) {
      if (!(name in value)) out.push({ path: childPath(path, name), expected: `a required property "${name}"` });
    }
    for (const [name, v] of Object.entries(value)) {
      const p = childPath(path, name);
      if (properties[name]) this.walk(v, properties[name], p, out);
      else if (schema.additionalProperties === false) {
        const known = Object.keys(properties);
        out.push({ path: p, expected: `no property "${name}" here (known: ${known.join(', ')})` });
      } else if (isObject(schema.additionalProperties)) this.walk(v, schema.additionalProperties, p, out);
    }
  }

  /** The branch whose const properties the value carries; none → the discriminator's allowed values. */
  private oneOf(value: unknown, branches: JsonSchema[], path: string, out: SchemaProblem[]): void {
    const discriminators = branches.map(constProperties);
    const name = discriminators[0]?.[0]?.[0];
    if (!isObject(value)) return void out.push({ path, expected: `an object, got ${typeName(value)}` });
    const chosen = branches.filter((_, i) => discriminators[i].every(([k, c]) => value[k] === c));
    if (chosen.length === 1) return this.walk(value, chosen[0], path, out);
    const allowed = discriminators.map((d) => JSON.stringify(d.find(([k]) => k === name)?.[1])).join(', ');
    out.push({ path: name ? childPath(path, name) : path, expected: `one of ${allowed}` });
  }
}

function constProperties(schema: JsonSchema): [string, unknown][] {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  return Object.entries(properties)
    .filter(([, s]) => 'const' in s)
    .map(([k, s]) => [k, s.const]);
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'object':
      return isObject(value);
    case 'array':
      return Array.isArray(value);
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'string':
    case 'boolean':
      return typeof value === type;
    case 'null':
      return value === null;
    default:
      return false;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (Number.isInteger(value)) return `the integer ${value}`;
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'string') return `the string ${JSON.stringify(value.slice(0, 40))}`;
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

const article = (type: string) => (/^[aeiou]/.test(type) ? 'an' : 'a');

/** `$.a`, `$.panels`, `$["odd key"]` */
export function childPath(path: string, name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? `${path}.${name}` : `${path}[${JSON.stringify(name)}]`;
}

/**
 * The grammar of a log file source, shared by the file shipper
 * (`chainscope ship`, collector/shipper) and the all-in-one's settings
 * (LOG_FORMAT, LOG_SERVICE_FROM in core/config.ts), so both accept and refuse
 * the same values with the same words. Each function throws a plain Error
 * naming the problem; callers prefix the option's name.
 */

/** How a line is read: `plain`, `json`, `logfmt` or `regex:<pattern with (?<name>…) groups>`. */
export type ParserSpec = { kind: 'plain' } | { kind: 'json' } | { kind: 'logfmt' } | { kind: 'regex'; pattern: RegExp };

/** Reads `json`, `logfmt`, `plain` or `regex:<pattern with (?<name>…) groups>`. */
export function parseParserSpec(value: string): ParserSpec {
  if (value === 'plain' || value === 'json' || value === 'logfmt') return { kind: value };
  if (value.startsWith('regex:')) {
    const source = value.slice('regex:'.length);
    let pattern: RegExp;
    try {
      pattern = new RegExp(source);
    } catch (err) {
      throw new Error(`format regex is not a valid regular expression: ${(err as Error).message}`);
    }
    if (!/\(\?<[A-Za-z_]\w*>/.test(source)) throw new Error('format regex needs named groups, e.g. regex:^(?<time>\\S+) (?<level>\\w+) (?<message>.*)$');
    return { kind: 'regex', pattern };
  }
  throw new Error(`format must be json, logfmt, plain or regex:<pattern>, got "${value}"`);
}

/**
 * Where a record's service.name comes from (a source's `serviceFrom`), tried in
 * order; the source's fixed `service` when none of them gives a name.
 * - `field`: a parsed field of the record (JSON, logfmt, regex named group); the
 *   field is then not kept as an attribute.
 * - `file`: the file's base name without log and rotation extensions.
 */
export type ServiceRule = { kind: 'field'; name: string } | { kind: 'file' };

/** Longest field name `field:<name>` accepts. */
export const MAX_FIELD_NAME_LENGTH = 256;

/** Reads `field:<name>` or `file`. */
export function parseServiceRule(value: string): ServiceRule {
  if (value === 'file') return { kind: 'file' };
  if (value.startsWith('field:')) {
    const name = value.slice('field:'.length);
    if (name.trim() === '') throw new Error(`needs a field name after "field:", got "${value}"`);
    if (name.length > MAX_FIELD_NAME_LENGTH) throw new Error(`field name is longer than ${MAX_FIELD_NAME_LENGTH} characters, got "${value.slice(0, 40)}…"`);
    return { kind: 'field', name };
  }
  throw new Error(`must be field:<name> or file, got "${value}"`);
}

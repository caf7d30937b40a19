import type { AttributeValue, Attributes } from '../../core/model';

/**
 * Line parsers: each turns the text of one record into a body and fields.
 * A line the parser cannot read is kept whole as the body with no fields
 * (never dropped) and counted by the caller through `parsed: false`.
 */
export interface Parsed {
  body: string;
  fields: Attributes;
  parsed: boolean;
}

export type LineParser = (text: string) => Parsed;

// The format grammar is shared with the all-in-one's LOG_FORMAT (core/log-source-spec.ts).
import type { ParserSpec } from '../../core/log-source-spec';
export { parseParserSpec, type ParserSpec } from '../../core/log-source-spec';

/** Field names whose value becomes the body, in order of preference. */
export const BODY_FIELDS = ['message', 'msg', 'body', 'log', 'text', 'event'];

export function createParser(spec: ParserSpec): LineParser {
  switch (spec.kind) {
    case 'plain':
      return (text) => ({ body: text, fields: {}, parsed: true });
    case 'json':
      return parseJsonLine;
    case 'logfmt':
      return parseLogfmtLine;
    case 'regex':
      return (text) => parseRegexLine(spec.pattern, text);
  }
}

/** Takes the body out of the fields (first of BODY_FIELDS that holds a string). */
function takeBody(fields: Attributes, fallback: string): string {
  for (const name of BODY_FIELDS) {
    const v = fields[name];
    if (typeof v === 'string') {
      delete fields[name];
      return v;
    }
  }
  return fallback;
}

export function parseJsonLine(text: string): Parsed {
  const trimmed = text.trimStart();
  if (trimmed[0] !== '{') return { body: text, fields: {}, parsed: false };
  // A multiline record may be JSON followed by more lines; parse the first line then.
  const newline = trimmed.indexOf('\n');
  const json = newline === -1 ? trimmed : trimmed.slice(0, newline);
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return { body: text, fields: {}, parsed: false };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { body: text, fields: {}, parsed: false };
  const fields = value as Attributes;
  let body = takeBody(fields, '');
  if (newline !== -1) body = body ? `${body}\n${trimmed.slice(newline + 1)}` : trimmed.slice(newline + 1);
  return { body: body || json, fields, parsed: true };
}

/** logfmt: `key=value key="quoted value" flag`; a bare key is `true`. */
export function parseLogfmtLine(text: string): Parsed {
  const fields: Attributes = {};
  const firstLine = text.indexOf('\n') === -1 ? text : text.slice(0, text.indexOf('\n'));
  const re = /([^\s=]+)(?:=("(?:[^"\\]|\\.)*"|[^\s]*))?/g;
  let count = 0;
  for (let m = re.exec(firstLine); m; m = re.exec(firstLine)) {
    const [, key, raw] = m;
    let value: AttributeValue;
    if (raw === undefined) value = true;
    else if (raw.startsWith('"')) {
      try {
        value = JSON.parse(raw) as string;
      } catch {
        value = raw.slice(1, -1);
      }
    } else value = raw;
    fields[key] = value;
    if (raw !== undefined) count++;
  }
  if (count === 0) return { body: text, fields: {}, parsed: false };
  let body = takeBody(fields, '');
  const rest = text.length > firstLine.length ? text.slice(firstLine.length + 1) : '';
  if (rest) body = body ? `${body}\n${rest}` : rest;
  return { body: body || text, fields, parsed: true };
}

export function parseRegexLine(pattern: RegExp, text: string): Parsed {
  const m = pattern.exec(text);
  if (!m || !m.groups) return { body: text, fields: {}, parsed: false };
  const fields: Attributes = {};
  for (const [k, v] of Object.entries(m.groups)) if (v !== undefined) fields[k] = v;
  const body = takeBody(fields, text);
  return { body, fields, parsed: true };
}

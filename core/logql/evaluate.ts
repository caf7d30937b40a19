import type { LogRecord } from '../model';
import type { LogField, LogQlNode, MatchNode, PatternPart, RangeNode, TextNode } from './ast';

/**
 * Evaluates a query against one record in memory: the reference semantics
 * the stores implement (used by the shared contract corpus, and usable for
 * live tail). Text: words are runs of letters/digits, lowercased with
 * diacritics removed; a word or phrase matches when its words occur adjacent
 * and in order in the body (the last one as a prefix for `word*`).
 */
export function matchesLogQuery(node: LogQlNode | undefined, log: LogRecord): boolean {
  if (!node) return true;
  switch (node.type) {
    case 'and':
      return node.children.every((c) => matchesLogQuery(c, log));
    case 'or':
      return node.children.some((c) => matchesLogQuery(c, log));
    case 'not':
      return !matchesLogQuery(node.child, log);
    case 'text':
      return textMatches(node, log.body);
    case 'match':
      return valuesOf(node.field, log).some((v) => valueMatches(node, v));
    case 'range':
      return numbersOf(node.field, log).some((n) => inRange(node, n));
  }
}

export function tokens(text: string): string[] {
  return (text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().match(/[\p{L}\p{N}\p{Co}]+/gu) ?? []);
}

function textMatches(node: TextNode, body: string): boolean {
  const want = tokens(node.value);
  if (want.length === 0) return false;
  const have = tokens(body);
  for (let i = 0; i + want.length <= have.length; i++) {
    let ok = true;
    for (let k = 0; k < want.length && ok; k++) {
      const last = k === want.length - 1;
      ok = node.prefix && last ? have[i + k].startsWith(want[k]) : have[i + k] === want[k];
    }
    if (ok) return true;
  }
  return false;
}

function scalars(value: unknown): unknown[] {
  const list = Array.isArray(value) ? value : [value];
  return list.filter((v) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean');
}

function valuesOf(field: LogField, log: LogRecord): string[] {
  switch (field.kind) {
    case 'service':
      return [log.service];
    case 'severity':
      return [log.severityText.toLowerCase()];
    case 'trace_id':
      return [log.traceId];
    case 'span_id':
      return [log.spanId];
    case 'host':
      return scalars(log.resource['host.name']).map(String);
    case 'attribute':
      return scalars(log.attributes[field.name]).map(String);
    case 'time':
      return [];
  }
}

function numbersOf(field: LogField, log: LogRecord): number[] {
  if (field.kind === 'time') return [log.timeUs];
  if (field.kind === 'severity') return [log.severityNumber];
  if (field.kind === 'attribute') return scalars(log.attributes[field.name]).filter((v): v is number => typeof v === 'number');
  return [];
}

function valueMatches(node: MatchNode, value: string): boolean {
  const lower = node.field.kind === 'severity';
  if (!node.pattern) return value === (lower ? node.value.toLowerCase() : node.value);
  return patternRegExp(node.pattern, lower).test(value);
}

function patternRegExp(parts: PatternPart[], lower: boolean): RegExp {
  const body = parts
    .map((p) => ('literal' in p ? (lower ? p.literal.toLowerCase() : p.literal).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&') : p.any === 'one' ? '.' : '.*'))
    .join('');
  return new RegExp(`^${body}$`, 'su');
}

function inRange(node: RangeNode, n: number): boolean {
  return (
    (node.gt === undefined || n > node.gt) &&
    (node.gte === undefined || n >= node.gte) &&
    (node.lt === undefined || n < node.lt) &&
    (node.lte === undefined || n <= node.lte)
  );
}

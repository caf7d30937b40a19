import type { AttributeValue, Attributes, BusinessKeyEntry, LogRecord, Span } from '../core/model';

/** Longest business-key value indexed; longer values are not keys but payloads. */
export const MAX_BUSINESS_KEY_VALUE_LENGTH = 256;

/** Body patterns look at this many characters of a log body at most (bounds the regex work per record). */
export const MAX_BODY_SCANNED = 4096;

/** Body patterns from the config (BUSINESS_KEY_PATTERNS, validated at start-up) as rules. */
export function compileBodyPatterns(specs: readonly { key: string; pattern: string }[]): { key: string; pattern: RegExp }[] {
  return specs.map(({ key, pattern }) => ({ key, pattern: new RegExp(pattern) }));
}

export interface BusinessKeyRules {
  /** Attribute names whose values are business keys (e.g. order.id). */
  attributeNames: string[];
  /** Patterns over log bodies; the first capture group is the value (e.g. order.id ← /order (ORD-[\w-]+)/). */
  bodyPatterns?: { key: string; pattern: RegExp }[];
}

function keyValue(value: AttributeValue | undefined): string | null {
  if (typeof value === 'string') return value.length > 0 && value.length <= MAX_BUSINESS_KEY_VALUE_LENGTH ? value : null;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

function collect(out: Map<string, BusinessKeyEntry>, names: string[], traceId: string, timeUs: number, attributes: Attributes): void {
  for (const key of names) {
    const value = keyValue(attributes[key]);
    if (value === null) continue;
    const id = `${key}\u0000${value}\u0000${traceId}`;
    const seen = out.get(id);
    // One row per key, value and trace: keep the earliest time seen.
    if (seen === undefined) out.set(id, { key, value, traceId, timeUs });
    else if (seen.timeUs > timeUs) seen.timeUs = timeUs;
  }
}

/** Business keys carried by spans (span or resource attributes), one entry per key, value and trace. */
export function businessKeysOfSpans(spans: Span[], rules: BusinessKeyRules): BusinessKeyEntry[] {
  const out = new Map<string, BusinessKeyEntry>();
  const names = rules.attributeNames;
  for (const span of spans) {
    collect(out, names, span.traceId, span.startUs, span.attributes);
    collect(out, names, span.traceId, span.startUs, span.resource);
  }
  return [...out.values()];
}

/**
 * Business keys carried by log records that belong to a trace: from attributes,
 * and from the body through the configured patterns.
 */
export function businessKeysOfLogs(logs: LogRecord[], rules: BusinessKeyRules): BusinessKeyEntry[] {
  const out = new Map<string, BusinessKeyEntry>();
  for (const log of logs) {
    if (!log.traceId) continue;
    collect(out, rules.attributeNames, log.traceId, log.timeUs, log.attributes);
    collect(out, rules.attributeNames, log.traceId, log.timeUs, log.resource);
    const patterns = rules.bodyPatterns ?? [];
    const body = patterns.length && log.body.length > MAX_BODY_SCANNED ? log.body.slice(0, MAX_BODY_SCANNED) : log.body;
    for (const { key, pattern } of patterns) {
      // exec on a global/sticky regex would carry lastIndex over to the next record
      pattern.lastIndex = 0;
      const value = keyValue(pattern.exec(body)?.[1]);
      if (value === null) continue;
      const id = `${key}\u0000${value}\u0000${log.traceId}`;
      if (!out.has(id)) out.set(id, { key, value, traceId: log.traceId, timeUs: log.timeUs });
    }
  }
  return [...out.values()];
}

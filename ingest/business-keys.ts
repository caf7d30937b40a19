import { MAX_BUSINESS_KEY_VALUE_LENGTH } from '../core/limits';
import type { AttributeValue, Attributes, BusinessKeyEntry, LogRecord, Span } from '../core/model';

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

/** Entries of one trace scanned in a list up to this many; beyond it, looked up by key and value. */
const SCAN_LIMIT = 8;

interface TraceRows {
  list: BusinessKeyEntry[];
  byKeyValue?: Map<string, BusinessKeyEntry>;
}

/**
 * One row per key, value and trace, keeping the earliest time seen, in order
 * of first sight. Found by trace id first (a flat string whose hash V8 keeps)
 * and then among the trace's few rows, so a repeat builds no string.
 */
class KeyRows {
  readonly entries: BusinessKeyEntry[] = [];
  private readonly byTrace = new Map<string, TraceRows>();

  /** The rows of `traceId`, made on first sight: look them up once per item, then add each of its keys. */
  traceRows(traceId: string): TraceRows {
    let trace = this.byTrace.get(traceId);
    if (trace === undefined) this.byTrace.set(traceId, (trace = { list: [] }));
    return trace;
  }

  add(trace: TraceRows, key: string, value: string, traceId: string, timeUs: number): void {
    let seen: BusinessKeyEntry | undefined;
    if (trace.byKeyValue) seen = trace.byKeyValue.get(`${key}\u0000${value}`);
    else for (const e of trace.list) if (e.key === key && e.value === value) seen = e;
    if (seen !== undefined) {
      if (timeUs < seen.timeUs) seen.timeUs = timeUs;
      return;
    }
    const entry = { key, value, traceId, timeUs };
    this.entries.push(entry);
    trace.list.push(entry);
    if (trace.byKeyValue) trace.byKeyValue.set(`${key}\u0000${value}`, entry);
    else if (trace.list.length > SCAN_LIMIT) trace.byKeyValue = new Map(trace.list.map((e) => [`${e.key}\u0000${e.value}`, e]));
  }

  /**
   * The keys among `attributes`, in the order of `names`, to the rows of `traceId`
   * (`trace` when already looked up). Returns those rows if it needed them.
   */
  addAttributes(names: string[], trace: TraceRows | undefined, traceId: string, timeUs: number, attributes: Attributes): TraceRows | undefined {
    for (const key of names) {
      const value = keyValue(attributes[key]);
      if (value !== null) this.add((trace ??= this.traceRows(traceId)), key, value, traceId, timeUs);
    }
    return trace;
  }

  /** Key/value pairs found beforehand (a resource's, shared by its spans), flat: key, value, key, value… */
  addPairs(pairs: string[], trace: TraceRows, traceId: string, timeUs: number): void {
    for (let i = 0; i < pairs.length; i += 2) this.add(trace, pairs[i], pairs[i + 1], traceId, timeUs);
  }
}

/** The business keys among `attributes`, flat (key, value, key, value…), in the order of `names`. */
function keyPairs(names: string[], attributes: Attributes): string[] {
  const pairs: string[] = [];
  for (const key of names) {
    const value = keyValue(attributes[key]);
    if (value !== null) pairs.push(key, value);
  }
  return pairs;
}

/**
 * Business keys carried by spans (span or resource attributes), one entry per key, value and trace.
 * Spans of one resource share its attribute object: its keys are looked up once per run of such spans.
 */
export function businessKeysOfSpans(spans: Span[], rules: BusinessKeyRules): BusinessKeyEntry[] {
  const rows = new KeyRows();
  const names = rules.attributeNames;
  if (names.length === 0) return rows.entries;
  let resource: Attributes | undefined;
  let resourcePairs: string[] = [];
  for (const span of spans) {
    if (span.resource !== resource) {
      resource = span.resource;
      resourcePairs = keyPairs(names, resource);
    }
    const trace = rows.addAttributes(names, undefined, span.traceId, span.startUs, span.attributes);
    if (resourcePairs.length > 0) rows.addPairs(resourcePairs, trace ?? rows.traceRows(span.traceId), span.traceId, span.startUs);
  }
  return rows.entries;
}

/**
 * Business keys carried by log records that belong to a trace: from attributes,
 * and from the body through the configured patterns.
 */
export function businessKeysOfLogs(logs: LogRecord[], rules: BusinessKeyRules): BusinessKeyEntry[] {
  const rows = new KeyRows();
  for (const log of logs) {
    if (!log.traceId) continue;
    let trace = rows.addAttributes(rules.attributeNames, undefined, log.traceId, log.timeUs, log.attributes);
    trace = rows.addAttributes(rules.attributeNames, trace, log.traceId, log.timeUs, log.resource);
    const patterns = rules.bodyPatterns ?? [];
    const body = patterns.length && log.body.length > MAX_BODY_SCANNED ? log.body.slice(0, MAX_BODY_SCANNED) : log.body;
    for (const { key, pattern } of patterns) {
      // exec on a global/sticky regex would carry lastIndex over to the next record
      pattern.lastIndex = 0;
      const value = keyValue(pattern.exec(body)?.[1]);
      if (value !== null) rows.add((trace ??= rows.traceRows(log.traceId)), key, value, log.traceId, log.timeUs);
    }
  }
  return rows.entries;
}

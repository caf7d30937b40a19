import { ValidationError } from '../../core/errors';
import type { AttributeValue, Attributes, BusinessKeyEntry, LogRecord } from '../../core/model';

/**
 * Index layout of the search log store, identical on Elasticsearch and OpenSearch:
 *
 * - daily indices `<prefix>-YYYY.MM.DD` (UTC day of the record's time), created
 *   on first write from the index template `<prefix>`; reads go to the wildcard
 *   `<prefix>-*.*.*`, which leaves the dead-letter index out;
 * - `<prefix>-dlq`: records the engine refused for good, with the reason.
 *
 * A record's time decides its index, so a replayed record always lands in the
 * same index under the same `_id` (= LogRecord.id) and stays one document.
 */
export const MAPPING_VERSION = 1;
export const DEFAULT_INDEX_PREFIX = 'chainscope-logs';
/** Template priority: above the built-in ES 8 templates (100) so ours wins if patterns ever overlap. */
export const TEMPLATE_PRIORITY = 200;
/** Longest `attr_kv` / `business_keys` entry indexed (longer ones stay in _source only). */
export const MAX_KEYWORD_ENTRY = 512;
/** Longest body also indexed whole as a keyword (for exact-body filters and terms aggregations). */
export const BODY_KEYWORD_IGNORE_ABOVE = 256;

/** Lowercase letters, digits, '.', '_', '-'; starts with a letter or digit: safe inside every index expression. */
const PREFIX_RE = /^[a-z0-9][a-z0-9._-]{0,199}$/;

export function checkIndexPrefix(prefix: string): string {
  if (!PREFIX_RE.test(prefix)) {
    throw new ValidationError(`index prefix must match ${PREFIX_RE} (got ${JSON.stringify(prefix)})`, 'indexPrefix');
  }
  return prefix;
}

/** Largest time we can name a daily index for: 9999-12-31T23:59:59.999999Z. */
const MAX_TIME_US = 253_402_300_799_999_999;

export function isIndexableTime(timeUs: number): boolean {
  return Number.isSafeInteger(timeUs) && timeUs >= 0 && timeUs <= MAX_TIME_US;
}

function dayOf(timeMs: number): string {
  const d = new Date(timeMs);
  const mm = String(d.getUTCMonth() + 1).padStart(2, '0');
  const dd = String(d.getUTCDate()).padStart(2, '0');
  return `${String(d.getUTCFullYear()).padStart(4, '0')}.${mm}.${dd}`;
}

export class IndexNames {
  readonly template: string;
  readonly dlqTemplate: string;
  readonly dlq: string;
  /** Every daily index (and nothing else of ours). */
  readonly read: string;

  constructor(readonly prefix: string) {
    checkIndexPrefix(prefix);
    this.template = prefix;
    this.dlqTemplate = `${prefix}-dlq`;
    this.dlq = `${prefix}-dlq`;
    this.read = `${prefix}-*.*.*`;
  }

  /** Daily index of a record time (µs); the caller checks isIndexableTime first. */
  daily(timeUs: number): string {
    return `${this.prefix}-${dayOf(Math.floor(timeUs / 1000))}`;
  }

  /** The UTC day of a daily index name as epoch ms at midnight, or null for any other name. */
  dayOfIndex(name: string): number | null {
    if (!name.startsWith(`${this.prefix}-`)) return null;
    const m = /^(\d{4})\.(\d{2})\.(\d{2})$/.exec(name.slice(this.prefix.length + 1));
    if (!m) return null;
    const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
    return dayOf(ms) === name.slice(this.prefix.length + 1) ? ms : null;
  }
}

export interface IndexSettingsOptions {
  numberOfShards?: number;
  numberOfReplicas?: number;
}

function indexSettings(options: IndexSettingsOptions): Record<string, unknown> {
  const settings: Record<string, unknown> = { number_of_shards: options.numberOfShards ?? 1 };
  if (options.numberOfReplicas !== undefined) settings.number_of_replicas = options.numberOfReplicas;
  return settings;
}

const keyword = { type: 'keyword' } as const;

/** Mappings of the daily log indices. `dynamic: strict`: a field we did not declare is an error, never a new mapping. */
export const LOG_MAPPINGS = {
  dynamic: 'strict',
  _meta: { chainscope_mapping_version: MAPPING_VERSION },
  properties: {
    id: keyword,
    '@timestamp': { type: 'date', format: 'strict_date_optional_time||epoch_millis' },
    /** Exact time in µs: filters and sorting use this, `@timestamp` (ms) is for dashboards. */
    time_us: { type: 'long' },
    observed_time_us: { type: 'long', index: false },
    service: keyword,
    severity_text: { type: 'keyword', fields: { lc: { type: 'keyword', normalizer: 'chainscope_lowercase' } } },
    severity_number: { type: 'short' },
    body: {
      type: 'text',
      analyzer: 'chainscope_body',
      fields: { keyword: { type: 'keyword', ignore_above: BODY_KEYWORD_IGNORE_ABOVE } },
    },
    trace_id: keyword,
    span_id: keyword,
    /** Kept verbatim in _source for the round trip; never mapped (no mapping explosion, no type clashes). */
    attributes: { type: 'object', enabled: false },
    resource: { type: 'object', enabled: false },
    scope_name: keyword,
    scope_version: { type: 'keyword', index: false },
    /** `key=value` for every scalar attribute (and each scalar of an array): exact attribute filters; numbers also as `key=\u0001<sortable hex>` for ranges. */
    attr_kv: { type: 'keyword', ignore_above: MAX_KEYWORD_ENTRY },
    resource_kv: { type: 'keyword', ignore_above: MAX_KEYWORD_ENTRY },
    /** `key=value` business keys of the record's trace seen in the written batch (e.g. `order.id=ORD-1`). */
    business_keys: { type: 'keyword', ignore_above: MAX_KEYWORD_ENTRY },
  },
} as const;

export const LOG_ANALYSIS = {
  analyzer: {
    /** Unicode word splitting (UAX #29), lowercased, diacritics folded: `Café` matches `cafe`. */
    chainscope_body: { type: 'custom', tokenizer: 'standard', filter: ['lowercase', 'asciifolding'] },
  },
  normalizer: {
    chainscope_lowercase: { type: 'custom', filter: ['lowercase'] },
  },
} as const;

export function logIndexTemplate(names: IndexNames, options: IndexSettingsOptions = {}): Record<string, unknown> {
  return {
    index_patterns: [names.read],
    priority: TEMPLATE_PRIORITY,
    _meta: { managed_by: 'chainscope', mapping_version: MAPPING_VERSION },
    template: {
      settings: { ...indexSettings(options), analysis: LOG_ANALYSIS },
      mappings: LOG_MAPPINGS,
    },
  };
}

export const DLQ_MAPPINGS = {
  dynamic: 'strict',
  properties: {
    '@timestamp': { type: 'date', format: 'strict_date_optional_time||epoch_millis' },
    record_id: keyword,
    target_index: keyword,
    status: { type: 'short' },
    error_type: keyword,
    reason: { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 1024 } } },
    /** The refused document as it was sent; not mapped, so it cannot be refused again. */
    document: { type: 'object', enabled: false },
  },
} as const;

export function dlqIndexTemplate(names: IndexNames, options: IndexSettingsOptions = {}): Record<string, unknown> {
  return {
    index_patterns: [names.dlq],
    priority: TEMPLATE_PRIORITY,
    _meta: { managed_by: 'chainscope', mapping_version: MAPPING_VERSION },
    template: { settings: indexSettings(options), mappings: DLQ_MAPPINGS },
  };
}

/** The engine-side shape of one log record. */
export interface LogDocument {
  id: string;
  '@timestamp': string;
  time_us: number;
  observed_time_us: number;
  service: string;
  severity_text: string;
  severity_number: number;
  body: string;
  trace_id: string;
  span_id: string;
  attributes: Attributes;
  resource: Attributes;
  scope_name: string;
  scope_version: string;
  attr_kv: string[];
  resource_kv: string[];
  business_keys: string[];
}

function scalarText(value: AttributeValue): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

/**
 * Marks a numeric `attr_kv` entry: `key=\u0001<16 hex digits>`, the number
 * in an order-preserving encoding, so a keyword range over those entries is a
 * numeric range, with no per-attribute mapping (the mapping stays strict and
 * older indices need no change). Text values never start with U+0001 in practice.
 */
export const NUMERIC_MARK = '\u0001';

/** A float64 as 16 hex digits whose string order is the numeric order. */
export function sortableNumber(n: number): string {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, n === 0 ? 0 : n); // -0 sorts as 0
  let bits = view.getBigUint64(0);
  const sign = 1n << 63n;
  bits = bits & sign ? ~bits & 0xffff_ffff_ffff_ffffn : bits | sign;
  return bits.toString(16).padStart(16, '0');
}

/**
 * `key=value` entries for scalar attributes and scalars inside arrays; nested
 * objects are left out. With `numeric`, finite numbers also get a
 * `key=\u0001<sortable>` entry for ranges.
 */
export function keyValueEntries(attributes: Attributes, numeric = false): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(attributes)) {
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) {
      const text = scalarText(v);
      if (text === null) continue;
      const entry = `${key}=${text}`;
      if (entry.length <= MAX_KEYWORD_ENTRY) out.push(entry);
      if (numeric && typeof v === 'number' && Number.isFinite(v)) out.push(`${key}=${NUMERIC_MARK}${sortableNumber(v)}`);
    }
  }
  return out;
}

/** Business keys per trace id, as `key=value` entries. */
export function businessKeysByTrace(entries: BusinessKeyEntry[]): Map<string, string[]> {
  const byTrace = new Map<string, string[]>();
  for (const e of entries) {
    if (!e.traceId) continue;
    const entry = `${e.key}=${e.value}`;
    if (entry.length > MAX_KEYWORD_ENTRY) continue;
    const list = byTrace.get(e.traceId);
    if (!list) byTrace.set(e.traceId, [entry]);
    else if (!list.includes(entry)) list.push(entry);
  }
  return byTrace;
}

export function toDocument(log: LogRecord, businessKeys: string[] = []): LogDocument {
  return {
    id: log.id,
    '@timestamp': new Date(Math.floor(log.timeUs / 1000)).toISOString(),
    time_us: log.timeUs,
    observed_time_us: log.observedTimeUs,
    service: log.service,
    severity_text: log.severityText,
    severity_number: log.severityNumber,
    body: log.body,
    trace_id: log.traceId,
    span_id: log.spanId,
    attributes: log.attributes,
    resource: log.resource,
    scope_name: log.scope.name,
    scope_version: log.scope.version,
    attr_kv: keyValueEntries(log.attributes, true),
    resource_kv: keyValueEntries(log.resource),
    business_keys: businessKeys,
  };
}

export function fromDocument(source: unknown): LogRecord {
  const d = (source ?? {}) as Partial<LogDocument>;
  return {
    id: String(d.id ?? ''),
    timeUs: Number(d.time_us ?? 0),
    observedTimeUs: Number(d.observed_time_us ?? 0),
    service: d.service ?? '',
    severityText: d.severity_text ?? '',
    severityNumber: Number(d.severity_number ?? 0),
    body: d.body ?? '',
    traceId: d.trace_id ?? '',
    spanId: d.span_id ?? '',
    attributes: d.attributes ?? {},
    resource: d.resource ?? {},
    scope: { name: d.scope_name ?? '', version: d.scope_version ?? '' },
  };
}

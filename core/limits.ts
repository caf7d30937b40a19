/**
 * Input limits applied while decoding OTLP. They keep one hostile or careless
 * sender from costing unbounded memory, CPU or stack: values over a limit are
 * shortened or dropped and counted (the decoders' `truncated` figure), never a
 * reason to fail the whole request.
 *
 * Request size itself is bounded by the receiver (body size limit) before the
 * codec sees the bytes.
 */
export interface InputLimits {
  /** String attribute values (at any nesting level) longer than this many UTF-16 units are cut. */
  maxAttributeValueLength: number;
  /** Attributes per span, event, link, log record, resource; also entries per kvlist value. Extra ones are dropped. */
  maxAttributesPerItem: number;
  /** Elements per array attribute value. Extra ones are dropped. */
  maxArrayLength: number;
  /** Events per span. Extra ones are dropped. */
  maxEventsPerSpan: number;
  /** Links per span. Extra ones are dropped. */
  maxLinksPerSpan: number;
  /**
   * Levels of array/kvlist nesting inside one attribute value (the value itself is level 1).
   * A container deeper than this is replaced by the string {@link NESTING_MARKER}.
   * Capped at {@link MAX_NESTING_DEPTH_CAP} whatever the configuration says, so decoding never
   * recurses deep enough to threaten the stack.
   */
  maxNestingDepth: number;
  /** Span names, event names, scope names/versions and severity texts are cut to this many UTF-16 units. */
  maxNameLength: number;
  /** Log bodies (after rendering to text) are cut to this many UTF-16 units. */
  maxLogBodyLength: number;
}

export const DEFAULT_INPUT_LIMITS: Readonly<InputLimits> = Object.freeze({
  maxAttributeValueLength: 8192,
  maxAttributesPerItem: 256,
  maxArrayLength: 1024,
  maxEventsPerSpan: 1000,
  maxLinksPerSpan: 128,
  maxNestingDepth: 8,
  maxNameLength: 1024,
  maxLogBodyLength: 65536,
});

/** Hard ceiling for maxNestingDepth: recursion depth of the decoders stays small. */
export const MAX_NESTING_DEPTH_CAP = 32;

/** What replaces an attribute value nested deeper than maxNestingDepth. */
export const NESTING_MARKER = '[nested too deep]';

/** Defaults overlaid with the caller's partial limits; negative, non-finite or non-numeric overrides are ignored. */
export function resolveInputLimits(partial?: Partial<InputLimits>): InputLimits {
  if (!partial) return DEFAULT_INPUT_LIMITS;
  const out: InputLimits = { ...DEFAULT_INPUT_LIMITS };
  for (const key of Object.keys(DEFAULT_INPUT_LIMITS) as (keyof InputLimits)[]) {
    const v = partial[key];
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) out[key] = Math.floor(v);
  }
  out.maxNestingDepth = Math.min(Math.max(out.maxNestingDepth, 1), MAX_NESTING_DEPTH_CAP);
  return out;
}

/**
 * Business-key values longer than this are not indexed by ingest, so the query
 * API refuses a longer one (it could never match) instead of searching for it.
 */
export const MAX_BUSINESS_KEY_VALUE_LENGTH = 256;

/**
 * The span of time Chainscope files data under: 1970-01-01T00:00:00Z ..
 * 2200-01-01T00:00:00Z. The query API refuses a time parameter outside it, and
 * a log time read from third-party text outside it counts as no time
 * (core/log-normalise/time.ts), so every stored time can be asked for. Past
 * 2200 a µs count leaves the range where adding an interval still changes a double.
 */
export const MIN_TIME_MS = 0;
export const MAX_TIME_MS = Date.UTC(2200, 0, 1);
export const MIN_TIME_US = MIN_TIME_MS * 1000;
export const MAX_TIME_US = MAX_TIME_MS * 1000;

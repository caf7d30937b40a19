import type { AttributeValue, Attributes } from '../../core/model';
import { DEFAULT_INPUT_LIMITS } from '../../core/limits';
import { cutText } from '../../core/log-normalise/attributes';

/** Trace context and business keys found in a parsed record. */

const TRACE_FIELDS = ['trace_id', 'traceId', 'traceid', 'trace.id', 'dd.trace_id', 'otelTraceID'];
const SPAN_FIELDS = ['span_id', 'spanId', 'spanid', 'span.id', 'otelSpanID'];
const TRACE_IN_TEXT = /\btrace[_.-]?id[=:\s"]+([0-9a-fA-F]{32})\b/i;
const SPAN_IN_TEXT = /\bspan[_.-]?id[=:\s"]+([0-9a-fA-F]{16})\b/i;

const isHex = (v: AttributeValue | undefined, length: number): v is string =>
  typeof v === 'string' && v.length === length && /^[0-9a-fA-F]+$/.test(v) && !/^0+$/.test(v);

function isEmpty(obj: object): boolean {
  for (const _ in obj) return false;
  return true;
}

export interface TraceContext {
  traceId: string;
  spanId: string;
}

/**
 * The trace and span id of a record: from its fields when parsed (the field is
 * then removed from the attributes, the record carries it), else from
 * `trace_id=…` / `span_id=…` in the text. '' when absent or malformed.
 */
export function extractTraceContext(fields: Attributes, text: string): TraceContext {
  let traceId = '';
  let spanId = '';
  const hasFields = !isEmpty(fields);
  for (let i = 0; hasFields && i < TRACE_FIELDS.length; i++) {
    const name = TRACE_FIELDS[i];
    if (isHex(fields[name], 32)) {
      traceId = (fields[name] as string).toLowerCase();
      delete fields[name];
      break;
    }
  }
  for (let i = 0; hasFields && i < SPAN_FIELDS.length; i++) {
    const name = SPAN_FIELDS[i];
    if (isHex(fields[name], 16)) {
      spanId = (fields[name] as string).toLowerCase();
      delete fields[name];
      break;
    }
  }
  if (!traceId && text.length > 0 && /trace/i.test(text)) {
    const m = TRACE_IN_TEXT.exec(text);
    if (m && !/^0+$/.test(m[1])) traceId = m[1].toLowerCase();
  }
  if (traceId && !spanId && /span/i.test(text)) {
    const m = SPAN_IN_TEXT.exec(text);
    if (m && !/^0+$/.test(m[1])) spanId = m[1].toLowerCase();
  }
  return { traceId, spanId: traceId ? spanId : '' };
}

/**
 * Business keys (e.g. `order.id`) written under another spelling (`order_id`,
 * `orderId`) or in plain text (`order.id=ORD-1`) are added under the
 * configured name, so ingest indexes them like any OTel attribute.
 */
export function extractBusinessKeys(fields: Attributes, text: string, keys: readonly string[], out: Attributes): void {
  for (const key of keys) {
    const { snake, camel, inText } = spellingsOf(key);
    // `out` may be `fields` (it is in buildRecord): look again for every key.
    if (!isEmpty(fields)) {
      if (fields[key] !== undefined) {
        out[key] = fields[key];
        continue;
      }
      const found = fields[snake] ?? fields[camel];
      if (typeof found === 'string' || typeof found === 'number') {
        out[key] = found;
        continue;
      }
    }
    if (text.includes(key) || text.includes(snake)) {
      const m = inText.exec(text);
      if (m) out[key] = cutText(m[1], DEFAULT_INPUT_LIMITS.maxAttributeValueLength);
    }
  }
}

interface KeySpellings {
  snake: string;
  camel: string;
  inText: RegExp;
}

/** Per configured key, computed once: building them per line was a hot spot. */
const spellings = new Map<string, KeySpellings>();

function spellingsOf(key: string): KeySpellings {
  let found = spellings.get(key);
  if (!found) {
    const snake = key.replace(/\./g, '_');
    found = {
      snake,
      camel: key.replace(/\.(\w)/g, (_, c: string) => c.toUpperCase()),
      inText: new RegExp(`\\b(?:${escape(key)}|${escape(snake)})[=:]\\s*"?([\\w.:-]+)`),
    };
    spellings.set(key, found);
  }
  return found;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

import type { JsonLogsMappingConfig } from '../../core/config';
import { DEFAULT_INPUT_LIMITS } from '../../core/limits';
import { logRecordId } from '../../core/log-id';
import { capAttributes, capBody, capValue } from '../../core/log-normalise/attributes';
import { severityFromValue } from '../../core/log-normalise/severity';
import { timeFromValue } from '../../core/log-normalise/time';
import type { Attributes, LogRecord } from '../../core/model';

/** Where each record field is looked up in a JSON line: dotted paths, first present wins. */
export interface JsonLinesMapping {
  time: string[];
  message: string[];
  level: string[];
  service: string[];
  traceId: string[];
  spanId: string[];
  host: string[];
  defaultService: string;
}

/** Covers what Filebeat (ECS), Vector, Fluent Bit, pino/bunyan and most JSON loggers write. */
export const DEFAULT_JSON_LINES_MAPPING: Readonly<JsonLinesMapping> = Object.freeze({
  time: ['@timestamp', 'timestamp', 'time', 'ts', 'date'],
  message: ['message', 'msg', 'log'],
  level: ['level', 'severity', 'log.level', 'levelname'],
  service: ['service.name', 'service', 'kubernetes.container_name'],
  traceId: ['trace_id', 'traceId', 'trace.id'],
  spanId: ['span_id', 'spanId', 'span.id'],
  host: ['host.name', 'host', 'hostname'],
  defaultService: 'unknown_service',
});

export function resolveJsonLinesMapping(config: JsonLogsMappingConfig = {}): JsonLinesMapping {
  return { ...DEFAULT_JSON_LINES_MAPPING, ...config };
}

export interface BadLine {
  line: string;
  reason: string;
}

export interface DecodedJsonLines {
  logs: LogRecord[];
  bad: BadLine[];
}

/**
 * One bus message of JSON lines (one object per line, blank lines ignored)
 * → log records. Lines that are not a JSON object come back in `bad`, the
 * rest still decode. Ids are deterministic (a redelivered message gives the
 * same ids): the observed time (reception) is left out of the id, and a line
 * without a time field is hashed with time 0.
 */
export function decodeJsonLines(bytes: Uint8Array, mapping: JsonLinesMapping, nowUs = Date.now() * 1000): DecodedJsonLines {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  const logs: LogRecord[] = [];
  const bad: BadLine[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      bad.push({ line, reason: `not JSON: ${(err as Error).message}` });
      continue;
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      bad.push({ line, reason: 'not a JSON object' });
      continue;
    }
    logs.push(toLogRecord(value as Record<string, unknown>, line, mapping, nowUs));
  }
  return { logs, bad };
}

function toLogRecord(obj: Record<string, unknown>, line: string, mapping: JsonLinesMapping, nowUs: number): LogRecord {
  const attributes = flatten(obj);
  const used: string[] = [];
  const take = (paths: string[], accept: (v: unknown) => boolean): unknown => {
    for (const path of paths) {
      const v = lookup(obj, path);
      if (v !== undefined && v !== null && accept(v)) {
        used.push(path);
        return v;
      }
    }
    return undefined;
  };
  const isText = (v: unknown) => typeof v === 'string' && v !== '';
  const timeUs = timeFromValue(take(mapping.time, (v) => timeFromValue(v) > 0));
  const message = take(mapping.message, () => true);
  const level = severityFromValue(take(mapping.level, (v) => severityFromValue(v).number > 0));
  const service = (take(mapping.service, isText) as string | undefined) ?? mapping.defaultService;
  const traceId = take(mapping.traceId, (v) => typeof v === 'string' && /^[0-9a-fA-F]{32}$/.test(v) && !/^0+$/.test(v)) as string | undefined;
  const spanId = traceId ? (take(mapping.spanId, (v) => typeof v === 'string' && /^[0-9a-fA-F]{16}$/.test(v) && !/^0+$/.test(v)) as string | undefined) : undefined;
  const host = take(mapping.host, isText) as string | undefined;
  for (const path of used) removePath(attributes, path);
  capAttributes(attributes);
  const resource: Attributes = { 'service.name': service };
  if (host) resource['host.name'] = host;
  const body = capBody(message === undefined ? line : typeof message === 'string' ? message : JSON.stringify(message));
  const record: Omit<LogRecord, 'id'> = {
    timeUs,
    observedTimeUs: 0,
    service,
    severityText: level.text,
    severityNumber: level.number,
    body,
    traceId: traceId?.toLowerCase() ?? '',
    spanId: spanId?.toLowerCase() ?? '',
    attributes,
    resource,
    scope: { name: 'chainscope.json-lines', version: '' },
  };
  const id = logRecordId(record);
  return { id, ...record, timeUs: timeUs || nowUs, observedTimeUs: nowUs };
}

/** `a.b.c`: a literal key "a.b.c" first, then any split into nested objects ("a" → "b.c", "a.b" → "c"). */
export function lookup(obj: unknown, path: string): unknown {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return undefined;
  const o = obj as Record<string, unknown>;
  if (Object.prototype.hasOwnProperty.call(o, path)) return o[path];
  let dot = path.indexOf('.');
  while (dot !== -1) {
    const head = path.slice(0, dot);
    if (Object.prototype.hasOwnProperty.call(o, head)) {
      const found = lookup(o[head], path.slice(dot + 1));
      if (found !== undefined) return found;
    }
    dot = path.indexOf('.', dot + 1);
  }
  return undefined;
}

/**
 * Nested objects become dotted keys (what a search for `kubernetes.namespace_name:x`
 * expects) down to maxNestingDepth; arrays stay values. Bounded by the line's size;
 * the caps (core/log-normalise/attributes.ts) apply once the mapped fields are out.
 */
function flatten(obj: Record<string, unknown>): Attributes {
  const out: Attributes = {};
  const walk = (o: Record<string, unknown>, prefix: string, depth: number) => {
    for (const [k, v] of Object.entries(o)) {
      const key = prefix ? `${prefix}.${k}` : k;
      if (v && typeof v === 'object' && !Array.isArray(v) && depth < DEFAULT_INPUT_LIMITS.maxNestingDepth) walk(v as Record<string, unknown>, key, depth + 1);
      else out[key] = capValue(v as Attributes[string], depth);
    }
  };
  walk(obj, '', 1);
  return out;
}

function removePath(attributes: Attributes, path: string): void {
  if (path in attributes) {
    delete attributes[path];
    return;
  }
  for (const key of Object.keys(attributes)) if (key === path || key.startsWith(`${path}.`)) delete attributes[key];
}

import type { JsonLogsMappingConfig } from '../../core/config';
import { logRecordId } from '../../core/log-id';
import type { AttributeValue, Attributes, LogRecord } from '../../core/model';

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

const MAX_ATTRIBUTES = 256;
const MAX_VALUE = 8192;
const MAX_BODY = 65536;
const MAX_DEPTH = 8;

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
  const timeUs = timeOf(take(mapping.time, (v) => timeOf(v) !== null));
  const message = take(mapping.message, () => true);
  const level = severityOf(take(mapping.level, (v) => severityOf(v) !== null));
  const service = (take(mapping.service, isText) as string | undefined) ?? mapping.defaultService;
  const traceId = take(mapping.traceId, (v) => typeof v === 'string' && /^[0-9a-fA-F]{32}$/.test(v) && !/^0+$/.test(v)) as string | undefined;
  const spanId = traceId ? (take(mapping.spanId, (v) => typeof v === 'string' && /^[0-9a-fA-F]{16}$/.test(v) && !/^0+$/.test(v)) as string | undefined) : undefined;
  const host = take(mapping.host, isText) as string | undefined;
  for (const path of used) removePath(attributes, path);
  const resource: Attributes = { 'service.name': service };
  if (host) resource['host.name'] = host;
  let body = message === undefined ? line : typeof message === 'string' ? message : JSON.stringify(message);
  if (body.length > MAX_BODY) body = body.slice(0, MAX_BODY);
  const record: Omit<LogRecord, 'id'> = {
    timeUs: timeUs ?? 0,
    observedTimeUs: 0,
    service,
    severityText: level?.text ?? '',
    severityNumber: level?.number ?? 0,
    body,
    traceId: traceId?.toLowerCase() ?? '',
    spanId: spanId?.toLowerCase() ?? '',
    attributes,
    resource,
    scope: { name: 'chainscope.json-lines', version: '' },
  };
  const id = logRecordId(record);
  return { id, ...record, timeUs: timeUs ?? nowUs, observedTimeUs: nowUs };
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

/** Nested objects become dotted keys (what a search for `kubernetes.namespace_name:x` expects); arrays stay values. */
function flatten(obj: Record<string, unknown>): Attributes {
  const out: Attributes = {};
  let count = 0;
  const walk = (o: Record<string, unknown>, prefix: string, depth: number) => {
    for (const [k, v] of Object.entries(o)) {
      if (count >= MAX_ATTRIBUTES) return;
      const key = prefix ? `${prefix}.${k}` : k;
      if (v && typeof v === 'object' && !Array.isArray(v) && depth < MAX_DEPTH) walk(v as Record<string, unknown>, key, depth + 1);
      else {
        out[key] = clip(v, depth);
        count++;
      }
    }
  };
  walk(obj, '', 1);
  return out;
}

function clip(v: unknown, depth: number): AttributeValue {
  if (typeof v === 'string') return v.length > MAX_VALUE ? v.slice(0, MAX_VALUE) : v;
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return v;
  if (depth >= MAX_DEPTH) return '[nested too deep]';
  if (Array.isArray(v)) return v.slice(0, 1024).map((x) => clip(x, depth + 1));
  if (v && typeof v === 'object') return JSON.stringify(v).slice(0, MAX_VALUE);
  return String(v);
}

function removePath(attributes: Attributes, path: string): void {
  if (path in attributes) {
    delete attributes[path];
    return;
  }
  for (const key of Object.keys(attributes)) if (key === path || key.startsWith(`${path}.`)) delete attributes[key];
}

/** ISO 8601 / RFC 3339 text, or epoch seconds, milliseconds, microseconds or nanoseconds (by magnitude). */
export function timeOf(v: unknown): number | null {
  if (typeof v === 'string') {
    const s = v.trim();
    if (/^\d+(\.\d+)?$/.test(s)) return timeOf(Number(s));
    const m = /^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2})(?:[.,](\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/i.exec(s);
    if (!m) return null;
    const ms = Date.parse(`${m[1].replace(' ', 'T')}${m[3] ? normaliseZone(m[3]) : 'Z'}`);
    if (Number.isNaN(ms)) return null;
    return ms * 1000 + Number(((m[2] ?? '') + '000000').slice(0, 6));
  }
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) return null;
  if (v < 1e11) return Math.round(v * 1e6); // seconds (Fluent Bit's float "date")
  if (v < 1e14) return Math.round(v * 1e3); // milliseconds
  if (v < 1e17) return Math.round(v); // microseconds
  return Math.round(v / 1e3); // nanoseconds
}

function normaliseZone(z: string): string {
  if (z.toUpperCase() === 'Z') return 'Z';
  return z.includes(':') ? z : `${z.slice(0, 3)}:${z.slice(3)}`;
}

const LEVEL_WORDS: Record<string, [number, string]> = {
  trace: [1, 'TRACE'], finest: [1, 'TRACE'], debug: [5, 'DEBUG'], fine: [5, 'DEBUG'], dbg: [5, 'DEBUG'],
  info: [9, 'INFO'], information: [9, 'INFO'], informational: [9, 'INFO'], notice: [10, 'INFO'],
  warn: [13, 'WARN'], warning: [13, 'WARN'],
  error: [17, 'ERROR'], err: [17, 'ERROR'],
  critical: [21, 'FATAL'], crit: [21, 'FATAL'], fatal: [21, 'FATAL'], alert: [23, 'FATAL'], emerg: [24, 'FATAL'], emergency: [24, 'FATAL'], panic: [24, 'FATAL'],
};
const PINO_LEVELS: Record<number, [number, string]> = { 10: [1, 'TRACE'], 20: [5, 'DEBUG'], 30: [9, 'INFO'], 40: [13, 'WARN'], 50: [17, 'ERROR'], 60: [21, 'FATAL'] };
const TEXTS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];

/** Level words (any case), pino/bunyan numbers (10..60) or OTLP severity numbers (1..24). */
export function severityOf(v: unknown): { number: number; text: string } | null {
  if (typeof v === 'string') {
    const w = LEVEL_WORDS[v.trim().toLowerCase()];
    if (w) return { number: w[0], text: w[1] };
    if (/^\d+$/.test(v.trim())) return severityOf(Number(v));
    return null;
  }
  if (typeof v === 'number') {
    if (PINO_LEVELS[v]) return { number: PINO_LEVELS[v][0], text: PINO_LEVELS[v][1] };
    if (Number.isInteger(v) && v >= 1 && v <= 24) return { number: v, text: TEXTS[(v - 1) >> 2] };
  }
  return null;
}

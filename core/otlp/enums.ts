import { SEVERITY_LEVELS } from '../log-normalise/severity';
import type { SpanKind, StatusCode } from '../model';

/** OTLP Span.SpanKind numbers, in order (0 = SPAN_KIND_UNSPECIFIED). */
export const SPAN_KIND_BY_NUMBER: readonly SpanKind[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
/** OTLP Status.StatusCode numbers, in order. */
export const STATUS_BY_NUMBER: readonly StatusCode[] = ['unset', 'ok', 'error'];

const SPAN_KIND_NUMBER: Record<SpanKind, number> = {
  unspecified: 0,
  internal: 1,
  server: 2,
  client: 3,
  producer: 4,
  consumer: 5,
};
const STATUS_NUMBER: Record<StatusCode, number> = { unset: 0, ok: 1, error: 2 };

/** Unknown numbers map to 'unspecified' (proto3 open enums). */
export function spanKindFromNumber(n: number): SpanKind {
  return SPAN_KIND_BY_NUMBER[n] ?? 'unspecified';
}

export function spanKindToNumber(kind: SpanKind): number {
  return SPAN_KIND_NUMBER[kind] ?? 0;
}

/** Unknown numbers map to 'unset'. */
export function statusFromNumber(n: number): StatusCode {
  return STATUS_BY_NUMBER[n] ?? 'unset';
}

export function statusToNumber(code: StatusCode): number {
  return STATUS_NUMBER[code] ?? 0;
}

/** OTLP/JSON enums may arrive as numbers or as the enum value names ("SPAN_KIND_SERVER"). */
export function jsonSpanKind(value: unknown): SpanKind {
  if (typeof value === 'number') return spanKindFromNumber(value);
  if (typeof value === 'string') {
    const idx = SPAN_KIND_NAMES.indexOf(value.toUpperCase());
    if (idx >= 0) return SPAN_KIND_BY_NUMBER[idx];
    if (/^\d+$/.test(value)) return spanKindFromNumber(Number(value));
  }
  return 'unspecified';
}

export function jsonStatusCode(value: unknown): StatusCode {
  if (typeof value === 'number') return statusFromNumber(value);
  if (typeof value === 'string') {
    const idx = STATUS_NAMES.indexOf(value.toUpperCase());
    if (idx >= 0) return STATUS_BY_NUMBER[idx];
    if (/^\d+$/.test(value)) return statusFromNumber(Number(value));
  }
  return 'unset';
}

const SPAN_KIND_NAMES = [
  'SPAN_KIND_UNSPECIFIED',
  'SPAN_KIND_INTERNAL',
  'SPAN_KIND_SERVER',
  'SPAN_KIND_CLIENT',
  'SPAN_KIND_PRODUCER',
  'SPAN_KIND_CONSUMER',
];
const STATUS_NAMES = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'];


/**
 * OTLP/JSON SeverityNumber: number, numeric string or enum name ("SEVERITY_NUMBER_WARN2").
 * Anything outside 0..24 is -1 (the caller treats it as unspecified and counts it).
 */
export function jsonSeverityNumber(value: unknown): number {
  let n: number;
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string') {
    const m = /^SEVERITY_NUMBER_([A-Z]+)(\d?)$/.exec(value.toUpperCase());
    if (m) {
      if (m[1] === 'UNSPECIFIED') return 0;
      const level = SEVERITY_LEVELS.indexOf(m[1]);
      const sub = m[2] === '' ? 1 : Number(m[2]);
      if (level < 0 || sub < 1 || sub > 4) return -1;
      return level * 4 + sub;
    }
    n = /^\d+$/.test(value) ? Number(value) : -1;
  } else return -1;
  return Number.isInteger(n) && n >= 0 && n <= 24 ? n : -1;
}

import { randomBytes } from 'node:crypto';
import type { LogRecord, Span } from '../../core/model';
import type { SpanBatch } from '../../core/contracts/span-store';
import type { LogBatch } from '../../core/contracts/log-store';

/** Random lowercase hex id of `bytes` bytes (trace 16, span 8). */
export function hexId(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}
export const newTraceId = (): string => hexId(16);
export const newSpanId = (): string => hexId(8);

/** A short random suffix so names and values never collide with data from earlier runs on a shared engine. */
export function uniq(prefix: string): string {
  return `${prefix}-${hexId(6)}`;
}

/** A fixed "now" per run, in microseconds, with headroom so windows never include old data by accident. */
export const BASE_US = Date.now() * 1000;

export function makeSpan(overrides: Partial<Span> = {}): Span {
  return {
    traceId: overrides.traceId ?? newTraceId(),
    spanId: newSpanId(),
    parentSpanId: '',
    service: 'svc',
    name: 'op',
    kind: 'server',
    startUs: BASE_US,
    durationUs: 1000,
    status: { code: 'unset', message: '' },
    attributes: {},
    resource: { 'service.name': overrides.service ?? 'svc' },
    events: [],
    links: [],
    scope: { name: 'contract-test', version: '1.0.0' },
    ...overrides,
  };
}

export interface TraceSpec {
  traceId?: string;
  service?: string;
  /** Number of spans: one root plus children. */
  spans?: number;
  startUs?: number;
  /** Duration of the root; children fit inside it. */
  durationUs?: number;
  rootName?: string;
  /** Per-child overrides by index (0 = root). */
  overrides?: (index: number) => Partial<Span>;
}

/** A root with children spread inside it. Root first in the array. */
export function makeTrace(spec: TraceSpec = {}): Span[] {
  const traceId = spec.traceId ?? newTraceId();
  const service = spec.service ?? uniq('svc');
  const n = spec.spans ?? 3;
  const start = spec.startUs ?? BASE_US;
  const duration = spec.durationUs ?? 10_000;
  const root = makeSpan({
    traceId,
    service,
    name: spec.rootName ?? 'GET /root',
    startUs: start,
    durationUs: duration,
    resource: { 'service.name': service },
    ...spec.overrides?.(0),
  });
  const spans = [root];
  for (let i = 1; i < n; i++) {
    spans.push(
      makeSpan({
        traceId,
        service,
        parentSpanId: root.spanId,
        name: `child-${i}`,
        kind: 'internal',
        startUs: start + i,
        durationUs: Math.max(1, Math.floor(duration / (n + 1))),
        resource: { 'service.name': service },
        ...spec.overrides?.(i),
      }),
    );
  }
  return spans;
}

export function spanBatch(spans: Span[], extra: Partial<SpanBatch> = {}): SpanBatch {
  return { spans, businessKeys: [], traceLinks: [], messageIds: [], ...extra };
}

let logSeq = 0;
export function makeLog(overrides: Partial<LogRecord> = {}): LogRecord {
  const service = overrides.service ?? 'svc';
  return {
    id: overrides.id ?? `log-${hexId(12)}-${++logSeq}`,
    timeUs: BASE_US,
    observedTimeUs: BASE_US + 5,
    service,
    severityText: 'INFO',
    severityNumber: 9,
    body: 'hello world',
    traceId: '',
    spanId: '',
    attributes: {},
    resource: { 'service.name': service },
    scope: { name: 'contract-test', version: '1.0.0' },
    ...overrides,
  };
}

export function logBatch(logs: LogRecord[], extra: Partial<LogBatch> = {}): LogBatch {
  return { logs, businessKeys: [], ...extra };
}

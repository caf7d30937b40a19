import { randomBytes } from 'node:crypto';

/** Builders for OTLP/JSON request bodies (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding). */

export interface FixtureSpan {
  spanId: string;
  parentSpanId: string;
  service: string;
  name: string;
  kind: number;
  startMs: number;
  durationMs: number;
  error?: string;
  attributes?: Record<string, string | number>;
  events?: Array<{ offsetMs: number; name: string; attributes?: Record<string, string | number> }>;
  links?: Array<{ traceId: string; spanId: string }>;
}

export interface FixtureLog {
  timeMs: number;
  service: string;
  severityNumber: number;
  severityText: string;
  body: string;
  spanId: string;
}

export const hexId = (bytes: number): string => randomBytes(bytes).toString('hex');

const nanos = (ms: number): string => (BigInt(Math.round(ms * 1000)) * 1000n).toString();

function kv(attrs: Record<string, string | number> = {}) {
  return Object.entries(attrs).map(([key, v]) => ({
    key,
    value: typeof v === 'number' ? (Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v }) : { stringValue: v },
  }));
}

function groupByService<T extends { service: string }>(items: T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const it of items) {
    const list = out.get(it.service) ?? [];
    list.push(it);
    out.set(it.service, list);
  }
  return out;
}

export function tracesBody(traceId: string, spans: FixtureSpan[]): unknown {
  return {
    resourceSpans: [...groupByService(spans)].map(([service, list]) => ({
      resource: { attributes: kv({ 'service.name': service, 'deployment.environment': 'e2e' }) },
      scopeSpans: [
        {
          scope: { name: 'chainscope-e2e', version: '1.0.0' },
          spans: list.map((s) => ({
            traceId,
            spanId: s.spanId,
            parentSpanId: s.parentSpanId,
            name: s.name,
            kind: s.kind,
            startTimeUnixNano: nanos(s.startMs),
            endTimeUnixNano: nanos(s.startMs + s.durationMs),
            attributes: kv(s.attributes),
            events: (s.events ?? []).map((e) => ({ timeUnixNano: nanos(s.startMs + e.offsetMs), name: e.name, attributes: kv(e.attributes) })),
            links: (s.links ?? []).map((l) => ({ traceId: l.traceId, spanId: l.spanId, attributes: [] })),
            status: s.error ? { code: 2, message: s.error } : { code: 0 },
          })),
        },
      ],
    })),
  };
}

export function logsBody(traceId: string, logs: FixtureLog[]): unknown {
  return {
    resourceLogs: [...groupByService(logs)].map(([service, list]) => ({
      resource: { attributes: kv({ 'service.name': service }) },
      scopeLogs: [
        {
          scope: { name: 'chainscope-e2e' },
          logRecords: list.map((l) => ({
            timeUnixNano: nanos(l.timeMs),
            observedTimeUnixNano: nanos(l.timeMs),
            severityNumber: l.severityNumber,
            severityText: l.severityText,
            body: { stringValue: l.body },
            traceId,
            spanId: l.spanId,
            attributes: kv({ 'log.origin': 'e2e' }),
          })),
        },
      ],
    })),
  };
}

export const XSS_NAME = '<img src=x onerror=window.__xss=1>';

/** 51 spans over 3 services: one error span, one span whose name is an HTML injection attempt, one orphan. */
export function checkoutTrace(nowMs: number, linkTo: { traceId: string; spanId: string }) {
  const services = ['frontend', 'orders', 'payments'];
  const root: FixtureSpan = {
    spanId: hexId(8),
    parentSpanId: '',
    service: 'frontend',
    name: 'GET /checkout',
    kind: 2,
    startMs: nowMs - 5000,
    durationMs: 1200,
    attributes: { 'http.method': 'GET', 'http.route': '/checkout', 'order.id': 'ord-e2e-1' },
    links: [linkTo],
  };
  const spans: FixtureSpan[] = [root];
  for (let i = 1; i < 48; i++) {
    const parent = spans[Math.floor((i - 1) / 3)];
    const service = services[i % 3];
    const startMs = parent.startMs + 5 + (i % 7) * 10;
    spans.push({
      spanId: hexId(8),
      parentSpanId: parent.spanId,
      service,
      name: `${service} step ${i}`,
      kind: i % 2 ? 3 : 1,
      startMs,
      durationMs: Math.max(1, Math.min(parent.startMs + parent.durationMs - startMs - 1, 400 - i * 6)),
      attributes: { 'step.index': i },
    });
  }
  const errorSpan: FixtureSpan = {
    spanId: hexId(8),
    parentSpanId: spans[2].spanId,
    service: 'payments',
    name: 'charge card',
    kind: 3,
    startMs: root.startMs + 300,
    durationMs: 420,
    error: 'card declined',
    attributes: { 'payment.provider': 'acme-pay', 'http.status_code': 502 },
    events: [{ offsetMs: 410, name: 'exception', attributes: { 'exception.type': 'CardDeclined' } }],
  };
  const xssSpan: FixtureSpan = {
    spanId: hexId(8),
    parentSpanId: root.spanId,
    service: 'orders',
    name: XSS_NAME,
    kind: 1,
    startMs: root.startMs + 900,
    durationMs: 50,
    attributes: { '<b>key</b>': '<script>window.__xss=2</script>' },
  };
  // Its parent never arrives: the UI must show it as an extra root, not drop it.
  const orphanSpan: FixtureSpan = {
    spanId: hexId(8),
    parentSpanId: hexId(8),
    service: 'orders',
    name: 'late callback',
    kind: 5,
    startMs: root.startMs + 1100,
    durationMs: 30,
  };
  spans.push(errorSpan, xssSpan, orphanSpan);
  const logs: FixtureLog[] = [
    { timeMs: root.startMs + 1, service: 'frontend', severityNumber: 9, severityText: 'INFO', body: 'checkout started for ord-e2e-1', spanId: root.spanId },
    { timeMs: errorSpan.startMs + 400, service: 'payments', severityNumber: 17, severityText: 'ERROR', body: 'charge failed: card declined zebra42', spanId: errorSpan.spanId },
    { timeMs: errorSpan.startMs + 410, service: 'payments', severityNumber: 13, severityText: 'WARN', body: 'retry budget exhausted', spanId: errorSpan.spanId },
    { timeMs: xssSpan.startMs + 1, service: 'orders', severityNumber: 9, severityText: 'INFO', body: XSS_NAME, spanId: xssSpan.spanId },
  ];
  return { spans, root, errorSpan, xssSpan, orphanSpan, logs };
}

/**
 * 10,000 spans: a root, 99 children, 100 leaves under each child (1 + 99 + 9,900).
 * In tree order the last row is the last leaf of the last child.
 */
export function bigTrace(nowMs: number) {
  const root: FixtureSpan = { spanId: hexId(8), parentSpanId: '', service: 'gateway', name: 'batch import', kind: 2, startMs: nowMs - 20_000, durationMs: 10_000 };
  const spans: FixtureSpan[] = [root];
  let last = root;
  for (let c = 0; c < 99; c++) {
    const child: FixtureSpan = {
      spanId: hexId(8),
      parentSpanId: root.spanId,
      service: 'importer',
      name: `chunk-${c}`,
      kind: 1,
      startMs: root.startMs + c * 100,
      durationMs: 100,
    };
    spans.push(child);
    for (let l = 0; l < 100; l++) {
      last = {
        spanId: hexId(8),
        parentSpanId: child.spanId,
        service: 'store',
        name: `leaf-${c}-${l}`,
        kind: 3,
        startMs: child.startMs + l * 0.9,
        durationMs: 0.8,
      };
      spans.push(last);
    }
  }
  return { spans, root, last };
}

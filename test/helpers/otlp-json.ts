import crypto from 'node:crypto';

export const randomTraceId = () => crypto.randomBytes(16).toString('hex');
export const randomSpanId = () => crypto.randomBytes(8).toString('hex');

export interface JsonSpanSpec {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  service: string;
  startMs: number;
  durationMs: number;
  /** OTLP: 1 internal, 2 server, 3 client, 4 producer, 5 consumer */
  kind?: number;
  /** true, or the status message */
  error?: boolean | string;
  attributes?: Record<string, string | number | boolean>;
  links?: { traceId: string; spanId: string }[];
}

const anyValue = (v: string | number | boolean) =>
  typeof v === 'string' ? { stringValue: v } : typeof v === 'boolean' ? { boolValue: v } : Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };

const kvs = (attrs: Record<string, string | number | boolean> = {}) => Object.entries(attrs).map(([key, v]) => ({ key, value: anyValue(v) }));

const nanos = (ms: number) => (BigInt(Math.round(ms * 1000)) * 1000n).toString();

/** An OTLP/JSON ExportTraceServiceRequest, one resource per service. */
export function otlpJsonTraces(spans: JsonSpanSpec[]): string {
  const byService = new Map<string, JsonSpanSpec[]>();
  for (const s of spans) byService.set(s.service, [...(byService.get(s.service) ?? []), s]);
  return JSON.stringify({
    resourceSpans: [...byService].map(([service, list]) => ({
      resource: { attributes: kvs({ 'service.name': service }) },
      scopeSpans: [
        {
          scope: { name: 'chainscope-test', version: '1' },
          spans: list.map((s) => ({
            traceId: s.traceId,
            spanId: s.spanId,
            parentSpanId: s.parentSpanId ?? '',
            name: s.name,
            kind: s.kind ?? 1,
            startTimeUnixNano: nanos(s.startMs),
            endTimeUnixNano: nanos(s.startMs + s.durationMs),
            attributes: kvs(s.attributes),
            links: (s.links ?? []).map((l) => ({ traceId: l.traceId, spanId: l.spanId, attributes: [] })),
            status: s.error ? { code: 2, message: typeof s.error === 'string' ? s.error : 'failed' } : { code: 0 },
          })),
        },
      ],
    })),
  });
}

export interface JsonLogSpec {
  service: string;
  timeMs: number;
  body: string;
  severityText?: string;
  severityNumber?: number;
  traceId?: string;
  spanId?: string;
  attributes?: Record<string, string | number | boolean>;
}

export function otlpJsonLogs(logs: JsonLogSpec[]): string {
  return JSON.stringify({
    resourceLogs: logs.map((l) => ({
      resource: { attributes: kvs({ 'service.name': l.service }) },
      scopeLogs: [
        {
          scope: { name: 'chainscope-test' },
          logRecords: [
            {
              timeUnixNano: nanos(l.timeMs),
              severityText: l.severityText ?? 'INFO',
              severityNumber: l.severityNumber ?? 9,
              body: { stringValue: l.body },
              traceId: l.traceId ?? '',
              spanId: l.spanId ?? '',
              attributes: kvs(l.attributes),
            },
          ],
        },
      ],
    })),
  });
}

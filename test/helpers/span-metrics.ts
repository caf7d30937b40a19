import type { TestAllInOne } from './all-in-one';
import { otlpJsonTraces, randomSpanId, randomTraceId, type JsonSpanSpec } from './otlp-json';

/** `name{labels} value` lines of a Prometheus text page, by series. */
export function parseSeries(text: string): Map<string, number> {
  const series = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    series.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return series;
}

/** `calls` web → orders requests (each a client span in web, a server span in orders), the first `failed` of them with an error on the server side, sent as separate requests per service. */
export async function sendCalls(app: TestAllInOne, calls: number, failed: number): Promise<void> {
  const web: JsonSpanSpec[] = [];
  const orders: JsonSpanSpec[] = [];
  const now = Date.now();
  for (let i = 0; i < calls; i++) {
    const traceId = randomTraceId();
    const clientId = randomSpanId();
    web.push({ traceId, spanId: clientId, name: 'POST /orders', service: 'web', kind: 3, startMs: now, durationMs: 30 });
    orders.push({ traceId, spanId: randomSpanId(), parentSpanId: clientId, name: 'create order', service: 'orders', kind: 2, startMs: now + 1, durationMs: 3 + (i % 2) * 100, error: i < failed });
  }
  // the server side first: pairing waits for the client side whatever the order
  for (const body of [otlpJsonTraces(orders), otlpJsonTraces(web)]) {
    const res = await fetch(`${app.otlpUrl}/v1/traces`, { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });
    if (res.status !== 200) throw new Error(`OTLP/HTTP answered ${res.status}`);
  }
}


import type { BusinessKeyEntry, Span } from '../../core/model';
import type { SpanStore } from '../../core/contracts/span-store';
import { makeSpan, newTraceId } from '../contract/fixtures';

/** A shop front calling a payment service, `perMinute` times a minute; payment's latency and errors may change over time. */
export interface SteadyTrafficSpec {
  fromUs: number;
  toUs: number;
  perMinute: number;
  /** Payment's server time at a moment (ms). */
  paymentMs: (tUs: number) => number;
  /** Whether payment fails at a moment. */
  paymentFails?: (tUs: number) => boolean;
  /** Service names (default frontend and payment): unique ones keep a run apart from other data of a shared store. */
  names?: { frontend: string; payment: string };
  /** Each checkout is an order: its trace carries this business key (e.g. order.id) with a value of its own. */
  orderKey?: string;
}

/** Spans of frontend (server) → frontend client → payment (server), evenly spread over the window; with `orderKey`, one order per checkout. */
export function steadyTraffic(spec: SteadyTrafficSpec): { spans: Span[]; businessKeys: BusinessKeyEntry[] } {
  const { frontend, payment } = spec.names ?? { frontend: 'frontend', payment: 'payment' };
  const spans: Span[] = [];
  const businessKeys: BusinessKeyEntry[] = [];
  const gapUs = 60_000_000 / spec.perMinute;
  for (let t = spec.fromUs; t < spec.toUs; t += gapUs) {
    const tUs = Math.round(t);
    const payUs = Math.round(spec.paymentMs(tUs) * 1000);
    const fails = spec.paymentFails?.(tUs) ?? false;
    const status = fails ? { code: 'error' as const, message: 'card processor refused' } : { code: 'unset' as const, message: '' };
    const traceId = newTraceId();
    const root = makeSpan({ traceId, service: frontend, name: 'POST /checkout', kind: 'server', startUs: tUs, durationUs: payUs + 4000, status });
    const client = makeSpan({
      traceId,
      service: frontend,
      name: 'POST /pay',
      kind: 'client',
      parentSpanId: root.spanId,
      startUs: tUs + 1000,
      durationUs: payUs + 2000,
      attributes: { 'peer.service': payment },
      status,
    });
    const server = makeSpan({ traceId, service: payment, name: 'POST /pay', kind: 'server', parentSpanId: client.spanId, startUs: tUs + 2000, durationUs: payUs, status });
    spans.push(root, client, server);
    if (spec.orderKey) businessKeys.push({ key: spec.orderKey, value: `ORD-${traceId.slice(0, 12)}`, traceId, timeUs: tUs });
  }
  return { spans, businessKeys };
}

export async function writeSteadyTraffic(store: SpanStore, spec: SteadyTrafficSpec): Promise<void> {
  const { spans, businessKeys } = steadyTraffic(spec);
  const keysOf = new Map<string, BusinessKeyEntry>(businessKeys.map((k) => [k.traceId, k]));
  for (let i = 0; i < spans.length; i += 3000) {
    const part = spans.slice(i, i + 3000);
    const keys = [...new Set(part.map((s) => s.traceId))].flatMap((id) => (keysOf.has(id) ? [keysOf.get(id)!] : []));
    await store.writeSpans({ spans: part, businessKeys: keys, traceLinks: [], messageIds: [] });
  }
}

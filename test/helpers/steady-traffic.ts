import type { Span } from '../../core/model';
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
}

/** Spans of frontend (server) → frontend client → payment (server), evenly spread over the window. */
export function steadyTraffic(spec: SteadyTrafficSpec): Span[] {
  const spans: Span[] = [];
  const gapUs = 60_000_000 / spec.perMinute;
  for (let t = spec.fromUs; t < spec.toUs; t += gapUs) {
    const tUs = Math.round(t);
    const payUs = Math.round(spec.paymentMs(tUs) * 1000);
    const fails = spec.paymentFails?.(tUs) ?? false;
    const status = fails ? { code: 'error' as const, message: 'card processor refused' } : { code: 'unset' as const, message: '' };
    const traceId = newTraceId();
    const root = makeSpan({ traceId, service: 'frontend', name: 'POST /checkout', kind: 'server', startUs: tUs, durationUs: payUs + 4000, status });
    const client = makeSpan({
      traceId,
      service: 'frontend',
      name: 'POST /pay',
      kind: 'client',
      parentSpanId: root.spanId,
      startUs: tUs + 1000,
      durationUs: payUs + 2000,
      attributes: { 'peer.service': 'payment' },
      status,
    });
    const server = makeSpan({ traceId, service: 'payment', name: 'POST /pay', kind: 'server', parentSpanId: client.spanId, startUs: tUs + 2000, durationUs: payUs, status });
    spans.push(root, client, server);
  }
  return spans;
}

export async function writeSteadyTraffic(store: SpanStore, spec: SteadyTrafficSpec): Promise<void> {
  const spans = steadyTraffic(spec);
  for (let i = 0; i < spans.length; i += 3000) {
    await store.writeSpans({ spans: spans.slice(i, i + 3000), businessKeys: [], traceLinks: [], messageIds: [] });
  }
}

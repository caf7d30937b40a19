import { syntheticTrace } from '../../../../bench/synthetic-spans';
import { toZipkinSpans } from '../../../../bench/peers/zipkin-json';
import type { Span } from '../../../../core/model';

describe('toZipkinSpans', () => {
  const trace = syntheticTrace(13, 1_700_000_000_000_000, 42);
  const zipkin = JSON.parse(JSON.stringify(toZipkinSpans(trace)));

  it('keeps ids, the tree, times and the service of every span', () => {
    expect(zipkin).toHaveLength(13);
    trace.forEach((span, i) => {
      expect(zipkin[i]).toMatchObject({
        traceId: span.traceId,
        id: span.spanId,
        name: span.name,
        timestamp: span.startUs,
        duration: span.durationUs,
        localEndpoint: { serviceName: span.service },
      });
      if (span.parentSpanId) expect(zipkin[i].parentId).toBe(span.parentSpanId);
      else expect(zipkin[i]).not.toHaveProperty('parentId');
    });
  });

  it('maps kinds, leaving internal spans without one', () => {
    expect(zipkin[0].kind).toBe('SERVER');
    expect(zipkin[3].kind).toBe('CLIENT');
    expect(zipkin[1]).not.toHaveProperty('kind');
  });

  it('carries attributes and resource attributes as string tags, service.name as the endpoint only', () => {
    const tags = zipkin[5].tags as Record<string, unknown>;
    expect(tags['order.id']).toBe('ORD-42');
    expect(tags['db.rows']).toBe('5');
    expect(tags.retry).toBe('false');
    expect(tags['host.name']).toBe('host-2');
    expect(tags['otel.scope.name']).toBe('bench');
    expect(tags).not.toHaveProperty('service.name');
    for (const span of zipkin) for (const value of Object.values(span.tags)) expect(typeof value).toBe('string');
  });

  it('marks an error status with the error tag and turns events into annotations', () => {
    const span: Span = {
      ...trace[1],
      status: { code: 'error', message: 'card declined' },
      events: [{ timeUs: trace[1].startUs + 10, name: 'retry', attributes: {} }],
    };
    const [converted] = toZipkinSpans([span]);
    expect(converted.tags.error).toBe('card declined');
    expect(converted.annotations).toEqual([{ timestamp: span.startUs + 10, value: 'retry' }]);
    expect(toZipkinSpans([{ ...span, status: { code: 'error', message: '' } }])[0].tags.error).toBe('true');
    expect(toZipkinSpans([trace[1]])[0].tags).not.toHaveProperty('error');
  });
});

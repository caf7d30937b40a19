import crypto from 'node:crypto';
import type { Span } from '../core/model';

const SERVICES = ['order-api', 'customer', 'product-catalog', 'inventory', 'payment', 'billing', 'notification'];
const OPERATIONS = ['GET /orders/{id}', 'POST /orders', 'SELECT orders', 'reserve', 'charge', 'publish order-events', 'send email'];

/**
 * A trace of `size` spans shaped like a real request tree: one root, children
 * spread over services, ten attributes each including order and customer ids.
 */
export function syntheticTrace(size: number, startUs: number, seq: number): Span[] {
  const traceId = crypto.randomBytes(16).toString('hex');
  const ids = crypto.randomBytes(8 * size).toString('hex');
  const spans: Span[] = [];
  for (let i = 0; i < size; i++) {
    const service = SERVICES[i % SERVICES.length];
    spans.push({
      traceId,
      spanId: ids.slice(i * 16, i * 16 + 16),
      parentSpanId: i === 0 ? '' : ids.slice(Math.floor((i - 1) / 4) * 16, Math.floor((i - 1) / 4) * 16 + 16),
      service,
      name: OPERATIONS[(i + seq) % OPERATIONS.length],
      kind: i === 0 ? 'server' : i % 3 === 0 ? 'client' : 'internal',
      startUs: startUs + i * 100,
      durationUs: 1000 + ((i * 7919 + seq) % 50_000),
      status: { code: (seq + i) % 97 === 0 ? 'error' : 'unset', message: '' },
      attributes: {
        'order.id': `ORD-${seq}`,
        'customer.id': `CUST-${seq % 5000}`,
        'http.request.method': 'POST',
        'http.response.status_code': 200,
        'url.path': '/orders',
        'server.address': 'order-api.internal',
        'net.peer.port': 8080,
        'thread.name': 'worker-3',
        'db.rows': i,
        retry: false,
      },
      resource: { 'service.name': service, 'host.name': `host-${i % 3}`, 'deployment.environment': 'bench' },
      events: [],
      links: [],
      scope: { name: 'bench', version: '1.0.0' },
    });
  }
  return spans;
}

/**
 * Where each kind of fault can be injected in the demo: the service and the span
 * name (operation) it acts on, as the spans name them. The fault-injection bench
 * picks from these; the demo's tests check every one of them fires.
 */
import type { FaultKind } from './faults';
import type { ServiceName } from './services';

export interface FaultTarget {
  service: ServiceName;
  operation: string;
}

export const FAULT_TARGETS: Record<FaultKind, readonly FaultTarget[]> = {
  latency: [
    { service: 'order-api', operation: 'POST /api/orders' },
    { service: 'customer', operation: 'GET /customers/:id' },
    { service: 'product-catalog', operation: 'POST /products/quote' },
    { service: 'inventory', operation: 'POST /inventory/reservations' },
    { service: 'inventory', operation: 'POST /inventory/commit' },
    { service: 'payment', operation: 'POST /payments/authorize' },
    { service: 'payment', operation: 'POST /payments/capture' },
    { service: 'billing', operation: 'POST /billing/invoices' },
    { service: 'billing', operation: 'POST /billing/settlements' },
    { service: 'notification', operation: 'POST /notifications' },
    { service: 'fulfilment', operation: 'process order-events' },
    { service: 'scheduler', operation: 'process order-jobs' },
  ],
  error: [
    { service: 'customer', operation: 'GET /customers/:id' },
    { service: 'inventory', operation: 'POST /inventory/reservations' },
    { service: 'payment', operation: 'POST /payments/authorize' },
    { service: 'inventory', operation: 'POST /inventory/commit' },
    { service: 'billing', operation: 'POST /billing/invoices' },
    { service: 'notification', operation: 'POST /notifications' },
  ],
  dbLock: [
    { service: 'inventory', operation: 'SELECT inventory.stock' },
    { service: 'inventory', operation: 'UPDATE inventory.stock' },
    { service: 'order-api', operation: 'INSERT orders.orders' },
    { service: 'payment', operation: 'INSERT payments.payments' },
    { service: 'payment', operation: 'UPDATE payments.payments' },
    { service: 'billing', operation: 'INSERT billing.invoices' },
    { service: 'billing', operation: 'UPDATE billing.invoices' },
    { service: 'fulfilment', operation: 'INSERT fulfilment.shipments' },
  ],
  slowExternal: [
    { service: 'payment', operation: 'POST' },
    { service: 'notification', operation: 'POST' },
  ],
  queueBacklog: [{ service: 'fulfilment', operation: 'process order-events' }],
  consumerCrash: [
    { service: 'fulfilment', operation: 'process order-events' },
    { service: 'scheduler', operation: 'process order-jobs' },
  ],
};

/** Added time per kind (ms, drawn uniformly): well above a healthy order's ~150–300 ms of work, below the callers' timeouts. */
export const FAULT_ADDED_MS: Record<FaultKind, readonly [number, number]> = {
  latency: [600, 1500],
  error: [500, 1200],
  dbLock: [800, 1800],
  slowExternal: [800, 1800],
  queueBacklog: [1000, 2500],
  consumerCrash: [1000, 2500],
};

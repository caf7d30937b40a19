import crypto from 'node:crypto';
import type { LogRecord } from '../core/model';
import { logRecordId } from '../core/otlp';

const SERVICES = ['order-api', 'inventory', 'payment', 'billing', 'notification'];
const MESSAGES = [
  'order %s accepted for customer %c',
  'reserved 3 items for order %s in WH-MUC-2',
  'payment authorised for order %s',
  'card declined for order %s: insufficient funds',
  'invoice issued for order %s',
  'sms sent to customer %c about order %s',
];

/** `count` log records shaped like an order center's, with trace context and business keys, `spacingUs` apart. */
export function syntheticLogs(count: number, startUs: number, seq: number, spacingUs = 10): LogRecord[] {
  const ids = crypto.randomBytes(24 * count).toString('hex');
  const out: LogRecord[] = [];
  for (let i = 0; i < count; i++) {
    const n = seq * count + i;
    const order = `ORD-${Math.floor(n / 6)}`;
    const customer = `CUST-${n % 5000}`;
    const severityNumber = n % 50 === 0 ? 17 : n % 10 === 0 ? 13 : 9;
    const record: Omit<LogRecord, 'id'> = {
      timeUs: startUs + n * spacingUs,
      observedTimeUs: startUs + n * spacingUs,
      service: SERVICES[n % SERVICES.length],
      severityText: severityNumber === 17 ? 'ERROR' : severityNumber === 13 ? 'WARN' : 'INFO',
      severityNumber,
      body: MESSAGES[n % MESSAGES.length].replace('%s', order).replace('%c', customer),
      traceId: ids.slice(i * 48, i * 48 + 32),
      spanId: ids.slice(i * 48 + 32, i * 48 + 48),
      attributes: { 'order.id': order, 'customer.id': customer, 'thread.name': 'worker-2' },
      resource: { 'service.name': SERVICES[n % SERVICES.length], 'host.name': `host-${n % 3}` },
      scope: { name: 'bench', version: '1.0.0' },
    };
    out.push({ ...record, id: logRecordId(record) });
  }
  return out;
}

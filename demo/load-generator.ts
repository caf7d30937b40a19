/**
 * The demo's "storefront": an uninstrumented client posting orders to order-api
 * with Poisson arrivals, at most `maxInFlight` at a time (beyond that an arrival
 * is skipped and counted, so a stuck order-api never grows memory).
 */
import * as http from 'node:http';
import { intBetween, pick } from './random';
import { PRODUCTS } from './services';

const CHANNELS = ['web', 'web', 'web', 'app', 'app', 'shop', 'call-center'];

export interface LoadGeneratorOptions {
  orderApiPort: number;
  ordersPerSecond: number;
  agent: http.Agent;
  /** Called with the order id order-api answered with (accepted or not), and the HTTP status. */
  onOrder?: (orderId: string, status: number) => void;
}

export interface LoadGenerator {
  readonly inFlight: number;
  readonly submitted: number;
  readonly skipped: number;
  /** Stop posting new orders (in-flight ones finish). */
  stop(): void;
}

export function startLoadGenerator(options: LoadGeneratorOptions): LoadGenerator {
  const rate = options.ordersPerSecond;
  const maxInFlight = Math.max(50, Math.ceil(rate * 10));
  let inFlight = 0;
  let submitted = 0;
  let skipped = 0;
  let generating = true;
  let timer: NodeJS.Timeout | null = null;

  const submitOrder = () => {
    if (inFlight >= maxInFlight) {
      skipped++;
      return;
    }
    const lines = intBetween(1, 3);
    const items = Array.from({ length: lines }, () => ({ sku: pick(PRODUCTS).sku, qty: intBetween(1, 3) }));
    const body = JSON.stringify({ customerId: `C-${intBetween(1001, 1400)}`, items, channel: pick(CHANNELS) });
    inFlight++;
    submitted++;
    const req = http.request({
      host: '127.0.0.1',
      port: options.orderApiPort,
      method: 'POST',
      path: '/api/orders',
      agent: options.agent,
      timeout: 10000,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'storefront/5.2' },
    });
    let finished = false;
    const finish = () => {
      if (!finished) {
        finished = true;
        inFlight--;
      }
    };
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', finish);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (options.onOrder && size <= 64 * 1024) chunks.push(c);
      });
      res.on('end', () => {
        if (options.onOrder) reportOrder(Buffer.concat(chunks).toString('utf8'), res.statusCode ?? 0, options.onOrder);
        finish();
      });
      res.on('error', finish);
      res.on('close', finish);
    });
    req.end(body);
  };

  const scheduleNext = () => {
    if (!generating) return;
    // Poisson arrivals: exponential inter-arrival times, capped so a slow rate still ticks.
    const gap = Math.min(-Math.log(1 - Math.random()) / rate, 10 / rate) * 1000;
    timer = setTimeout(() => {
      timer = null;
      if (!generating) return;
      try {
        submitOrder();
      } finally {
        scheduleNext();
      }
    }, gap);
    timer.unref();
  };
  scheduleNext();

  return {
    get inFlight() {
      return inFlight;
    },
    get submitted() {
      return submitted;
    },
    get skipped() {
      return skipped;
    },
    stop() {
      generating = false;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}

/** Accepted orders are answered with their id; a rejected or failed one has none to report. */
function reportOrder(text: string, status: number, onOrder: (orderId: string, status: number) => void): void {
  try {
    const body = JSON.parse(text) as { orderId?: unknown };
    if (typeof body.orderId === 'string') onOrder(body.orderId, status);
  } catch {
    /* not JSON: nothing to report */
  }
}

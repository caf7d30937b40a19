import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SERVICE_NAMES } from '../../../demo';
import { getJson, startTestAllInOne, type TestAllInOne } from '../../helpers/all-in-one';
import { waitFor } from '../../helpers/wait';

interface LogLine {
  id: string;
  service: string;
  body: string;
  traceId: string;
  spanId: string;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
}

/**
 * The all-in-one with the demo and its default DEMO_LOG_DIR: the demo's services
 * write JSON-lines files under DATA_DIR/demo-logs, the built-in shipper sends
 * them (one source `<dir>/*.log`, service from each line's `service` field)
 * through the all-in-one's own receiver, and the logs still join their traces
 * and order chains. A LOG_PATHS glob over the same files ships none of them again.
 */
describe('demo logs through the file shipper (DEMO_LOG_DIR)', () => {
  let app: TestAllInOne;
  let dir: string;
  const logs = async (query: string): Promise<{ total: number; logs: LogLine[] }> => {
    const { status, body } = await getJson(`${app.apiUrl}/api/logs?${query}`);
    if (status !== 200) throw new Error(`GET /api/logs?${query}: ${status} ${JSON.stringify(body)}`);
    return body;
  };

  beforeAll(async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-test-'));
    // LOG_PATHS also matches the demo's files: the demo source comes first and keeps them
    app = await startTestAllInOne({ dataDir, demo: true, demoRate: 10, logPaths: [path.join(dataDir, 'demo-logs', '*.log')], logService: 'log-paths-overlap' });
    dir = path.join(app.dataDir, 'demo-logs');
  });
  afterAll(() => app?.dispose());

  it('writes one JSON-lines file per service under DATA_DIR/demo-logs', async () => {
    expect(app.config.demoLogDir).toBe(dir);
    await waitFor(() => SERVICE_NAMES.every((s) => fs.existsSync(path.join(dir, `${s}.log`))) || undefined, 'the nine log files');
    const first = await waitFor(() => fs.readFileSync(path.join(dir, 'order-api.log'), 'utf8').split('\n')[0] || undefined, 'a line in order-api.log');
    expect(JSON.parse(first)).toMatchObject({ service: 'order-api', level: 'INFO', message: expect.stringMatching(/^order ORD-/), trace_id: expect.stringMatching(/^[0-9a-f]{32}$/), span_id: expect.stringMatching(/^[0-9a-f]{16}$/), 'order.id': expect.stringMatching(/^ORD-/) });
  });

  it('makes the lines searchable, named after their file, and only through the file path', async () => {
    const page = await waitFor(async () => {
      const got = await logs('limit=1000');
      return new Set(got.logs.map((l) => l.service)).size >= 7 ? got : undefined;
    }, 'logs of at least seven demo services', 30_000);
    for (const l of page.logs) {
      // attributes only the shipper sets: every stored demo log came from a file, none over OTLP
      expect({ service: l.service, file: l.attributes['log.file.name'] }).toEqual({ service: l.service, file: `${l.service}.log` });
      expect(l.attributes['log.file.path']).toBe(path.join(dir, `${l.service}.log`));
      expect(l.resource['service.name']).toBe(l.service);
      // the line's `service` field named the record and is not kept again as an attribute
      expect(l.attributes).not.toHaveProperty('service');
    }
    // no demo file went to the LOG_PATHS source too
    expect(page.logs.some((l) => l.service === 'log-paths-overlap')).toBe(false);
    expect((await logs('service=log-paths-overlap&limit=1')).total).toBe(0);
    const payment = await waitFor(async () => (await logs('q=log.file.name:payment.log&limit=1')).logs[0], 'a payment log found by its file name');
    expect(payment.service).toBe('payment');
  });

  it("links a log to its stored trace and span", async () => {
    const withSpan = await waitFor(async () => {
      const got = await logs(`q=${encodeURIComponent('service:inventory "reserved"')}&limit=5`);
      return got.logs.find((l) => /^[0-9a-f]{32}$/.test(l.traceId) && /^[0-9a-f]{16}$/.test(l.spanId));
    }, 'an inventory log with trace context', 30_000);
    const trace = await waitFor(async () => {
      const { status, body } = await getJson(`${app.apiUrl}/api/traces/${withSpan.traceId}`);
      return status === 200 && body.spans.some((s: { spanId: string }) => s.spanId === withSpan.spanId) ? body : undefined;
    }, 'the log\'s trace with its span', 30_000);
    expect(trace.spans.find((s: { spanId: string }) => s.spanId === withSpan.spanId)).toMatchObject({ service: 'inventory' });
    const bySpan = await logs(`traceId=${withSpan.traceId}&spanId=${withSpan.spanId}`);
    expect(bySpan.logs.map((l) => l.id)).toContain(withSpan.id);
  });

  it('puts the logs of every stage into the order chain', async () => {
    // a completed order: its scheduler line is written last, after intake and fulfilment
    const completed = await waitFor(async () => (await logs(`q=${encodeURIComponent('service:scheduler completed')}&limit=1`)).logs[0], 'a completed order', 30_000);
    const orderId = String(completed.attributes['order.id']);
    expect(orderId).toMatch(/^ORD-/);
    const chain = await waitFor(async () => {
      const { status, body } = await getJson(`${app.apiUrl}/api/chains?key=order.id&value=${encodeURIComponent(orderId)}`);
      if (status !== 200 || body.traceCount < 3) return undefined;
      const services = new Set((body.logs as LogLine[]).map((l) => l.service));
      return services.has('order-api') && services.has('fulfilment') && services.has('scheduler') ? body : undefined;
    }, `the chain of ${orderId} with logs from its three traces`, 30_000);
    const chainLogs = chain.logs as LogLine[];
    expect(chainLogs.every((l) => l.attributes['log.file.name'] === `${l.service}.log`)).toBe(true);
    expect(chainLogs.filter((l) => l.attributes['order.id'] === orderId).length).toBeGreaterThanOrEqual(5);
    expect(new Set(chainLogs.map((l) => l.traceId)).size).toBeGreaterThanOrEqual(3);
  });
});

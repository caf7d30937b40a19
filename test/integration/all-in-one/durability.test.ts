import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getJson, startTestAllInOne } from '../../helpers/all-in-one';
import { otlpJsonTraces, randomSpanId, randomTraceId } from '../../helpers/otlp-json';

describe('all-in-one durability', () => {
  it('keeps everything it answered 200 for across a clean stop and restart', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-durable-'));
    const traceId = randomTraceId();
    const service = 'durable';
    const requests = 40;
    const spansPerRequest = 250;
    const first = await startTestAllInOne({ dataDir });
    const statuses = await Promise.all(
      Array.from({ length: requests }, (_, r) =>
        fetch(`${first.otlpUrl}/v1/traces`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: otlpJsonTraces(
            Array.from({ length: spansPerRequest }, (_, i) => ({
              traceId,
              spanId: randomSpanId(),
              name: `op-${r}-${i}`,
              service,
              startMs: Date.now(),
              durationMs: 1,
            })),
          ),
        }).then((res) => res.status),
      ),
    );
    // Stop right away: what was accepted must be drained into the store first.
    await first.stop();
    const accepted = statuses.filter((s) => s === 200).length;
    expect(accepted).toBe(requests);

    const second = await startTestAllInOne({ dataDir });
    try {
      const r = await getJson(`${second.apiUrl}/api/traces/${traceId}`);
      expect(r.status).toBe(200);
      expect(r.body.spans).toHaveLength(accepted * spansPerRequest);
    } finally {
      await second.dispose();
    }
  });
});

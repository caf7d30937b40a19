import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureFreshBuild } from '../../helpers/fresh-build';
import { otlpJsonTraces, randomSpanId, randomTraceId } from '../../helpers/otlp-json';
import { spawnRole, type RoleProcess } from '../../helpers/processes';
import { waitFor } from '../../helpers/wait';

/**
 * The ingest threads run with a bounded old generation
 * (INGEST_THREAD_MAX_OLD_SPACE_MIB). A batch that needs more than the limit
 * must still be stored: the thread that ran out stops, its batch is delivered
 * again, and the next thread gets twice the limit.
 */
const TRACES = 400;
const SPANS_PER_TRACE = 50;

async function spanCount(api: string, traceId: string): Promise<number> {
  const res = await fetch(`${api}/api/traces/${traceId}`);
  if (res.status === 404) return 0;
  if (res.status !== 200) throw new Error(`GET trace answered ${res.status}`);
  return ((await res.json()) as { spans: unknown[] }).spans.length;
}

describe('ingest threads with a small heap limit', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-thread-heap-'));
  let app: RoleProcess | undefined;
  beforeAll(() => ensureFreshBuild());
  afterAll(async () => {
    await app?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('stores a batch larger than the limit allows: the thread that ran out is started again with twice the limit', async () => {
    // 16 MiB holds a thread and its stores, not the 20,000 decoded spans of this request (one store batch)
    app = spawnRole('all-in-one', { DATA_DIR: dataDir, PORT: '0', OTLP_HTTP_PORT: '0', INGEST_THREADS: '2', INGEST_THREAD_MAX_OLD_SPACE_MIB: '16' });
    const api = (await app.waitForOutput(/query API and UI listening on (http:\/\/\S+)/))[1];
    const otlp = (await app.waitForOutput(/OTLP\/HTTP receiver listening on (http:\/\/\S+)/))[1];
    await app.waitForOutput(/all-in-one running/);

    const traceIds = Array.from({ length: TRACES }, randomTraceId);
    const now = Date.now();
    const body = otlpJsonTraces(
      traceIds.flatMap((traceId, t) =>
        Array.from({ length: SPANS_PER_TRACE }, (_, i) => ({
          traceId,
          spanId: randomSpanId(),
          name: `op-${i}`,
          service: `svc-${t % 7}`,
          startMs: now + i,
          durationMs: 1,
          attributes: { 'order.id': `ORD-${t}`, 'url.path': `/orders/${t}/items/${i}`, 'http.response.status_code': 200, 'thread.name': `worker-${i % 4}` },
        })),
      ),
    );
    const res = await fetch(`${otlp}/v1/traces`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    expect(res.status).toBe(200);

    await app.waitForOutput(/ingest: thread ran out of its 16 MiB heap limit; the next thread gets 32 MiB/, 60_000);
    // every span of the request, once each
    await waitFor(async () => (await spanCount(api, traceIds[TRACES - 1])) === SPANS_PER_TRACE, 'the last trace to be stored', 120_000);
    for (const id of traceIds) expect(await spanCount(api, id)).toBe(SPANS_PER_TRACE);

    // and ingest goes on with the thread started again
    const after = randomTraceId();
    const small = otlpJsonTraces([{ traceId: after, spanId: randomSpanId(), name: 'after', service: 'svc-after', startMs: Date.now(), durationMs: 1 }]);
    expect((await fetch(`${otlp}/v1/traces`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: small })).status).toBe(200);
    await waitFor(async () => (await spanCount(api, after)) === 1, 'the small trace to be stored', 30_000);
  }, 240_000);
});

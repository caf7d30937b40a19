import fs from 'node:fs';
import path from 'node:path';
import { ensureFreshBuild } from '../../helpers/fresh-build';
import { otlpJsonTraces, randomSpanId, randomTraceId } from '../../helpers/otlp-json';
import { spawnRole, type RoleProcess } from '../../helpers/processes';
import { describeWithTmpfs, type Tmpfs } from '../../helpers/tmpfs';
import { waitFor } from '../../helpers/wait';

/**
 * The all-in-one as its own process on a small tmpfs: what happens when its
 * disk fills up, when it is stopped or killed with a full disk, and when it
 * is started on one. Every trace answered 200 must be stored in the end.
 */
const BUS_BYTES = 2 * 1024 * 1024; // the spill reserve is twice this
const SPANS_PER_TRACE = 100;
const PAD = 'x'.repeat(2000); // ~2 KB per span: the disk fills in a few hundred requests

interface Running {
  proc: RoleProcess;
  api: string;
  otlp: string;
}

async function start(dataDir: string, bus: string): Promise<Running> {
  const proc = spawnRole('all-in-one', {
    BUS: bus,
    DATA_DIR: dataDir,
    PORT: '0',
    OTLP_HTTP_PORT: '0',
    MEMORY_BUS_CAPACITY_BYTES: String(BUS_BYTES),
  });
  const api = (await proc.waitForOutput(/query API and UI listening on (http:\/\/\S+)/))[1];
  const otlp = (await proc.waitForOutput(/OTLP\/HTTP receiver listening on (http:\/\/\S+)/))[1];
  await proc.waitForOutput(/all-in-one running/);
  return { proc, api, otlp };
}

async function sendTrace(otlp: string): Promise<{ traceId: string; status: number; retryAfter: string | null; body: string }> {
  const traceId = randomTraceId();
  const now = Date.now();
  const body = otlpJsonTraces(
    Array.from({ length: SPANS_PER_TRACE }, (_, i) => ({
      traceId,
      spanId: randomSpanId(),
      name: `op-${i}`,
      service: 'diskfull',
      startMs: now + i,
      durationMs: 1,
      attributes: { pad: PAD, 'order.id': `ORD-${traceId.slice(0, 8)}` },
    })),
  );
  const res = await fetch(`${otlp}/v1/traces`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
  return { traceId, status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.text() };
}

/**
 * What a refusal for a full disk says: the in-process bus refuses while its consumer's writes fail,
 * the write-ahead log when its own append fails (or the store's failure fills it).
 */
const DISK_FULL_REFUSAL = /cannot store otlp_spans right now: .*disk is full|cannot write to the write-ahead log of otlp_spans: disk full/;

/** Sends traces (two at a time) until the receiver has refused `refusals` requests; returns the ids answered 200. */
async function sendUntilRefused(otlp: string, refusals = 4, timeoutMs = 90_000): Promise<{ acked: string[]; refused: { retryAfter: string | null; body: string }[] }> {
  const acked: string[] = [];
  const refused: { retryAfter: string | null; body: string }[] = [];
  const deadline = Date.now() + timeoutMs;
  while (refused.length < refusals) {
    if (Date.now() > deadline) throw new Error(`never refused: ${acked.length} traces accepted`);
    const results = await Promise.all([sendTrace(otlp), sendTrace(otlp)]);
    for (const r of results) {
      if (r.status === 200) acked.push(r.traceId);
      // a 503 for a full in-process bus can come first; count the ones that name the disk
      else if (r.status === 503 && DISK_FULL_REFUSAL.test(r.body)) refused.push(r);
      else if (r.status === 503) await new Promise((resolve) => setTimeout(resolve, 100));
      else throw new Error(`unexpected ${r.status}: ${r.body}`);
    }
  }
  return { acked, refused };
}

async function health(api: string): Promise<{ status: number; body: { status: string; problems: string[]; warnings: string[]; stores: Record<string, unknown> } }> {
  const res = await fetch(`${api}/api/health`);
  return { status: res.status, body: await res.json() };
}

async function expectAllStored(api: string, traceIds: string[], timeoutMs = 60_000): Promise<void> {
  const missing = new Set(traceIds);
  await waitFor(
    async () => {
      for (const id of [...missing]) {
        const res = await fetch(`${api}/api/traces/${id}`);
        if (res.status !== 200) continue;
        const body = (await res.json()) as { spans: unknown[] };
        if (body.spans.length === SPANS_PER_TRACE) missing.delete(id);
      }
      return missing.size === 0;
    },
    `all ${traceIds.length} acknowledged traces to be stored (${missing.size} missing)`,
    timeoutMs,
  );
}

describeWithTmpfs('all-in-one on a disk that fills up', (mount) => describe.each(['wal', 'memory'])('BUS=%s', (bus) => {
  let disk: Tmpfs;
  let running: Running | undefined;
  beforeAll(() => ensureFreshBuild());
  beforeEach(() => {
    disk = mount(40);
  });
  afterEach(async () => {
    await running?.proc.stop('SIGKILL');
    running = undefined;
    disk.unmount();
  });

  it('refuses with 503 + Retry-After and says why in /api/health while full, resumes by itself when space returns, and stores everything it answered 200', async () => {
    const dataDir = path.join(disk.dir, 'data');
    running = await start(dataDir, bus);
    const fresh = await health(running.api);
    expect(fresh.status).toBe(200);
    // a 40 MiB disk is worth a warning, not a degraded status; the store says what it holds and what is free
    expect(fresh.body.warnings.join('\n')).toMatch(/embedded store: disk almost full/);
    expect(fresh.body.stores.spans).toEqual(expect.objectContaining({ backend: 'embedded', disk: expect.objectContaining({ freeBytes: expect.any(Number) }) }));
    const filler = disk.fill(6 * 1024 * 1024);

    const { acked, refused } = await sendUntilRefused(running.otlp);
    expect(acked.length).toBeGreaterThan(0);
    expect(refused[refused.length - 1].retryAfter).toMatch(/^\d+$/);

    const full = await health(running.api);
    expect(full.status).toBe(503);
    expect(full.body.status).toBe('degraded');
    expect(full.body.problems.join('\n')).toMatch(/cannot write otlp_spans .*database or disk is full|write-ahead log of otlp_spans: disk full/);

    // stay full long enough for the store's retry back-off to reach its longest wait
    await new Promise((resolve) => setTimeout(resolve, 8_000));
    expect((await sendTrace(running.otlp)).status).toBe(503);
    fs.rmSync(filler);
    const freedAt = Date.now();
    // a sender retrying, as OTLP exporters do, is taken again
    await waitFor(async () => (await sendTrace(running!.otlp)).status === 200, 'a new request to be taken', 30_000);
    const recoveredMs = Date.now() - freedAt;
    await waitFor(async () => (await health(running!.api)).status === 200, 'health to be ok again', 30_000);
    console.log(`disk-full, BUS=${bus}: ${acked.length} traces answered 200 before the disk filled, ${refused.length} refused; taken again ${recoveredMs} ms after space returned`);
    await expectAllStored(running.api, acked);
  }, 180_000);

  it('a SIGTERM with a full disk exits cleanly within seconds and the next start stores everything it answered 200', async () => {
    const dataDir = path.join(disk.dir, 'data');
    running = await start(dataDir, bus);
    const filler = disk.fill(6 * 1024 * 1024);
    const { acked } = await sendUntilRefused(running.otlp);
    const stopping = Date.now();
    expect(await running.proc.stop('SIGTERM')).toBe(0);
    const stopMs = Date.now() - stopping;
    expect(stopMs).toBeLessThan(15_000);
    if (bus === 'memory') {
      // the in-process bus keeps what it could not write in DATA_DIR/spill; the write-ahead log has it on disk already
      const kept = running.proc.output().match(/kept (\d+) unwritten otlp_spans messages/);
      expect(kept).not.toBeNull();
    }
    console.log(`disk-full, BUS=${bus}: SIGTERM with a full disk took ${stopMs} ms`);

    fs.rmSync(filler);
    running = await start(dataDir, bus);
    if (bus === 'memory') await running.proc.waitForOutput(/writing \d+ otlp_spans messages kept at the last shutdown/);
    await expectAllStored(running.api, acked);
    if (bus === 'memory') {
      await waitFor(() => fs.readdirSync(path.join(dataDir, 'spill')).every((f) => !f.endsWith('.spill')), 'the kept file to go', 15_000);
    }
    expect((await health(running.api)).status).toBe(200);
  }, 180_000);

  it('kill -9 with a full disk: the store opens again and keeps what it had written, with no duplicates', async () => {
    const dataDir = path.join(disk.dir, 'data');
    running = await start(dataDir, bus);
    const first = await sendTrace(running.otlp);
    expect(first.status).toBe(200);
    await expectAllStored(running.api, [first.traceId]);
    const filler = disk.fill(6 * 1024 * 1024);
    await sendUntilRefused(running.otlp);
    await running.proc.stop('SIGKILL');

    fs.rmSync(filler);
    running = await start(dataDir, bus);
    const res = await fetch(`${running.api}/api/traces/${first.traceId}`);
    expect(res.status).toBe(200);
    const spans = ((await res.json()) as { spans: { spanId: string }[] }).spans;
    expect(spans).toHaveLength(SPANS_PER_TRACE);
    expect(new Set(spans.map((s) => s.spanId)).size).toBe(SPANS_PER_TRACE);
    expect((await sendTrace(running.otlp)).status).toBe(200);
  }, 180_000);

  it('starting on a full disk is one clear line and exit 2', async () => {
    disk.fill(0);
    const proc = spawnRole('all-in-one', { BUS: bus, DATA_DIR: path.join(disk.dir, 'data'), PORT: '0', OTLP_HTTP_PORT: '0', MEMORY_BUS_CAPACITY_BYTES: String(BUS_BYTES) });
    const code = await new Promise<number | null>((resolve) => proc.child.once('exit', resolve));
    expect(code).toBe(2);
    const lines = proc.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^chainscope: cannot start: disk full: /);
  }, 60_000);
}));

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WalBus } from '../../../bus/wal';
import { loadConfig } from '../../../core/config';
import { ensureFreshBuild } from '../../helpers/fresh-build';
import { otlpJsonTraces, randomSpanId, randomTraceId } from '../../helpers/otlp-json';
import { spawnRole, type RoleProcess } from '../../helpers/processes';
import { waitFor } from '../../helpers/wait';

/**
 * kill -9 against the write-ahead log: what publish() acknowledged must be
 * on disk whatever moment the process dies at.
 *  1. A child process publishes from 8 concurrent loops (records of 100 B to
 *     64 KiB, so a kill often lands inside a write) and prints each
 *     acknowledged sequence number; the parent kills it mid-burst, reopens
 *     the folder and finds every acknowledged record. Five rounds on one
 *     folder: each reopen also recovers from the kill before.
 *  2. The all-in-one with BUS=wal, killed during a burst of OTLP requests:
 *     every request answered 200 is stored whole after the restart. Runs once
 *     the all-in-one accepts BUS=wal (skipped with a note until then).
 */
const DIST_WAL = path.resolve(__dirname, '..', '..', '..', 'dist', 'bus', 'wal', 'index.js');

const CHILD = `
const { WalBus } = require(${JSON.stringify(DIST_WAL)});
const [dir, firstSeq] = [process.argv[1], Number(process.argv[2])];
(async () => {
  const bus = new WalBus({ dir, maxBytes: 256 * 1024 * 1024, segmentBytes: 4 * 1024 * 1024, log: () => {} });
  await bus.start();
  let next = firstSeq;
  const loop = async (lane) => {
    for (;;) {
      const seq = next++;
      const size = 100 + ((seq * 7919) % (64 * 1024));
      const value = Buffer.alloc(size, seq % 251);
      value.write(String(seq), 0);
      await bus.publish('burst', [{ key: String(lane), value, headers: { seq: String(seq) } }]);
      process.stdout.write('ack ' + seq + '\\n');
    }
  };
  console.log('publishing');
  await Promise.all(Array.from({ length: 8 }, (_, lane) => loop(lane)));
})().catch((err) => { console.error(err); process.exit(1); });
`;

interface Child {
  acked: () => number[];
  exited: Promise<void>;
  kill: () => void;
  output: () => string;
}

function startPublisher(dir: string, firstSeq: number): Child {
  const child = spawn(process.execPath, ['-e', CHILD, dir, String(firstSeq)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    // whole lines only: a line cut by the kill is not counted as acknowledged
    acked: () => [...out.matchAll(/^ack (\d+)$/gm)].map((m) => Number(m[1])),
    exited,
    kill: () => child.kill('SIGKILL'),
    output: () => out.slice(-500) + err,
  };
}

/** Reads everything after group `check`'s saved position, then closes (saving the position). */
async function readBack(dir: string): Promise<{ seqs: number[]; truncatedTails: number; lanesInOrder: boolean }> {
  const bus = new WalBus({ dir, maxBytes: 256 * 1024 * 1024, segmentBytes: 4 * 1024 * 1024, log: () => {} });
  await bus.start();
  const seqs: number[] = [];
  const lastPerLane = new Map<string, number>();
  let lanesInOrder = true;
  await bus.subscribe('burst', 'check', async (batch) => {
    for (const m of batch) {
      const seq = Number(m.headers!.seq);
      if (m.value.toString('latin1', 0, String(seq).length) !== String(seq)) throw new Error(`record ${seq} has the wrong value`);
      if (m.value.length !== 100 + ((seq * 7919) % (64 * 1024))) throw new Error(`record ${seq} has the wrong length`);
      if ((lastPerLane.get(m.key!) ?? -1) >= seq) lanesInOrder = false;
      lastPerLane.set(m.key!, seq);
      seqs.push(seq);
    }
  });
  await waitFor(() => bus.drained(), 'the reader to catch up', 60_000);
  const truncatedTails = bus.stats().topics.burst?.truncatedTails ?? 0;
  await bus.shutdown();
  return { seqs, truncatedTails, lanesInOrder };
}

const SPANS_PER_TRACE = 50;

function walWired(): boolean {
  try {
    return (loadConfig({ BUS: 'wal' }) as { bus: string }).bus === 'wal';
  } catch {
    return false;
  }
}

describe('write-ahead log killed with -9', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-wal-kill-'));
  beforeAll(() => ensureFreshBuild());
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keeps every acknowledged record through five kills in the middle of bursts', async () => {
    let nextSeq = 0;
    const summary: string[] = [];
    for (let round = 0; round < 5; round++) {
      const child = startPublisher(dir, nextSeq);
      // kill at a different point of the burst each round
      const target = 300 + round * 250;
      await waitFor(() => child.acked().length >= target || undefined, `the burst to be under way (${child.output()})`, 60_000);
      child.kill();
      await child.exited;
      const acked = child.acked();
      const back = await readBack(dir);
      const found = new Set(back.seqs);
      const missing = acked.filter((s) => !found.has(s));
      expect(missing).toEqual([]);
      expect(back.lanesInOrder).toBe(true);
      // nothing from an earlier round again: the reader's position was saved
      expect(back.seqs.every((s) => s >= nextSeq)).toBe(true);
      summary.push(`round ${round + 1}: ${acked.length} acknowledged, ${back.seqs.length} on disk, torn tail cut: ${back.truncatedTails}`);
      nextSeq = Math.max(nextSeq, ...back.seqs, ...acked) + 1000;
    }
    console.log(`WAL kill -9 (child process, 8 publishers, 100 B..64 KiB records):\n${summary.join('\n')}`);
  }, 300_000);

  const wired = walWired();
  if (!wired) console.warn('wal-kill: the all-in-one does not accept BUS=wal yet (core/config.ts); its kill -9 test is skipped');
  (wired ? it : it.skip)('all-in-one with BUS=wal: every request answered 200 before a kill -9 is stored whole after the restart', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-wal-aio-'));
    const start = async () => {
      const proc: RoleProcess = spawnRole('all-in-one', { DATA_DIR: dataDir, PORT: '0', OTLP_HTTP_PORT: '0', BUS: 'wal' });
      const api = (await proc.waitForOutput(/query API and UI listening on (http:\/\/\S+)/))[1];
      const otlp = (await proc.waitForOutput(/OTLP\/HTTP receiver listening on (http:\/\/\S+)/))[1];
      await proc.waitForOutput(/all-in-one running/);
      return { proc, api, otlp };
    };
    const body = (traceId: string) => {
      const now = Date.now();
      return otlpJsonTraces(
        Array.from({ length: SPANS_PER_TRACE }, (_, i) => ({ traceId, spanId: randomSpanId(), name: `op-${i}`, service: 'wal-burst', startMs: now + i, durationMs: 1 })),
      );
    };
    const spanCount = async (api: string, traceId: string) => {
      const res = await fetch(`${api}/api/traces/${traceId}`);
      if (res.status === 404) return 0;
      return ((await res.json()) as { spans: unknown[] }).spans.length;
    };
    try {
      let acked = 0;
      for (let round = 0; round < 3; round++) {
        const app = await start();
        const ackedThisRound: string[] = [];
        let stop = false;
        const sender = async () => {
          while (!stop) {
            const id = randomTraceId();
            try {
              const res = await fetch(`${app.otlp}/v1/traces`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: body(id) });
              if (res.status === 200) ackedThisRound.push(id);
              await res.arrayBuffer();
            } catch {
              return;
            }
          }
        };
        const senders = Array.from({ length: 4 }, sender);
        await waitFor(() => ackedThisRound.length >= 200, 'the burst to be under way', 60_000);
        await app.proc.stop('SIGKILL');
        stop = true;
        await Promise.all(senders);
        acked += ackedThisRound.length;

        const after = await start();
        for (const id of ackedThisRound) {
          await waitFor(async () => (await spanCount(after.api, id)) === SPANS_PER_TRACE, `trace ${id} (answered 200 before the kill) to be stored whole`, 60_000);
        }
        expect(await after.proc.stop('SIGTERM')).toBe(0);
      }
      console.log(`all-in-one BUS=wal: 3 kills, ${acked} traces answered 200, all stored whole after the restarts`);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 300_000);
});

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WalBus } from '../../../bus/wal';
import { ensureFreshBuild } from '../../helpers/fresh-build';
import { waitFor } from '../../helpers/wait';

/**
 * kill -9 against the write-ahead log: what publish() acknowledged must be
 * on disk whatever moment the process dies at.
 * A child process publishes from 8 concurrent loops (records of 100 B to
 *     64 KiB, so a kill often lands inside a write) and prints each
 *     acknowledged sequence number; the parent kills it mid-burst, reopens
 *     the folder and finds every acknowledged record. Five rounds on one
 *     folder: each reopen also recovers from the kill before.
 * The all-in-one killed with -9 over its WAL is kill-burst.test.ts.
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
});

import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { WriteTurn } from '../../../../storage/embedded/write-turn';

/** A worker thread that does `rounds` non-atomic read-spin-write increments of a shared counter, each in its turn. */
const INCREMENTER = `
const { workerData, parentPort } = require('node:worker_threads');
const { WriteTurn } = require(workerData.module);
const turn = new WriteTurn(workerData.turn);
const counter = new Int32Array(workerData.counter);
for (let i = 0; i < workerData.rounds; i++) {
  turn.run(() => {
    const seen = Atomics.load(counter, 0);
    const until = process.hrtime.bigint() + 100_000n;
    while (process.hrtime.bigint() < until) {}
    Atomics.store(counter, 0, seen + 1);
  });
}
parentPort.postMessage('done');
`;

/** A worker thread that takes the turn and stops in the middle of its write, never letting go. */
const DIES_MID_WRITE = `
const { workerData } = require('node:worker_threads');
const { WriteTurn } = require(workerData.module);
new WriteTurn(workerData.turn).run(() => process.exit(1));
`;

const MODULE = path.resolve(__dirname, '../../../../dist/storage/embedded/write-turn.js');

describe('WriteTurn', () => {
  it('lets one thread at a time run its write: no increment of two threads is lost', async () => {
    const turn = WriteTurn.shared();
    const counter = new SharedArrayBuffer(4);
    const module = MODULE;
    const rounds = 300;
    await Promise.all(
      [0, 1].map(
        () =>
          new Promise<void>((resolve, reject) => {
            const worker = new Worker(INCREMENTER, { eval: true, workerData: { turn, counter, module, rounds } });
            worker.once('message', () => resolve());
            worker.once('error', reject);
          }),
      ),
    );
    expect(new Int32Array(counter)[0]).toBe(2 * rounds);
  });

  it('returns what the write returned and frees the turn after a write that threw', () => {
    const turn = new WriteTurn(WriteTurn.shared(), 50);
    expect(() => turn.run(() => { throw new Error('rolled back'); })).toThrow('rolled back');
    const t0 = Date.now();
    expect(turn.run(() => 42)).toBe(42);
    expect(Date.now() - t0).toBeLessThan(40);
  });

  it("goes ahead after its longest wait when the holder never lets go (SQLite's own lock decides then)", () => {
    const shared = WriteTurn.shared();
    new Int32Array(shared)[0] = 1; // held by a thread that died mid-write
    const t0 = Date.now();
    expect(new WriteTurn(shared, 60).run(() => 'written')).toBe('written');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(55);
    expect(new Int32Array(shared)[0]).toBe(1);
  });

  it('tells its timer how long each write waited for the turn and then held it', () => {
    const shared = WriteTurn.shared();
    new Int32Array(shared)[0] = 1; // held by another thread for the whole wait
    const turns: [number, number][] = [];
    const turn = new WriteTurn(shared, 60, (waited, held) => turns.push([waited, held]));
    const busyFor = (ms: number) => {
      const until = performance.now() + ms;
      while (performance.now() < until);
    };
    turn.run(() => busyFor(30));
    expect(turns).toHaveLength(1);
    expect(turns[0][0]).toBeGreaterThanOrEqual(0.055);
    expect(turns[0][1]).toBeGreaterThanOrEqual(0.03);
    expect(turns[0][1]).toBeLessThan(turns[0][0]);
    new Int32Array(shared)[0] = 0;
    expect(() => turn.run(() => { busyFor(20); throw new Error('rolled back'); })).toThrow('rolled back');
    expect(turns).toHaveLength(2);
    expect(turns[1][0]).toBeLessThan(0.02); // free: no wait
    expect(turns[1][1]).toBeGreaterThanOrEqual(0.02); // a write that threw still held the turn
  });

  it('is freed by the owner when the thread holding it stopped, and only then', async () => {
    const shared = WriteTurn.shared();
    const worker = new Worker(DIES_MID_WRITE, { eval: true, workerData: { turn: shared, module: MODULE } });
    const threadId = worker.threadId;
    await new Promise((resolve) => worker.once('exit', resolve));
    expect(new Int32Array(shared)[0]).not.toBe(0);
    expect(WriteTurn.releaseHeldBy(shared, threadId + 1)).toBe(false); // another thread's id frees nothing
    expect(new Int32Array(shared)[0]).not.toBe(0);
    expect(WriteTurn.releaseHeldBy(shared, threadId)).toBe(true);
    const t0 = Date.now();
    expect(new WriteTurn(shared, 5_000).run(() => 'written')).toBe('written');
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(new Int32Array(shared)[0]).toBe(0);
  });
});

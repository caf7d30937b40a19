/**
 * Write-ahead log benchmark (a script, not a test).
 *
 *   npm run bench -- --wal [--seconds 3] [--dir /path/on/the/disk/to/measure]
 *
 * 1. The disk: latency of one 4 KiB write + fdatasync, back to back.
 * 2. WalBus.publish from 1, 8 and 64 concurrent publishers, records of
 *    4 KiB and 64 KiB, one record per publish, a consumer group reading
 *    along: publishes/s, MB/s, publish latency (p50/p99) and how many
 *    publishes shared each sync (group commit).
 * 3. The same with sync 'none' (page cache only), for the cost of durability.
 * Figures are printed and written to bench-results/.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WalBus } from '../bus/wal';
import type { WalSync } from '../bus/wal';
import { machineNote, numberFlag, stringFlag } from './args';
import { report } from './load';
import { percentile, round } from './stats';

const MIB = 1024 * 1024;

function diskSyncLatency(dir: string, count: number): { p50Ms: number; p99Ms: number } {
  const file = path.join(dir, 'sync-probe');
  const fd = fs.openSync(file, 'w');
  const block = Buffer.alloc(4096, 7);
  const samples: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const t = process.hrtime.bigint();
      fs.writeSync(fd, block, 0, block.length, i * block.length);
      fs.fdatasyncSync(fd);
      samples.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
  } finally {
    fs.closeSync(fd);
    fs.rmSync(file, { force: true });
  }
  return { p50Ms: round(percentile(samples, 50), 2), p99Ms: round(percentile(samples, 99), 2) };
}

async function publishRun(root: string, publishers: number, recordBytes: number, seconds: number, sync: WalSync) {
  const dir = fs.mkdtempSync(path.join(root, 'wal-'));
  const bus = new WalBus({ dir, maxBytes: 1024 * MIB, segmentBytes: 64 * MIB, sync, log: (l) => console.warn(l) });
  await bus.start();
  let consumed = 0;
  await bus.subscribe('bench', 'g', async (batch) => void (consumed += batch.length));
  const value = Buffer.alloc(recordBytes, 1);
  const latencies: number[] = [];
  const deadline = Date.now() + seconds * 1000;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: publishers }, async () => {
      while (Date.now() < deadline) {
        const t = process.hrtime.bigint();
        await bus.publish('bench', [{ value }]);
        latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }),
  );
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  await bus.shutdown();
  const stats = bus.stats().topics.bench;
  fs.rmSync(dir, { recursive: true, force: true });
  return {
    sync,
    publishers,
    recordBytes,
    publishesPerSec: Math.round(latencies.length / elapsed),
    mbPerSec: round((stats.appendedBytes / MIB) / elapsed, 1),
    latencyP50Ms: round(percentile(latencies, 50), 2),
    latencyP99Ms: round(percentile(latencies, 99), 2),
    syncs: stats.syncs,
    publishesPerSync: stats.syncs > 0 ? round(latencies.length / stats.syncs, 1) : null,
    avgSyncMs: stats.syncs > 0 ? round(stats.syncMicros / stats.syncs / 1000, 2) : null,
    consumedAll: consumed === latencies.length,
  };
}

export async function benchWal(args: string[]): Promise<void> {
  const seconds = numberFlag(args, 'seconds', 3);
  const root = fs.mkdtempSync(path.join(stringFlag(args, 'dir', os.tmpdir()), 'chainscope-bench-wal-'));
  try {
    const disk = diskSyncLatency(root, 200);
    console.log(`disk: 4 KiB write + fdatasync p50 ${disk.p50Ms} ms, p99 ${disk.p99Ms} ms`);
    const runs = [];
    for (const recordBytes of [4096, 65536]) {
      for (const publishers of [1, 8, 64]) {
        const r = await publishRun(root, publishers, recordBytes, seconds, 'fdatasync');
        console.log(JSON.stringify(r));
        runs.push(r);
      }
    }
    for (const publishers of [1, 64]) {
      const r = await publishRun(root, publishers, 4096, seconds, 'none');
      console.log(JSON.stringify(r));
      runs.push(r);
    }
    report('wal', { machine: machineNote(), dir: root, secondsPerRun: seconds, disk, runs });
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/**
 * Shipper throughput: a pre-written file of N lines (default 1,000,000) shipped
 * by `chainscope ship` (its own process, from dist/) into an all-in-one with
 * the embedded store, timed until the store holds every line.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/shipper.js [--lines 1000000] [--batch 5000]
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startAllInOne } from '../bin/all-in-one';
import { machineNote, numberFlag } from './args';

async function main(args: string[]): Promise<void> {
  const lines = numberFlag(args, 'lines', 1_000_000);
  const batch = numberFlag(args, 'batch', 5000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-ship-'));
  const file = path.join(dir, 'app.log');
  const base = Date.now() - 3600_000;
  const levels = ['INFO', 'INFO', 'INFO', 'WARN', 'ERROR', 'DEBUG'];
  const out = fs.openSync(file, 'w');
  let chunk = '';
  for (let i = 0; i < lines; i++) {
    chunk += `${new Date(base + i).toISOString()} ${levels[i % levels.length]} [worker-${i % 8}] order.id=ORD-${i % 5000} step ${i} done in ${i % 997} ms\n`;
    if (chunk.length > 1 << 20) {
      fs.writeSync(out, chunk);
      chunk = '';
    }
  }
  fs.writeSync(out, chunk);
  fs.closeSync(out);
  const bytes = fs.statSync(file).size;

  const aio = await startAllInOne({ host: '127.0.0.1', port: 0, otlpHttpPort: 0, demo: false, dataDir: path.join(dir, 'data'), log: () => {} });
  const entry = path.resolve(__dirname, '..', 'bin', 'chainscope.js');
  const started = Date.now();
  const child = spawn(process.execPath, [entry, 'ship', '--path', file, '--service', 'bench-ship', '--endpoint', aio.otlpUrl, '--state-dir', path.join(dir, 'state'), '--batch-size', String(batch), '--status-interval-ms', '0'], { stdio: 'inherit' });
  let shippedAt = 0;
  for (;;) {
    await new Promise((r) => setTimeout(r, 500));
    // totals are capped by the store: wait for the last line (the newest timestamp) instead; the first ones went in long before
    const res = await fetch(`${aio.apiUrl}/api/logs?service=bench-ship&limit=1&start=${base + lines - 1}`);
    const body = (await res.json()) as { total: number };
    if (!shippedAt && committed(path.join(dir, 'state')) >= bytes) shippedAt = Date.now();
    if (shippedAt && body.total >= 1) break;
    if (Date.now() - started > 15 * 60_000) throw new Error(`gave up after 15 min`);
  }
  const storedAt = Date.now();
  child.kill('SIGTERM');
  const s = (storedAt - started) / 1000;
  console.log(`shipper: ${lines} lines (${(bytes / 2 ** 20).toFixed(0)} MiB), batch ${batch}`);
  if (shippedAt) console.log(`  accepted by the collector after ${((shippedAt - started) / 1000).toFixed(1)} s: ${Math.round(lines / ((shippedAt - started) / 1000))} lines/s`);
  console.log(`  stored (embedded) after ${s.toFixed(1)} s: ${Math.round(lines / s)} lines/s end to end`);
  console.log(`  machine: ${machineNote()}`);
  await Promise.race([aio.stop(), new Promise((r) => setTimeout(r, 10_000))]);
  fs.rmSync(dir, { recursive: true, force: true });
}

function committed(stateDir: string): number {
  try {
    const cp = JSON.parse(fs.readFileSync(path.join(stateDir, 'checkpoints.json'), 'utf8'));
    return Object.values(cp.files as Record<string, { offset: number }>).reduce((n, f) => n + f.offset, 0);
  } catch {
    return 0;
  }
}

main(process.argv.slice(2)).then(() => process.exit(0), (err) => {
  console.error(err);
  process.exit(1);
});

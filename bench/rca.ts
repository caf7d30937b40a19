import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDemo } from '../demo';
import { readGroundTruth, type GroundTruth } from '../demo/faults';
import { machineNote, numberFlag } from './args';
import { report, startRoleProcess } from './load';
import { round } from './stats';
import { seededRandom } from './seeded-random';
import { randomFaultPlan, waitUntilIngestSettles } from './why-slow';
import { injectFaultsInLanes } from './fault-lanes';

const INTENDED_DESTINATIONS = ['order-jobs'];
const TAIL_MS = 10_000;

interface Candidate {
  service: string;
  operation: string;
}

/** 1-based place of the injected service + operation among the candidates; null when absent. */
export function rankOfTruth(truth: Pick<GroundTruth, 'service' | 'operation'>, candidates: readonly Candidate[]): number | null {
  const i = candidates.findIndex((c) => c.service === truth.service && c.operation === truth.operation);
  return i < 0 ? null : i + 1;
}

/**
 * `npm run bench -- --rca [--faults 50] [--orders-per-fault 3] [--lanes 4] [--rate 8] [--seed N]`
 *
 * The why-slow bench's set-up (bench/why-slow.ts: an all-in-one, the demo in
 * processes, single faults injected a few orders each in disjoint order
 * slots, ground truth written by the demo), scored on GET /api/rca: top-1 and
 * top-3 accuracy of the root-cause ranking per fault kind, with the seed of
 * the random fault plan. Detection rate, time to detect and false alerts per
 * hour (the alert side) are not measured by this bench yet.
 */
export async function benchRca(args: string[]): Promise<void> {
  const faultCount = numberFlag(args, 'faults', 50);
  const ordersPerFault = numberFlag(args, 'orders-per-fault', 3);
  const lanes = numberFlag(args, 'lanes', 4);
  const rate = numberFlag(args, 'rate', 8);
  const seed = numberFlag(args, 'seed', (Date.now() % 1_000_000) + 1);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-rca-'));
  const groundTruthFile = path.join(dir, 'ground-truth.jsonl');
  const server = startRoleProcess('all-in-one', { PORT: '0', OTLP_HTTP_PORT: '0', DATA_DIR: path.join(dir, 'data'), CHAIN_EXPECTED_WAITS: INTENDED_DESTINATIONS.join(',') });
  let demo: Awaited<ReturnType<typeof startDemo>> | undefined;
  try {
    const api = await server.url(/query API and UI listening/);
    const otlp = await server.url(/OTLP\/HTTP receiver listening/);
    demo = await startDemo({ otlpEndpoint: otlp, ordersPerSecond: rate, processes: true, naturalFaults: false, groundTruthFile, statsIntervalMs: 0, logger: (line) => console.log(`bench: ${line}`) });
    // a healthy minute first, so the roll-ups hold a baseline of every operation
    console.log('bench: 60 s of healthy traffic for the baselines');
    await sleep(60_000);
    const plan = randomFaultPlan(faultCount, ordersPerFault, seededRandom(seed));
    console.log(`bench: seed ${seed}; injecting ${plan.length} faults, ${ordersPerFault} orders each, ${lanes} at a time, ${rate} orders/s`);
    const timedOut = await injectFaultsInLanes(demo, plan, { lanes, ordersPerFault, groundTruthFile });
    await sleep(TAIL_MS);
    await demo.stop();
    demo = undefined;
    await waitUntilIngestSettles(`${api}/metrics`);

    const byOrder = new Map<string, GroundTruth[]>();
    for (const g of readGroundTruth(groundTruthFile)) byOrder.set(g.orderId, [...(byOrder.get(g.orderId) ?? []), g]);
    const rows: { kind: string; rank: number | null; truth: GroundTruth; top: string }[] = [];
    for (const [orderId, list] of byOrder) {
      if (new Set(list.map((g) => g.faultId)).size > 1) continue;
      const res = await fetch(`${api}/api/rca?key=order.id&value=${encodeURIComponent(orderId)}`);
      const candidates = res.ok ? ((await res.json()) as { candidates: Candidate[] }).candidates : [];
      rows.push({ kind: list[0].kind, rank: rankOfTruth(list[0], candidates), truth: list[0], top: candidates[0] ? `${candidates[0].service} ${candidates[0].operation}` : '(none)' });
    }
    const kinds = [...new Set(rows.map((r) => r.kind))].sort();
    const score = (kind: string, list: typeof rows) => ({
      kind,
      faults: new Set(list.map((r) => r.truth.faultId)).size,
      orders: list.length,
      top1: list.length ? round((list.filter((r) => r.rank === 1).length / list.length) * 100) : null,
      top3: list.length ? round((list.filter((r) => r.rank !== null && r.rank <= 3).length / list.length) * 100) : null,
    });
    const table = [...kinds.map((k) => score(k, rows.filter((r) => r.kind === k))), score('all', rows)];
    console.log(`\nbench: root-cause ranking (GET /api/rca) on injected faults, seed ${seed} (targets: top-1 ≥ 80 %, top-3 ≥ 95 %)`);
    console.log(`${'fault kind'.padEnd(15)}${'faults'.padStart(7)}${'orders'.padStart(8)}${'top-1'.padStart(9)}${'top-3'.padStart(9)}`);
    for (const t of table) console.log(`${t.kind.padEnd(15)}${String(t.faults).padStart(7)}${String(t.orders).padStart(8)}${`${t.top1} %`.padStart(9)}${`${t.top3} %`.padStart(9)}`);
    const misses = rows.filter((r) => r.rank !== 1).slice(0, 20).map((r) => ({ kind: r.kind, expected: `${r.truth.service} ${r.truth.operation}`, rank: r.rank, top: r.top }));
    for (const m of misses) console.log(`  miss ${m.kind}: expected ${m.expected} (rank ${m.rank ?? '-'}), top ${m.top}`);
    report('rca', { date: new Date().toISOString(), machine: machineNote(), seed, settings: { faults: plan.length, ordersPerFault, lanes, ordersPerSecond: rate }, faultsTimedOut: timedOut, byKind: table, misses });
  } finally {
    if (demo) await demo.stop();
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDemo } from '../demo';
import { FAULT_ADDED_MS, FAULT_TARGETS } from '../demo/fault-targets';
import { FAULT_KINDS, orderSlot, readGroundTruth, type FaultSpec, type GroundTruth } from '../demo/faults';
import { machineNote, numberFlag } from './args';
import { counter, report, startRoleProcess } from './load';
import { round } from './stats';
import { faultSlotCount, injectFaultsInLanes } from './fault-lanes';
import { bottleneckMatches, isIntendedWait, scoreByKind, type AnsweredBottleneck, type ScoredOrder } from './why-slow-score';
import { topDifferenceAsBottleneck, topDifferenceMatches, type AnsweredTopDifference } from './why-slow-compare-score';

/** The demo's scheduled settlement delay: the all-in-one is told it is intended (CHAIN_EXPECTED_WAITS). */
const INTENDED_DESTINATIONS = ['order-jobs'];
const INTENDED_CONSUMERS = ['process order-jobs'];
/** Time after the last fault for every touched order to finish (settlement delay ≤ 3 s + faults ≤ 2.5 s + crash + export). */
const TAIL_MS = 10_000;

/**
 * `npm run bench -- --why-slow [--faults 50] [--orders-per-fault 3] [--lanes 4] [--rate 8] [--healthy 100]`
 *
 * Starts an all-in-one (DEMO=0, embedded store) and the demo order center with
 * each service in its own process pointed at it, injects `--faults` randomly
 * chosen single faults (kind, then service and operation, then added time)
 * for `--orders-per-fault` orders each, `--lanes` at a time in disjoint order
 * slots (so no order gets two faults; one slot stays healthy), then asks the
 * query API for the bottleneck of every touched order and of a sample of
 * healthy ones and scores it against the ground truth the demo wrote.
 */
export async function benchWhySlow(args: string[]): Promise<void> {
  const faultCount = numberFlag(args, 'faults', 50);
  const ordersPerFault = numberFlag(args, 'orders-per-fault', 3);
  const lanes = numberFlag(args, 'lanes', 4);
  const rate = numberFlag(args, 'rate', 8);
  const healthySample = numberFlag(args, 'healthy', 100);
  // Each lane rotates through its own slots (bench/fault-lanes.ts); the last slot stays healthy.
  const slots = faultSlotCount(lanes);
  const healthySlot = slots - 1;

  const commit = gitCommit(); // of the sources dist/ was presumably built from: taken before the run, as others may commit meanwhile
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-why-slow-'));
  const groundTruthFile = path.join(dir, 'ground-truth.jsonl');
  const server = startRoleProcess('all-in-one', {
    PORT: '0',
    OTLP_HTTP_PORT: '0',
    DATA_DIR: path.join(dir, 'data'),
    CHAIN_EXPECTED_WAITS: INTENDED_DESTINATIONS.join(','),
  });
  const accepted: string[] = [];
  let demo: Awaited<ReturnType<typeof startDemo>> | undefined;
  try {
    const api = await server.url(/query API and UI listening/);
    const otlp = await server.url(/OTLP\/HTTP receiver listening/);
    demo = await startDemo({
      otlpEndpoint: otlp,
      ordersPerSecond: rate,
      processes: true,
      naturalFaults: false,
      groundTruthFile,
      statsIntervalMs: 0,
      logger: (line) => console.log(`bench: ${line}`),
      onOrder: (orderId, status) => {
        if (status === 201) accepted.push(orderId);
      },
    });

    const plan = randomFaultPlan(faultCount, ordersPerFault);
    console.log(`bench: injecting ${plan.length} faults, ${ordersPerFault} orders each, ${lanes} at a time, ${rate} orders/s`);
    const t0 = Date.now();
    const timedOut = await injectFaultsInLanes(demo, plan, { lanes, ordersPerFault, groundTruthFile });
    const faultPhaseMs = Date.now() - t0;
    const acceptedByFaultEnd = accepted.length;
    console.log(`bench: faults done in ${round(faultPhaseMs / 1000)} s; letting touched orders finish (${TAIL_MS / 1000} s)`);
    await sleep(TAIL_MS);
    await demo.stop();
    demo = undefined;
    await waitUntilIngestSettles(`${api}/metrics`);

    const truths = readGroundTruth(groundTruthFile);
    const byOrder = new Map<string, GroundTruth[]>();
    for (const g of truths) byOrder.set(g.orderId, [...(byOrder.get(g.orderId) ?? []), g]);
    const doubleFaulted = [...byOrder.values()].filter((list) => new Set(list.map((g) => g.faultId)).size > 1).length;

    const scored: ScoredOrder[] = [];
    const compared: ScoredOrder[] = [];
    const comparedMisses: unknown[] = [];
    for (const [orderId, list] of byOrder) {
      if (new Set(list.map((g) => g.faultId)).size > 1) continue;
      const bottleneck = await askBottleneck(api, orderId);
      scored.push({ orderId, truth: list[0], bottleneck, matched: bottleneckMatches(list[0], bottleneck) });
      const comparison = await compareWithTypical(api, orderId);
      const matched = topDifferenceMatches(list[0], comparison);
      compared.push({ orderId, truth: list[0], bottleneck: comparison?.top ? topDifferenceAsBottleneck(comparison.top) : null, matched });
      if (!matched) comparedMisses.push({ orderId, truth: list[0], bottleneck, hops: firstHops(comparison) });
    }
    // Healthy: accepted before the faults ended (so finished in the tail) and touched by no fault;
    // the never-faulted slot first, then an even spread of the others.
    const untouched = accepted.slice(0, acceptedByFaultEnd).filter((id) => !byOrder.has(id));
    const neverEligible = untouched.filter((id) => orderSlot(id, slots) === healthySlot);
    const others = untouched.filter((id) => orderSlot(id, slots) !== healthySlot);
    const room = Math.max(0, healthySample - neverEligible.length);
    const healthyIds = [
      ...neverEligible.slice(-healthySample),
      ...others.filter((_, i) => room > 0 && i % Math.max(1, Math.floor(others.length / room)) === 0).slice(0, room),
    ];
    const healthy: { orderId: string; bottleneck: AnsweredBottleneck | null }[] = [];
    for (const orderId of healthyIds) healthy.push({ orderId, bottleneck: await askBottleneck(api, orderId) });
    const inIntendedWait = healthy.filter((h) => isIntendedWait(h.bottleneck, INTENDED_DESTINATIONS, INTENDED_CONSUMERS));
    const healthyAnswers = new Map<string, number>();
    for (const h of healthy) {
      const key = h.bottleneck ? `${h.bottleneck.kind === 'wait' ? 'wait before ' : ''}${h.bottleneck.service} ${h.bottleneck.operation}` : '(none)';
      healthyAnswers.set(key, (healthyAnswers.get(key) ?? 0) + 1);
    }

    const kinds = scoreByKind(scored);
    const comparisonKinds = scoreByKind(compared);
    printTable('bottleneck names the injected service and operation (target ≥ 95 %)', kinds);
    console.log(`healthy orders with a bottleneck inside an intended wait (target 0): ${inIntendedWait.length} of ${healthy.length}\n`);
    printTable('compared with a typical order, the top difference is the injected fault (target ≥ 90 %)', comparisonKinds);
    report('why-slow', {
      date: new Date().toISOString(),
      commit,
      machine: machineNote(),
      settings: { faults: plan.length, ordersPerFault, lanes, ordersPerSecond: rate, healthySample, expectedWaits: INTENDED_DESTINATIONS },
      faultPhaseSeconds: round(faultPhaseMs / 1000),
      faultsTimedOut: timedOut,
      ordersAccepted: accepted.length,
      ordersWithTwoFaults: doubleFaulted,
      byKind: kinds.map((k) => ({ ...k, share: round(k.share * 100) })),
      comparedWithTypicalByKind: comparisonKinds.map((k) => ({ ...k, share: round(k.share * 100) })),
      healthy: {
        orders: healthy.length,
        bottleneckInIntendedWait: inIntendedWait.length,
        sharePercent: healthy.length ? round((inIntendedWait.length / healthy.length) * 100) : null,
        answers: Object.fromEntries([...healthyAnswers].sort((a, b) => b[1] - a[1])),
      },
      missedOrders: scored.filter((o) => !o.matched).map((o) => ({ orderId: o.orderId, truth: o.truth, bottleneck: o.bottleneck })),
      comparedMisses,
    });
  } finally {
    if (demo) await demo.stop();
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** `count` single faults: a kind uniformly, then one of its targets, then an added time in the kind's range. */
export function randomFaultPlan(count: number, ordersPerFault: number, random: () => number = Math.random): (FaultSpec & { id: string })[] {
  const plan: (FaultSpec & { id: string })[] = [];
  for (let i = 0; i < count; i++) {
    const kind = FAULT_KINDS[Math.floor(random() * FAULT_KINDS.length)];
    const targets = FAULT_TARGETS[kind];
    const target = targets[Math.floor(random() * targets.length)];
    const [lo, hi] = FAULT_ADDED_MS[kind];
    plan.push({ id: `bench-${i + 1}-${kind}`, kind, ...target, addedMs: Math.round(lo + random() * (hi - lo)), maxOrders: ordersPerFault });
  }
  return plan;
}

async function askBottleneck(api: string, orderId: string): Promise<AnsweredBottleneck | null> {
  const res = await fetch(`${api}/api/chains?key=order.id&value=${encodeURIComponent(orderId)}`);
  if (res.status === 404) return null;
  if (!res.ok) throw new Error(`GET /api/chains for ${orderId}: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { bottleneck?: AnsweredBottleneck | null };
  return body.bottleneck ?? null;
}

/** The comparison's first hops, as a reader of the miss needs them (label, a, b, delta in ms, errors). */
function firstHops(comparison: ComparisonAnswer | null): string[] {
  const ms = (us: number | undefined) => Math.round((us ?? 0) / 1000);
  return (comparison?.hops ?? []).slice(0, 5).map((h) =>
    `${h.label}: a ${ms(h.aUs)} ms, b ${ms(h.bUs)} ms, Δ ${ms(h.deltaUs)} ms${h.aErrors || h.bErrors ? `, errors ${h.aErrors ?? 0}/${h.bErrors ?? 0}` : ''}`);
}

interface ComparisonAnswer {
  top?: AnsweredTopDifference | null;
  hops?: { label: string; aUs?: number; bUs?: number; deltaUs?: number; aErrors?: number; bErrors?: number }[];
}

/** GET /api/chains/compare with the typical order of the same journey; null when the API has no comparison (404). */
async function compareWithTypical(api: string, orderId: string): Promise<ComparisonAnswer | null> {
  const res = await fetch(`${api}/api/chains/compare?key=order.id&a=${encodeURIComponent(orderId)}`);
  if (res.status === 404) return null;
  if (!res.ok) throw new Error(`GET /api/chains/compare for ${orderId}: ${res.status} ${await res.text()}`);
  return (await res.json()) as ComparisonAnswer;
}

/** Waits until the stored span count has not moved for 2 s (the demo has stopped and flushed). */
export async function waitUntilIngestSettles(metricsUrl: string): Promise<void> {
  let last = -1;
  let stableSince = Date.now();
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const n = await counter(metricsUrl, 'chainscope_ingest_spans_written_total');
    if (n !== last) {
      last = n;
      stableSince = Date.now();
    } else if (Date.now() - stableSince >= 2000) {
      return;
    }
    await sleep(250);
  }
}

function printTable(title: string, kinds: ReturnType<typeof scoreByKind>): void {
  const pct = (x: number) => (Number.isNaN(x) ? '   –' : `${(x * 100).toFixed(1).padStart(5)} %`);
  console.log(`\nbench: ${title}`);
  console.log(`${'fault kind'.padEnd(15)}${'faults'.padStart(7)}${'orders'.padStart(8)}${'matched'.padStart(9)}   share`);
  for (const k of kinds) {
    console.log(`${k.kind.padEnd(15)}${String(k.faults).padStart(7)}${String(k.orders).padStart(8)}${String(k.matched).padStart(9)}  ${pct(k.share)}`);
  }
  for (const k of kinds) {
    if (k.kind === 'all') continue;
    for (const m of k.misses) console.log(`  miss ${k.kind}: expected ${m.expected}, answered ${m.answered} (${m.count}×)`);
  }
}

function gitCommit(): string {
  try {
    const root = path.resolve(__dirname, '..', '..');
    const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const sha = git('rev-parse', 'HEAD');
    const dirty = git('status', '--porcelain', '--', 'core', 'query-api', 'storage', 'ingest', 'bin');
    return dirty ? `${sha} (+ uncommitted changes in core/query-api/storage/ingest/bin)` : sha;
  } catch {
    return 'unknown';
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AnomalyReport } from '../core/anomaly';
import type { Topology } from '../core/topology';
import type { Incident, IncidentEvidence } from '../core/wire/incidents';
import { startDemo } from '../demo';
import { startAlertReceiver, type HeardAlert } from './alert-receiver';
import { machineNote, numberFlag } from './args';
import { planDetectionFaults, untilNextMinute, type DetectionFault } from './detection-plan';
import { report, startRoleProcess } from './load';
import {
  callersOf,
  firstDetection,
  incidentOfAlert,
  namedServices,
  placeOf,
  perHour,
  rankServicesByAnomalies,
  scoreDetection,
  type DetectionTrial,
} from './rca-detection-score';
import { seededRandom } from './seeded-random';

const INTENDED_DESTINATIONS = ['order-jobs'];
const MINUTE_MS = 60_000;
/**
 * The alerts that belong to a fault are those heard from the end of its first whole minute (a one-minute
 * rule judges a minute at the first evaluation after it) until this long after the fault ended; faults
 * follow each other minute by minute, so each alert belongs to one fault (the one-minute rules' windows).
 */
const DETECTION_GRACE_MS = 60_000;
/** Between the last fault and the healthy phase: its minute and one normal minute judged, its alerts resolved. */
const SETTLE_MS = 3 * 60_000;
const RANKING = 'rank/top1/top3: GET /api/rca?incident= of the incident the detecting alert opened; anomalyRank/anomalyTop1/anomalyTop3: the services named by the anomalies of its window, strongest score first (bench/rca-detection-score.ts rankServicesByAnomalies)';
/** The shipped rules (alert-rules/*.json), which the bench judges. */
const SHIPPED_RULES_DIR = path.resolve(__dirname, '..', '..', 'alert-rules');

/**
 * `npm run bench -- --rca --detect [--faults 50] [--seed N] [--warmup-minutes 6] [--healthy-minutes 0] [--fault-minutes 1] [--rate 8] [--eval-ms 10000]`
 * `npm run bench -- --rca --healthy [--minutes 30] [--warmup-minutes 6] [--rate 8] [--eval-ms 10000]`
 *
 * An all-in-one with the shipped alert rules (alert-rules/) and its webhook pointed at a receiver in
 * the bench, the demo (no natural faults) at `--rate` orders/s. After the warm-up (the baselines need
 * a few windows of history), faults one at a time, each on for `--fault-minutes` whole minutes
 * (starting at a minute's start, so the minutes the rules judge hold one fault only) and hitting every
 * order through its target. A fault is detected when an alert naming its service (its own series or an
 * edge from or to it) is heard from its start until a minute after its end. Reports per fault kind:
 * detection rate, time to detect, top-1/top-3 of the root-cause ranking of the detecting alert's
 * window, and the alerts that named other services. `--healthy`: no faults, every alert heard after
 * the warm-up is a false one (alerts per hour).
 */
export async function benchRcaDetect(args: string[]): Promise<void> {
  const healthyOnly = args.includes('--healthy');
  const faultCount = healthyOnly ? 0 : numberFlag(args, 'faults', 50);
  const seed = numberFlag(args, 'seed', (Date.now() % 1_000_000) + 1);
  const warmupMs = numberFlag(args, 'warmup-minutes', 6) * MINUTE_MS;
  const healthyMs = (healthyOnly ? numberFlag(args, 'minutes', 30) : args.includes('--healthy-minutes') ? numberFlag(args, 'healthy-minutes', 1) : 0) * MINUTE_MS;
  const rate = numberFlag(args, 'rate', 8);
  const evalMs = numberFlag(args, 'eval-ms', 10_000);
  const faultMs = numberFlag(args, 'fault-minutes', 1) * MINUTE_MS;

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-detect-'));
  const receiver = await startAlertReceiver();
  const server = startRoleProcess('all-in-one', {
    PORT: '0',
    OTLP_HTTP_PORT: '0',
    DATA_DIR: path.join(dir, 'data'),
    CHAIN_EXPECTED_WAITS: INTENDED_DESTINATIONS.join(','),
    ALERT_RULES_DIR: SHIPPED_RULES_DIR,
    ALERT_WEBHOOK_URL: receiver.url,
    ALERT_EVAL_INTERVAL_MS: String(evalMs),
  });
  let demo: Awaited<ReturnType<typeof startDemo>> | undefined;
  try {
    const api = await server.url(/query API and UI listening/);
    const otlp = await server.url(/OTLP\/HTTP receiver listening/);
    demo = await startDemo({ otlpEndpoint: otlp, ordersPerSecond: rate, naturalFaults: false, statsIntervalMs: 0, logger: (line) => console.log(`bench: ${line}`) });
    const startedMs = Date.now();
    console.log(`bench: seed ${seed}; ${warmupMs / MINUTE_MS} min warm-up, ${healthyMs / MINUTE_MS} min healthy, ${faultCount} faults; ${rate} orders/s; rules of ${SHIPPED_RULES_DIR}, evaluated every ${evalMs} ms`);
    await sleep(warmupMs);
    const warmupAlerts = receiver.heard.filter((a) => a.status === 'firing').length;
    const settings = { faults: faultCount, warmupMs, healthyMs, ordersPerSecond: rate, evalIntervalMs: evalMs, faultMs, rules: SHIPPED_RULES_DIR };
    const common = () => ({ date: new Date().toISOString(), machine: machineNote(), loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100), seed, settings, warmupAlerts });

    const topology = (await getJson<Topology>(`${api}/api/topology?start=${startedMs}`)) ?? { nodes: [], edges: [] };
    const serviceNodes = new Set(topology.nodes.filter((n) => n.kind === 'service').map((n) => n.id));
    const plan = planDetectionFaults(faultCount, seededRandom(seed), (previous) => new Set([previous, ...callersOf(previous, topology.edges)]));
    const injected: { fault: DetectionFault; injectedAtMs: number; clearedAtMs: number }[] = [];
    for (const [i, fault] of plan.entries()) {
      // a timer may fire a millisecond early: wait until the clock is really in the new minute
      while (untilNextMinute(Date.now()) > 0) await sleep(untilNextMinute(Date.now()));
      const injectedAtMs = Date.now();
      await demo.setFault(fault);
      await sleep(injectedAtMs - (injectedAtMs % MINUTE_MS) + faultMs - Date.now());
      await demo.clearFaults(fault.id);
      injected.push({ fault, injectedAtMs, clearedAtMs: Date.now() });
      console.log(`bench: ${i + 1}/${faultCount} ${fault.kind} ${fault.service} ${fault.operation} +${fault.addedMs} ms, ${new Date(injectedAtMs).toISOString()} – ${new Date(Date.now()).toISOString()}`);
    }
    if (injected.length > 0) await sleep(Math.max(0, injected[injected.length - 1].clearedAtMs + DETECTION_GRACE_MS - Date.now()));

    const trials: DetectionTrial[] = [];
    for (const { fault, injectedAtMs, clearedAtMs } of injected) {
      const fromMs = injectedAtMs - (injectedAtMs % MINUTE_MS) + MINUTE_MS;
      const toMs = clearedAtMs + DETECTION_GRACE_MS;
      const found = firstDetection(receiver.heard, fault.service, fromMs, toMs);
      const incident = found ? await incidentRanking(api, found) : null;
      const incidentCauses = incident?.candidates ?? null;
      const anomalyRanking = found ? await rankingOfAlertWindow(api, found, serviceNodes) : [];
      const anomalyPlace = anomalyRanking.indexOf(fault.service);
      const callers = callersOf(fault.service, topology.edges);
      const trial: DetectionTrial = {
        faultId: fault.id,
        kind: fault.kind,
        service: fault.service,
        operation: fault.operation,
        addedMs: fault.addedMs,
        injectedAtMs,
        clearedAtMs,
        detectedAtMs: found?.atMs ?? null,
        detectedBy: found ? alertName(found) : null,
        otherAlerts: receiver.heard
          .filter((a) => a.status === 'firing' && a.atMs >= fromMs && a.atMs <= toMs && !namedServices(a.labels).includes(fault.service))
          .map((a) => ({ atMs: a.atMs, alertname: alertName(a), services: namedServices(a.labels), upstream: namedServices(a.labels).some((s) => callers.has(s)) })),
        rank: incidentCauses ? placeOf(fault.service, incidentCauses) : null,
        rankedFirst: incidentCauses ? (incidentCauses[0]?.service ?? '(none)') : null,
        anomalyRank: anomalyPlace < 0 ? null : anomalyPlace + 1,
      };
      if (incident && trial.rank !== 1) trial.rankedOrders = await rankedOrders(api, incident.id);
      trials.push(trial);
      console.log(
        `bench: ${fault.id} ${fault.service} ${fault.operation}: ` +
          (found
            ? `detected in ${Math.round((found.atMs - injectedAtMs) / 1000)} s by ${alertName(found)}; incident ranking ${trial.rank ?? '-'} (first ${trial.rankedFirst ?? 'not answered'}), anomaly ranking ${trial.anomalyRank ?? '-'} (first ${anomalyRanking[0] ?? '-'})`
            : 'NOT detected'),
      );
    }
    if (trials.length > 0) {
      const rows = scoreDetection(trials);
      printDetection(seed, rows);
      report('rca-detect', { ...common(), ranking: RANKING, byKind: rows, trials });
    }

    if (healthyMs > 0) {
      // the last fault's alerts resolve first (its minute, then one normal minute, judged)
      if (trials.length > 0) await sleep(SETTLE_MS);
      const fromMs = Date.now();
      console.log(`bench: healthy phase until ${new Date(fromMs + healthyMs).toISOString()}`);
      await sleep(healthyMs);
      const toMs = Date.now();
      const falseAlerts = receiver.heard.filter((a) => a.status === 'firing' && a.atMs >= fromMs && a.atMs <= toMs);
      const falsePerHour = perHour(falseAlerts.length, toMs - fromMs);
      console.log(`\nbench: healthy run ${round1((toMs - fromMs) / MINUTE_MS)} min: ${falseAlerts.length} alerts fired = ${falsePerHour} per hour (target ≤ 1)`);
      for (const a of falseAlerts) console.log(`  ${describe(a)}`);
      report('rca-healthy', { ...common(), healthy: { minutes: round1((toMs - fromMs) / MINUTE_MS), falseAlerts: falseAlerts.length, perHour: falsePerHour, alerts: falseAlerts.map(describe) } });
    }
  } finally {
    if (demo) await demo.stop();
    await server.stop();
    await receiver.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** GET /api/rca?incident= for the incident the alert opened; null when this server has no incidents or did not find it. */
async function incidentRanking(api: string, alert: HeardAlert): Promise<{ id: string; candidates: { service: string }[] } | null> {
  const list = await getJson<{ incidents: Incident[] }>(`${api}/api/incidents`);
  const incident = list ? incidentOfAlert(list.incidents ?? [], alert) : null;
  if (!incident) return null;
  const rca = await getJson<{ candidates: { service: string }[] }>(`${api}/api/rca?incident=${incident.id}`);
  return rca ? { id: incident.id, candidates: rca.candidates } : null;
}

/** The ranked orders of an incident (those with a cause of their own), for a miss. */
async function rankedOrders(api: string, incidentId: string): Promise<NonNullable<DetectionTrial['rankedOrders']>> {
  const evidence = await getJson<IncidentEvidence>(`${api}/api/incidents/${incidentId}`);
  return (evidence?.orders ?? [])
    .filter((o) => o.topCause !== null)
    .map((o) => ({ value: o.value, startUs: o.startUs, durationUs: o.durationUs, errorCount: o.errorCount, topCause: `${o.topCause!.service} ${o.topCause!.operation}` }));
}

/** The stand-in ranking for an alert: the anomalies of the whole minute its rule judged when it fired. */
async function rankingOfAlertWindow(api: string, alert: HeardAlert, serviceNodes: ReadonlySet<string>): Promise<string[]> {
  const firedMs = Date.parse(alert.startsAt);
  const endMs = Math.floor((Number.isFinite(firedMs) ? firedMs : alert.atMs) / MINUTE_MS) * MINUTE_MS;
  const report = await getJson<AnomalyReport>(`${api}/api/anomalies?start=${endMs - MINUTE_MS}&end=${endMs}`);
  return rankServicesByAnomalies(report?.anomalies ?? [], serviceNodes);
}

function printDetection(seed: number, rows: ReturnType<typeof scoreDetection>): void {
  console.log(`\nbench: detection of injected faults through the shipped alert rules, seed ${seed} (targets: detection ≥ 95 %, time to detect ≤ 120 s, top-1 ≥ 80 %, top-3 ≥ 95 %)`);
  console.log('(top-1/top-3: GET /api/rca?incident=; anomaly top-1/top-3: the stand-in ranking of the anomalies of the alert\'s window)');
  console.log(['fault kind'.padEnd(15), 'faults', 'detected', 'ttd p50 s', 'ttd p90 s', 'ttd max s', 'top-1', 'top-3', 'anom top-1', 'anom top-3', 'upstream', 'unrelated'].map((h, i) => (i ? h.padStart(11) : h)).join(''));
  const pct = (v: number | null) => (v === null ? '-' : `${v} %`);
  for (const r of rows) {
    const cells = [r.faults, pct(r.detectionPercent), r.ttdMedianS ?? '-', r.ttdP90S ?? '-', r.ttdMaxS ?? '-', pct(r.top1Percent), pct(r.top3Percent), pct(r.anomalyTop1Percent), pct(r.anomalyTop3Percent), r.upstreamAlerts, r.unrelatedAlerts];
    console.log(r.kind.padEnd(15) + cells.map((c) => String(c).padStart(11)).join(''));
  }
}

const describe = (a: HeardAlert) => `${new Date(a.atMs).toISOString()} ${alertName(a)} ${a.summary}`;
const alertName = (a: HeardAlert) => `${a.labels.alertname ?? '?'}{${Object.entries(a.labels).filter(([k]) => k !== 'alertname' && k !== 'severity').map(([k, v]) => `${k}=${v}`).join(',')}}`;
const round1 = (v: number) => Math.round(v * 10) / 10;

async function getJson<T>(url: string): Promise<T | null> {
  const res = await fetch(url);
  if (!res.ok) {
    console.log(`bench: GET ${url} answered ${res.status}`);
    return null;
  }
  return (await res.json()) as T;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * The demo with each of the nine services in its own child process (service-process.ts),
 * talking HTTP on 127.0.0.1 as in production: every process anchors its own clock,
 * so span times carry the cross-process rounding real SDKs produce. The load
 * generator runs here; faults are switched on through each service's
 * /_demo/faults control endpoint.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import * as http from 'node:http';
import path from 'node:path';
import { FAULTS_PATH } from './fault-control';
import type { FaultSpec } from './faults';
import type { DemoHandle, DemoOptions } from './index';
import { startLoadGenerator } from './load-generator';
import { SERVICE_NAMES, type DemoStats, type ServiceName } from './services';
import type { ChildMessage, ParentMessage, ServiceProcessOptions } from './service-process';
import { formatStats } from './stats-line';
import { printWhenChanged } from '../core/util/changed-lines';

const START_TIMEOUT_MS = 30_000;

interface Child {
  name: ServiceName;
  process: ChildProcess;
  port: number;
  stats: Partial<DemoStats>;
  exited: Promise<void>;
}

export async function startDemoProcesses(options: DemoOptions): Promise<DemoHandle> {
  const entry = path.join(__dirname, 'service-process.js');
  if (!fs.existsSync(entry)) throw new Error(`${entry} is missing: the processes mode runs the compiled demo (npx tsc -p tsconfig.json)`);
  const say = options.logger ?? (() => undefined);
  const rate = options.ordersPerSecond ?? 2;
  const drainMs = options.stopDrainMs ?? 3000;
  if (options.logDir !== undefined) fs.mkdirSync(path.resolve(options.logDir), { recursive: true });

  const children: Child[] = SERVICE_NAMES.map((name) => {
    const childOptions: ServiceProcessOptions = {
      service: name,
      otlpEndpoint: options.otlpEndpoint,
      logDir: options.logDir,
      logFileMaxBytes: options.logFileMaxBytes,
      groundTruthFile: options.groundTruthFile,
      naturalFaults: options.naturalFaults !== false,
      faults: options.faults ?? [],
    };
    const proc = fork(entry, [], {
      env: { ...process.env, DEMO_CHILD_OPTIONS: JSON.stringify(childOptions) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    const child: Child = { name, process: proc, port: 0, stats: {}, exited };
    proc.on('message', (m: ChildMessage) => {
      if (m.type === 'stats') child.stats = m.stats;
    });
    return child;
  });
  const killAll = async () => {
    for (const c of children) if (c.process.exitCode === null) c.process.kill('SIGKILL');
    await Promise.all(children.map((c) => c.exited));
  };

  try {
    await Promise.all(
      children.map(async (c) => {
        c.port = ((await nextMessage(c, 'listening')) as { port: number }).port;
      }),
    );
    const ports = Object.fromEntries(children.map((c) => [c.name, c.port]));
    await Promise.all(
      children.map(async (c) => {
        const ready = nextMessage(c, 'ready');
        c.process.send({ type: 'ports', ports } satisfies ParentMessage);
        await ready;
      }),
    );
  } catch (err) {
    await killAll();
    throw err;
  }

  const ports = Object.fromEntries(children.map((c) => [c.name, c.port]));
  const callAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  say(
    `demo order center: ${children.length} services in their own processes on 127.0.0.1 (order-api :${ports['order-api']}), ` +
      `${rate} orders/s → ${options.otlpEndpoint}`,
  );
  const generator = startLoadGenerator({ orderApiPort: ports['order-api'], ordersPerSecond: rate, agent: callAgent, onOrder: options.onOrder });
  const stats = (): DemoStats => {
    const sum = (k: keyof DemoStats) => children.reduce((n, c) => n + (c.stats[k] ?? 0), 0);
    return {
      ordersSubmitted: generator.submitted,
      ordersSkipped: generator.skipped,
      ordersAccepted: sum('ordersAccepted'),
      ordersRejected: sum('ordersRejected'),
      ordersFailed: sum('ordersFailed'),
      fulfilled: sum('fulfilled'),
      jobsCompleted: sum('jobsCompleted'),
      eventsDropped: sum('eventsDropped'),
      jobsDropped: sum('jobsDropped'),
      logLinesWritten: 0,
      logLinesDropped: 0,
    };
  };
  const statsEvery = options.statsIntervalMs ?? 60000;
  const printStats = printWhenChanged(say);
  const statsTimer = statsEvery > 0 ? setInterval(() => printStats(`demo: ${formatStats(stats())}`), statsEvery).unref() : null;

  const control = async (name: string, method: string, query: string, body?: unknown): Promise<Record<string, unknown>> => {
    const port = ports[name];
    if (!port) throw new Error(`no demo service ${name}`);
    const res = await fetch(`http://127.0.0.1:${port}${FAULTS_PATH}${query}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (!res.ok && res.status !== 404) throw new Error(`${name} ${method} ${FAULTS_PATH}: ${res.status} ${String(answer.message ?? '')}`);
    return answer;
  };

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      generator.stop();
      if (statsTimer) clearInterval(statsTimer);
      const deadline = Date.now() + drainMs;
      while (generator.inFlight > 0 && Date.now() < deadline) await new Promise<void>((r) => setTimeout(r, 25).unref());
      // Downstream in pipeline order: fulfilment hands jobs to the scheduler while it drains.
      for (const name of ['fulfilment', 'scheduler'] as const) {
        const c = children.find((x) => x.name === name)!;
        const drained = nextMessage(c, 'drained', Math.max(0, deadline - Date.now()) + 1000).catch(() => undefined);
        c.process.send({ type: 'drain', deadlineMs: deadline } satisfies ParentMessage);
        await drained;
      }
      for (const c of children) if (c.process.connected) c.process.send({ type: 'stop' } satisfies ParentMessage);
      const exitedInTime = await Promise.race([
        Promise.all(children.map((c) => c.exited)).then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), 8000).unref()),
      ]);
      if (!exitedInTime) await killAll();
      callAgent.destroy();
      say(`demo stopped: ${formatStats(stats())}`);
    })().catch(() => undefined);
    return stopping;
  };

  return {
    stop,
    stats,
    ports,
    logFiles: options.logDir === undefined ? [] : SERVICE_NAMES.map((n) => path.join(path.resolve(options.logDir!), `${n}.log`)),
    async setFault(spec: FaultSpec) {
      return String((await control(spec.service, 'POST', '', spec)).id);
    },
    async clearFaults(id?: string) {
      const query = id === undefined ? '' : `?id=${encodeURIComponent(id)}`;
      await Promise.all(SERVICE_NAMES.map((n) => control(n, 'DELETE', query)));
    },
  };
}

/** The next IPC message of a type from a child; rejects if it exits or stays silent too long. */
function nextMessage(child: Child, type: ChildMessage['type'], timeoutMs = START_TIMEOUT_MS): Promise<ChildMessage> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`demo service ${child.name} sent no ${type} within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (m: ChildMessage) => {
      if (m.type === type) done(null, m);
    };
    const onExit = (code: number | null) => done(new Error(`demo service ${child.name} exited (${code}) before ${type}`));
    const done = (err: Error | null, m?: ChildMessage) => {
      clearTimeout(timer);
      child.process.off('message', onMessage);
      child.process.off('exit', onExit);
      if (err) reject(err);
      else resolve(m!);
    };
    child.process.on('message', onMessage);
    child.process.once('exit', onExit);
  });
}

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { round } from './stats';

/** Sends every request with `concurrency` senders; a 503 or 429 is retried after a pause. Returns how many were refused so. */
export async function sendAll(url: string, requests: Buffer[], concurrency: number, contentType = 'application/x-protobuf'): Promise<number> {
  let next = 0;
  let refused = 0;
  const sender = async () => {
    while (next < requests.length) {
      const body = requests[next++];
      for (;;) {
        const res = await fetch(url, { method: 'POST', body, headers: { 'Content-Type': contentType } });
        await res.arrayBuffer();
        if (res.ok) break; // Zipkin answers 202
        if (res.status !== 503 && res.status !== 429) throw new Error(`collector answered ${res.status}`);
        refused++;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, sender));
  return refused;
}

/** Reads one counter from a /metrics endpoint. */
export async function counter(metricsUrl: string, name: string): Promise<number> {
  const text = await fetch(metricsUrl).then((r) => r.text());
  const m = new RegExp(`^${name} (\\S+)`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

/** Waits until the summed counter over all URLs reaches `target`; fails if it stalls for `stallMs`. */
export async function waitForCounter(metricsUrls: string[], name: string, target: number, stallMs = 60_000): Promise<void> {
  let last = -1;
  let lastChange = Date.now();
  for (;;) {
    const values = await Promise.all(metricsUrls.map((u) => counter(u, name)));
    const sum = values.reduce((a, b) => a + b, 0);
    if (sum >= target) return;
    if (sum !== last) {
      last = sum;
      lastChange = Date.now();
    } else if (Date.now() - lastChange > stallMs) {
      throw new Error(`${name} stalled at ${sum} of ${target}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface ServerProcess {
  child: ChildProcess;
  /** Resolves with the first URL printed on a line matching `label`. */
  url(label: RegExp): Promise<string>;
  stop(): Promise<void>;
}

/** Starts `chainscope <role>` from dist/ with the given environment; `nodeArgs` go before the script (e.g. --cpu-prof). */
export function startRoleProcess(role: string, env: Record<string, string>, nodeArgs: string[] = []): ServerProcess {
  const entry = path.resolve(__dirname, '..', 'bin', 'chainscope.js');
  const child = spawn(process.execPath, [...nodeArgs, entry, role], {
    env: { ...process.env, DEMO: '0', HOST: '127.0.0.1', KAFKAJS_NO_PARTITIONER_WARNING: '1', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout!.on('data', (d) => {
    out += d;
    process.stdout.write(`[${role}] ${d}`);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    async url(label) {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const line = out.split('\n').find((l) => label.test(l));
        const url = line?.match(/https?:\/\/[\d.]+:\d+/)?.[0];
        if (url) return url;
        if (child.exitCode !== null) throw new Error(`${role} exited with ${child.exitCode}`);
        if (Date.now() > deadline) throw new Error(`${role} printed no ${label} within 60 s`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Peak resident memory of a process, from /proc (Linux). */
export function peakRssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return round(Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024);
}

/** Resident memory of a process now, from /proc (Linux): anonymous (heaps) and file-backed (e.g. SQLite's mmap of its database). */
export function rssPartsMiB(pid: number): { anon: number; file: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return { anon: round(kib('RssAnon') / 1024), file: round(kib('RssFile') / 1024) };
}

/** Samples rssPartsMiB every `everyMs` until stopped; the highest of each part. */
export function sampleRssParts(pid: number, everyMs = 200): { stop(): { anon: number; file: number } } {
  const peak = { anon: 0, file: 0 };
  const sample = () => {
    try {
      const now = rssPartsMiB(pid);
      peak.anon = Math.max(peak.anon, now.anon);
      peak.file = Math.max(peak.file, now.file);
    } catch {
      // the process ended
    }
  };
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}

/**
 * CPU seconds (user + system) a process used so far, from /proc (Linux): in
 * total, on its main thread and on its three busiest other threads (all named
 * "node": in the all-in-one the busiest is the ingest thread, the others
 * zlib's thread pool and V8's helpers).
 */
export function cpuSeconds(pid: number): { total: number; mainThread: number; busiestOtherThreads: number[] } {
  const secondsOf = (statFile: string) => {
    try {
      const stat = fs.readFileSync(statFile, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime + stime (fields 14 and 15 of proc(5)), in ticks of USER_HZ (100 on every Linux build node runs on)
      return (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      return 0; // the thread ended meanwhile
    }
  };
  const others = fs
    .readdirSync(`/proc/${pid}/task`)
    .filter((tid) => tid !== String(pid))
    .map((tid) => secondsOf(`/proc/${pid}/task/${tid}/stat`))
    .sort((a, b) => b - a);
  return {
    total: round(secondsOf(`/proc/${pid}/stat`), 2),
    mainThread: round(secondsOf(`/proc/${pid}/task/${pid}/stat`), 2),
    busiestOtherThreads: others.slice(0, 3).map((s) => round(s, 2)),
  };
}

/** Prints the figures and writes them to bench-results/<name>-<time>.json. */
export function report(name: string, results: Record<string, unknown>): void {
  const outDir = path.resolve(__dirname, '..', '..', 'bench-results');
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, JSON.stringify(results, null, 2));
  console.log(JSON.stringify(results, null, 2));
  console.log(`bench: written to ${file}`);
}

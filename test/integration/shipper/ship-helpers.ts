import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { getJson } from '../../helpers/all-in-one';
import { waitFor } from '../../helpers/wait';

const ENTRY = path.resolve(__dirname, '..', '..', '..', 'dist', 'bin', 'chainscope.js');

export interface ShipProcess {
  child: ChildProcess;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Runs `chainscope ship ...` from dist/ as its own process. */
export function spawnShipper(args: string[]): ShipProcess {
  const child = spawn(process.execPath, [ENTRY, 'ship', '--status-interval-ms', '200', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/**
 * A slow collector: forwards each request to `target` after `delayMs`, so a
 * test sets the shipping pace whatever the machine's speed.
 */
export async function slowProxy(target: string, delayMs: number): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      setTimeout(() => {
        const headers = { ...req.headers, host: new URL(target).host };
        const forward = http.request(`${target}${req.url}`, { method: req.method, headers }, (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        });
        forward.on('error', () => res.destroy());
        forward.end(Buffer.concat(chunks));
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** One line with a timestamp, a level and a unique token. */
export const line = (token: string, i: number) => `${new Date().toISOString()} INFO shipped ${token}-${i} n=${i}\n`;

export function writeLines(file: string, token: string, from: number, to: number): void {
  let text = '';
  for (let i = from; i < to; i++) text += line(token, i);
  fs.appendFileSync(file, text);
}

/** How often each token of `service` is stored (via the query API). */
export async function tokenCounts(apiUrl: string, service: string, token: string): Promise<Map<string, number>> {
  const { status, body } = await getJson(`${apiUrl}/api/logs?service=${encodeURIComponent(service)}&limit=1000`);
  if (status !== 200) throw new Error(`GET /api/logs: ${status} ${JSON.stringify(body)}`);
  const counts = new Map<string, number>();
  const re = new RegExp(`${token}-(\\d+)`);
  for (const log of body.logs as { body: string }[]) {
    const m = re.exec(log.body);
    if (m) counts.set(m[1], (counts.get(m[1]) ?? 0) + 1);
  }
  return counts;
}

/** Waits until every token 0..n-1 is stored, then checks that none is stored twice. */
export async function expectExactlyOnce(apiUrl: string, service: string, token: string, n: number, timeoutMs = 30_000): Promise<void> {
  const counts = await waitFor(async () => {
    const c = await tokenCounts(apiUrl, service, token);
    return c.size >= n ? c : undefined;
  }, `${n} lines of ${service} to arrive`, timeoutMs);
  const missing = Array.from({ length: n }, (_, i) => String(i)).filter((i) => !counts.has(i));
  const twice = [...counts].filter(([, c]) => c > 1);
  if (missing.length || twice.length || counts.size !== n) {
    throw new Error(`expected ${n} lines once each; missing ${missing.slice(0, 10)}, twice ${twice.slice(0, 10)}, got ${counts.size}`);
  }
}

/** Committed offset of the file whose last known path is `file`, from the shipper's checkpoint file. */
export function committedOffset(stateDir: string, file: string): number {
  try {
    const cp = JSON.parse(fs.readFileSync(path.join(stateDir, 'checkpoints.json'), 'utf8'));
    const entry = Object.values(cp.files as Record<string, { path: string; offset: number }>).find((e) => e.path === file);
    return entry?.offset ?? 0;
  } catch {
    return 0;
  }
}

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const live = new Set<ChildProcess>();
const folders = new Set<string>();
let exitHooked = false;

function killAndClean(): void {
  for (const child of live) child.kill('SIGKILL');
  for (const dir of folders) fs.rmSync(dir, { recursive: true, force: true });
}

/** Kills every peer still running and removes their folders when the bench process ends, however it ends: no leftovers. */
function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  process.on('exit', killAndClean);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAndClean();
      process.exit(130);
    });
  }
}

/** A fresh folder for one peer; removed by `removeTempDir` or, at the latest, when the bench exits. */
export function makeTempDir(name: string): string {
  hookExit();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `chainscope-peers-${name}-`));
  folders.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  folders.delete(dir);
}

export interface PeerProcess {
  name: string;
  child: ChildProcess;
  pid: number;
  /** The last few KiB it printed, for the error when it dies. */
  outputTail(): string;
  exited(): boolean;
  /** SIGTERM, SIGKILL after `graceMs`; resolves when it is gone. */
  stop(graceMs?: number): Promise<void>;
}

/** Starts a peer server; its output is kept (the tail), not printed. */
export function spawnPeer(name: string, command: string, args: string[], env: Record<string, string>, cwd?: string): PeerProcess {
  hookExit();
  const child = spawn(command, args, { env: { ...process.env, ...env }, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let tail = '';
  const keep = (d: Buffer) => {
    tail = (tail + d.toString()).slice(-8192);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let gone = false;
  const exited = new Promise<void>((resolve) => {
    const done = () => {
      gone = true;
      live.delete(child);
      resolve();
    };
    child.once('exit', done);
    child.once('error', (err) => {
      tail += `\n${err.message}`;
      done();
    });
  });
  if (child.pid === undefined) throw new Error(`${name}: could not start ${command}`);
  return {
    name,
    child,
    pid: child.pid,
    outputTail: () => tail,
    exited: () => gone,
    async stop(graceMs = 10_000) {
      if (gone) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A TCP port free on loopback right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Polls `url` until it answers 2xx (with `anyStatus`: answers at all, e.g. a
 * receiver path that only takes POST); fails when the process dies or `timeoutMs` passes.
 */
export async function waitUntilServing(peer: PeerProcess, url: string, anyStatus = false, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (peer.exited()) throw new Error(`${peer.name} exited while starting:\n${peer.outputTail()}`);
    const ok = await fetch(url)
      .then(async (r) => {
        await r.arrayBuffer();
        return r.ok || anyStatus;
      })
      .catch(() => false);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${peer.name} did not answer ${url} within ${timeoutMs / 1000} s:\n${peer.outputTail()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

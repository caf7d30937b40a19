import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { waitFor } from './wait';

/** Where the project's install scripts cache the peers they build (scripts/peers/install, scripts/alertmanager/install). */
export const PEER_CACHE = process.env.CHAINSCOPE_CACHE ?? path.join(os.homedir(), '.cache', 'chainscope');

/** Paths of `files` in the cache folder `folder` (e.g. `jaeger-1.75.0`) when its install completed, else undefined. */
export function cachedPeerFiles(folder: string, files: readonly string[]): string[] | undefined {
  const dir = path.join(PEER_CACHE, folder);
  const found = files.map((f) => path.join(dir, f));
  return fs.existsSync(path.join(dir, '.chainscope-complete')) && found.every((f) => fs.existsSync(f)) ? found : undefined;
}

export interface PeerRequirement<T> {
  /** e.g. 'Jaeger v2'. */
  name: string;
  /** The command that installs it, e.g. 'scripts/peers/install jaeger'. */
  install: string;
  /** What the suite needs of it (binary paths), undefined when it is not installed. */
  find(): T | undefined;
  /** Handed to a skipped suite's body, which never runs its tests. */
  placeholder: T;
}

/**
 * `describe` for suites that need a real peer: skipped when it is not installed, except under
 * REQUIRE_ENGINES=1 (CI installs the peers), where a missing one fails the suite instead.
 */
export function describeWithPeer<T>(peer: PeerRequirement<T>, title: string, body: (found: T) => void): void {
  const found = peer.find();
  if (found !== undefined) {
    describe(title, () => body(found));
  } else if (process.env.REQUIRE_ENGINES === '1') {
    describe(title, () => {
      it(`needs ${peer.name}`, () => {
        throw new Error(`${peer.name} is not installed (REQUIRE_ENGINES=1): run ${peer.install}`);
      });
    });
  } else {
    describe.skip(`${title} [skipped: ${peer.name} not installed; ${peer.install}]`, () => body(peer.placeholder));
  }
}

/** A fresh temporary folder for one peer process (its config and data); removed when the peer stops. */
export function peerFolder(name: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `chainscope-${name}-`));
}

export interface PeerProcess {
  /** SIGTERM, SIGKILL after 10 s, then the folder is removed. */
  stop(): Promise<void>;
}

/**
 * Starts `binary args` and waits until `ready()` answers true (failing at once, with the last
 * output, when the process exits first); a peer that never gets ready is stopped before the error.
 */
export async function startPeerProcess(options: {
  name: string;
  binary: string;
  args: string[];
  folder: string;
  ready: () => Promise<boolean | undefined>;
  timeoutMs: number;
}): Promise<PeerProcess> {
  const child = spawn(options.binary, options.args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (d: Buffer) => void (output = (output + d.toString()).slice(-8192));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(kill);
    fs.rmSync(options.folder, { recursive: true, force: true });
  };
  try {
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`${options.name} exited with ${child.exitCode}: ${output}`);
      return options.ready();
    }, `${options.name} to be ready`, options.timeoutMs, 100);
  } catch (err) {
    await stop();
    throw err;
  }
  return { stop };
}

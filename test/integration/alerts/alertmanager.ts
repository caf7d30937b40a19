import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../helpers/free-port';
import { waitFor } from '../../helpers/wait';

/** The Alertmanager binary scripts/alertmanager/install builds (or ALERTMANAGER_BIN), or undefined when it is not installed. */
export function installedAlertmanager(): string | undefined {
  if (process.env.ALERTMANAGER_BIN) return process.env.ALERTMANAGER_BIN;
  const dir = path.join(process.env.CHAINSCOPE_CACHE ?? path.join(os.homedir(), '.cache', 'chainscope'), 'alertmanager-0.35.0');
  const binary = path.join(dir, 'alertmanager');
  return fs.existsSync(path.join(dir, '.chainscope-complete')) && fs.existsSync(binary) ? binary : undefined;
}

/**
 * `describe` for suites that need a real Alertmanager: skipped when it is not installed, except
 * under REQUIRE_ENGINES=1 (CI installs it with scripts/alertmanager/install), where a missing
 * binary fails the suite instead of skipping it.
 */
export function describeWithAlertmanager(title: string, body: (binary: string) => void): void {
  const binary = installedAlertmanager();
  if (binary) {
    describe(title, () => body(binary));
  } else if (process.env.REQUIRE_ENGINES === '1') {
    describe(title, () => {
      it('needs Alertmanager', () => {
        throw new Error('Alertmanager is not installed (REQUIRE_ENGINES=1): run scripts/alertmanager/install');
      });
    });
  } else {
    describe.skip(`${title} [skipped: Alertmanager not installed; scripts/alertmanager/install]`, () => body(''));
  }
}

export interface RunningAlertmanager {
  url: string;
  stop(): Promise<void>;
}

/** A real Alertmanager on a free loopback port, fresh storage, no cluster port, one receiver that sends nowhere. */
export async function startAlertmanager(binary: string): Promise<RunningAlertmanager> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-alertmanager-'));
  const configFile = path.join(dir, 'alertmanager.yml');
  fs.writeFileSync(configFile, 'route:\n  receiver: default\nreceivers:\n  - name: default\n');
  const child: ChildProcess = spawn(
    binary,
    [`--config.file=${configFile}`, `--storage.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', '--log.level=warn'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const keep = (d: Buffer) => void (output = (output + d.toString()).slice(-8192));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(kill);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`alertmanager exited with ${child.exitCode}: ${output}`);
      return (await fetch(`${url}/api/v2/status`).catch(() => null))?.ok;
    }, 'Alertmanager to answer /api/v2/status', 30_000, 100);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, stop };
}

/** One alert as Alertmanager's GET /api/v2/alerts lists it (the fields the tests read). */
export interface GettableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  status: { state: 'active' | 'suppressed' | 'unprocessed' };
}

export async function alertsOf(url: string): Promise<GettableAlert[]> {
  const res = await fetch(`${url}/api/v2/alerts`);
  if (!res.ok) throw new Error(`GET /api/v2/alerts answered ${res.status}`);
  return (await res.json()) as GettableAlert[];
}

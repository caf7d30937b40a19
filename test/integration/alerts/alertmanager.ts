import fs from 'node:fs';
import path from 'node:path';
import { cachedPeerFiles, describeWithPeer, peerFolder, startPeerProcess } from '../../helpers/cached-peer';
import { freePort } from '../../helpers/free-port';

/** The Alertmanager binary scripts/alertmanager/install builds (or ALERTMANAGER_BIN), or undefined when it is not installed. */
export function installedAlertmanager(): string | undefined {
  if (process.env.ALERTMANAGER_BIN) return process.env.ALERTMANAGER_BIN;
  return cachedPeerFiles('alertmanager-0.35.0', ['alertmanager'])?.[0];
}

/** `describe` for suites that need a real Alertmanager (see describeWithPeer). */
export function describeWithAlertmanager(title: string, body: (binary: string) => void): void {
  describeWithPeer({ name: 'Alertmanager', install: 'scripts/alertmanager/install', find: installedAlertmanager, placeholder: '' }, title, body);
}

export interface RunningAlertmanager {
  url: string;
  stop(): Promise<void>;
}

/** A real Alertmanager on a free loopback port, fresh storage, no cluster port, one receiver that sends nowhere. */
export async function startAlertmanager(binary: string): Promise<RunningAlertmanager> {
  const port = await freePort();
  const folder = peerFolder('alertmanager');
  const configFile = path.join(folder, 'alertmanager.yml');
  fs.writeFileSync(configFile, 'route:\n  receiver: default\nreceivers:\n  - name: default\n');
  const url = `http://127.0.0.1:${port}`;
  const { stop } = await startPeerProcess({
    name: 'Alertmanager',
    binary,
    args: [`--config.file=${configFile}`, `--storage.path=${path.join(folder, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', '--log.level=warn'],
    folder,
    ready: async () => (await fetch(`${url}/api/v2/status`).catch(() => null))?.ok,
    timeoutMs: 30_000,
  });
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

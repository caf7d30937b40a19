import fs from 'node:fs';
import net from 'node:net';
import { ensureFreshBuild } from './helpers/fresh-build';
import { AVAILABLE_ENGINES_ENV, ENGINE_ADDRESSES, type EngineName } from './helpers/engine-addresses';

/**
 * Probes each real engine once before the run. Suites that need a missing
 * engine are skipped with a message in a plain `npm test`; with
 * REQUIRE_ENGINES=1 (CI) a missing engine fails the run here, up front.
 */
export default async function globalSetup(): Promise<void> {
  ensureFreshBuild();
  const probes: Record<EngineName, () => Promise<boolean>> = {
    kafka: () => tcpReachable(ENGINE_ADDRESSES.kafka().split(',')[0]),
    clickhouse: () => httpOk(`${ENGINE_ADDRESSES.clickhouse().replace(/\/$/, '')}/ping`),
    opensearch: () => httpOk(ENGINE_ADDRESSES.opensearch()),
    chromium: async () => fs.existsSync(ENGINE_ADDRESSES.chromium()),
  };
  const available: EngineName[] = [];
  const missing: string[] = [];
  for (const [name, probe] of Object.entries(probes) as [EngineName, () => Promise<boolean>][]) {
    if (await probe().catch(() => false)) available.push(name);
    else missing.push(`${name} (${ENGINE_ADDRESSES[name]()})`);
  }
  process.env[AVAILABLE_ENGINES_ENV] = available.join(',');
  if (missing.length === 0) return;
  if (process.env.REQUIRE_ENGINES === '1') {
    throw new Error(
      `REQUIRE_ENGINES=1 but these are not reachable: ${missing.join(', ')}. Start them with: eval "$(scripts/engines/up)"`,
    );
  }
  console.warn(`\nengines not reachable, their suites are skipped: ${missing.join(', ')} (start them with: eval "$(scripts/engines/up)")`);
}

function tcpReachable(hostPort: string): Promise<boolean> {
  const [host, port] = hostPort.split(':');
  return new Promise((resolve) => {
    const socket = net.connect({ host, port: Number(port), timeout: 2000 });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(false));
  });
}

async function httpOk(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
  return res.ok;
}

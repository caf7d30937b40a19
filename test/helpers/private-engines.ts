import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/**
 * Engines of one test's own, started and stopped through scripts/engines/up
 * and down with their own ENGINES_DIR and ports: a test may stop them (to
 * show what happens while an engine is gone) without disturbing the shared
 * engines other suites use at the same time.
 */
export type PrivateEngineName = 'kafka' | 'clickhouse' | 'opensearch';

export interface PrivateEngine {
  name: PrivateEngineName;
  /** ENGINES_DIR of this instance (under /var/tmp, readable by the clickhouse user). */
  dir: string;
  /** What roles need to reach it: KAFKA_BROKERS, CLICKHOUSE_URL or OPENSEARCH_URL. */
  env: Record<string, string>;
  /** `scripts/engines/up <name>` with this instance's settings; resolves once it answers. */
  up(): Promise<void>;
  /** `scripts/engines/down <name>`; resolves once the process group has exited. Data stays. */
  down(): Promise<void>;
  /** down, then remove the folder. Never throws. */
  destroy(): Promise<void>;
}

const ROOT = path.resolve(__dirname, '..', '..');
const SCRIPTS = path.join(ROOT, 'scripts', 'engines');

export interface PrivateEngineOptions {
  /** Deadline for up (and, separately, for down). Default 90 s. */
  timeoutMs?: number;
}

/** Starts a private instance; on failure nothing is left running. */
export async function startPrivateEngine(name: PrivateEngineName, options: PrivateEngineOptions = {}): Promise<PrivateEngine> {
  const timeoutMs = options.timeoutMs ?? 90_000;
  const dir = fs.mkdtempSync(path.join('/var/tmp', `chainscope-private-${name}-`));
  // mkdtemp makes it 0700; the clickhouse user has to reach its data folder inside.
  fs.chmodSync(dir, 0o755);
  const ports = await freePorts(3);
  const settings: Record<string, string> = { ENGINES_DIR: dir };
  let env: Record<string, string>;
  if (name === 'kafka') {
    Object.assign(settings, { KAFKA_PORT: String(ports[0]), KAFKA_CONTROLLER_PORT: String(ports[1]) });
    env = { KAFKA_BROKERS: `127.0.0.1:${ports[0]}` };
    seedKafkaJars(dir);
  } else if (name === 'clickhouse') {
    Object.assign(settings, {
      CLICKHOUSE_HTTP_PORT: String(ports[0]),
      CLICKHOUSE_TCP_PORT: String(ports[1]),
      CLICKHOUSE_INTERSERVER_PORT: String(ports[2]),
    });
    env = { CLICKHOUSE_URL: `http://127.0.0.1:${ports[0]}` };
  } else {
    Object.assign(settings, { OPENSEARCH_PORT: String(ports[0]), OPENSEARCH_TRANSPORT_PORT: String(ports[1]) });
    env = { OPENSEARCH_URL: `http://127.0.0.1:${ports[0]}` };
    seedOpenSearchRuntime(dir);
  }
  const seconds = String(Math.ceil(timeoutMs / 1000));
  const run = (script: 'up' | 'down') =>
    runScript(script, name, { ...settings, ENGINES_START_TIMEOUT: seconds, ENGINES_STOP_TIMEOUT: seconds }, timeoutMs + 15_000);
  const engine: PrivateEngine = {
    name,
    dir,
    env,
    up: () => run('up'),
    down: () => run('down'),
    async destroy() {
      await run('down').catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await engine.up();
  } catch (err) {
    await engine.destroy();
    throw err;
  }
  return engine;
}

/**
 * A new ENGINES_DIR would have maven copy Kafka's 45 jars again; point it at
 * the jar folder the shared engines already resolved (same pom stamp), if any.
 */
function seedKafkaJars(dir: string): void {
  const shared = path.join(process.env.ENGINES_DIR ?? path.join(ROOT, '.engines'), 'kafka', 'lib');
  if (!fs.existsSync(shared) || !fs.readdirSync(shared).some((f) => f.startsWith('.resolved-from-pom-'))) return;
  fs.mkdirSync(path.join(dir, 'kafka'), { recursive: true });
  fs.symlinkSync(shared, path.join(dir, 'kafka', 'lib'));
}

/**
 * Same for OpenSearch's 98 jars and the compiled launcher: link the shared
 * engines' folders when their stamps are there (install_opensearch replaces
 * a link, never its target, when a stamp does not match).
 */
function seedOpenSearchRuntime(dir: string): void {
  const shared = path.join(process.env.ENGINES_DIR ?? path.join(ROOT, '.engines'), 'opensearch');
  const stamped = (folder: string, prefix: string) =>
    fs.existsSync(path.join(shared, folder)) && fs.readdirSync(path.join(shared, folder)).some((f) => f.startsWith(prefix));
  if (!stamped('lib', '.resolved-from-pom-')) return;
  fs.mkdirSync(path.join(dir, 'opensearch'), { recursive: true });
  fs.symlinkSync(path.join(shared, 'lib'), path.join(dir, 'opensearch', 'lib'));
  if (stamped('classes', '.built-from-')) fs.symlinkSync(path.join(shared, 'classes'), path.join(dir, 'opensearch', 'classes'));
}

function runScript(script: 'up' | 'down', engine: string, settings: Record<string, string>, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      [path.join(SCRIPTS, script), engine],
      { env: { ...process.env, ...settings }, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 },
      (err, _stdout, stderr) => {
        if (err) reject(new Error(`scripts/engines/${script} ${engine} (ENGINES_DIR=${settings.ENGINES_DIR}) failed: ${err.message}\n${stderr}`));
        else resolve();
      },
    );
  });
}

/** Ports free right now on 127.0.0.1 (all held open together, so they differ). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<net.Server>((resolve, reject) => {
          const server = net.createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

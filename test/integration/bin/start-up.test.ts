import { execFileSync, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ensureFreshBuild } from '../../helpers/fresh-build';
import { spawnRole } from '../../helpers/processes';

/**
 * The real CLI (dist/bin/chainscope.js) as an operator meets it: --help and
 * --version on every role, a start-up failure as one line naming the setting
 * with exit code 2, and a start-up line that says what is bound.
 */
const ROOT = path.resolve(__dirname, '..', '..', '..');
const ENTRY = path.join(ROOT, 'dist', 'bin', 'chainscope.js');
const VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const ROLES = ['all-in-one', 'collector', 'ingest', 'query', 'ship'];

beforeAll(() => ensureFreshBuild(), 180_000);

interface Exited {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to its end (a role that starts instead of failing is killed after `timeoutMs` and fails the test). */
function run(args: string[], env: Record<string, string> = {}, timeoutMs = 30_000): Promise<Exited> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ENTRY, ...args], {
      env: { ...process.env, DEMO: '0', HOST: '127.0.0.1', PORT: '0', OTLP_HTTP_PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`chainscope ${args.join(' ')} still running after ${timeoutMs} ms:\n${stdout}${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const tempDirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-cli-'));
  tempDirs.push(dir);
  return dir;
}
afterAll(() => tempDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** The failure is exactly one line on stderr, naming the setting, no stack trace, exit 2. */
function expectOneLineFailure(result: Exited, line: RegExp): void {
  expect(result.code).toBe(2);
  const lines = result.stderr.split('\n').filter(Boolean);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(line);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

async function takenTcpPort(): Promise<{ port: number; close(): void }> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as net.AddressInfo).port, close: () => server.close() };
}

describe('chainscope --help and --version', () => {
  it('chainscope --help lists the roles', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    for (const role of ROLES) expect(result.stdout).toContain(role);
  });

  it.each(ROLES)('%s --help prints its usage and exits without starting', async (role) => {
    const result = await run([role, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^usage: chainscope ${role}`));
    expect(result.stdout + result.stderr).not.toMatch(/listening|running/);
  });

  it.each(['', ...ROLES])('"%s --version" prints the package version', async (role) => {
    const result = await run(role ? [role, '--version'] : ['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`chainscope ${VERSION}\n`);
  });

  it('an unknown argument to a role is one usage error, exit 2', async () => {
    const result = await run(['query', '--port', '9']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^chainscope query: unknown argument "--port"/);
  });
});

describe('start-up failures: one line naming the setting, exit 2', () => {
  it('PORT already in use', async () => {
    const taken = await takenTcpPort();
    try {
      const result = await run(['all-in-one'], { PORT: String(taken.port), DATA_DIR: tempDir() });
      expectOneLineFailure(result, new RegExp(`^chainscope: cannot start: PORT=${taken.port}: 127\\.0\\.0\\.1:${taken.port} is already in use`));
    } finally {
      taken.close();
    }
  });

  it('PORT already in use (query role)', async () => {
    const taken = await takenTcpPort();
    try {
      const result = await run(['query'], { PORT: String(taken.port), DATA_DIR: tempDir() });
      expectOneLineFailure(result, new RegExp(`^chainscope: cannot start: PORT=${taken.port}: 127\\.0\\.0\\.1:${taken.port} is already in use`));
    } finally {
      taken.close();
    }
  });

  it('OTLP_HTTP_PORT already in use', async () => {
    const taken = await takenTcpPort();
    try {
      const result = await run(['all-in-one'], { OTLP_HTTP_PORT: String(taken.port), DATA_DIR: tempDir() });
      expectOneLineFailure(result, new RegExp(`^chainscope: cannot start: OTLP_HTTP_PORT=${taken.port}: 127\\.0\\.0\\.1:${taken.port} is already in use`));
    } finally {
      taken.close();
    }
  });

  it.each(['OTLP_GRPC_PORT', 'ZIPKIN_PORT'])('%s already in use', async (setting) => {
    const taken = await takenTcpPort();
    try {
      const result = await run(['all-in-one'], { [setting]: String(taken.port), DATA_DIR: tempDir() });
      expectOneLineFailure(result, new RegExp(`^chainscope: cannot start: ${setting}=${taken.port}: 127\\.0\\.0\\.1:${taken.port} is already in use`));
    } finally {
      taken.close();
    }
  });

  it('SYSLOG_TCP_PORT already in use', async () => {
    const taken = await takenTcpPort();
    try {
      const result = await run(['all-in-one'], { SYSLOG_TCP_PORT: String(taken.port), DATA_DIR: tempDir() });
      expectOneLineFailure(result, new RegExp(`^chainscope: cannot start: SYSLOG_TCP_PORT=${taken.port}: .* is already in use`));
    } finally {
      taken.close();
    }
  });

  it('SYSLOG_UDP_PORT already in use', async () => {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const port = socket.address().port;
    try {
      const result = await run(['all-in-one'], { SYSLOG_UDP_PORT: String(port), DATA_DIR: tempDir() });
      expectOneLineFailure(result, new RegExp(`^chainscope: cannot start: SYSLOG_UDP_PORT=${port}: .* is already in use`));
    } finally {
      socket.close();
    }
  });

  it('HOST that does not resolve', async () => {
    const result = await run(['all-in-one'], { HOST: 'no-such-host.invalid', INSECURE: '1', DATA_DIR: tempDir() });
    expectOneLineFailure(result, /^chainscope: cannot start: HOST=no-such-host\.invalid: cannot resolve/);
  });

  it('HOST beyond loopback with no authentication: refused before any port is bound, saying how to allow it', async () => {
    const result = await run(['all-in-one'], { HOST: '0.0.0.0', AUTH: '', INSECURE: '', DATA_DIR: tempDir() });
    expectOneLineFailure(result, /^chainscope: cannot start: HOST=0\.0\.0\.0 exposes every port without authentication: set AUTH=tokens .* or INSECURE=1/);
  });

  it('DATA_DIR that is a file', async () => {
    const file = path.join(tempDir(), 'not-a-folder');
    fs.writeFileSync(file, 'x');
    const result = await run(['all-in-one'], { DATA_DIR: file });
    expectOneLineFailure(result, /^chainscope: cannot start: DATA_DIR=.*not-a-folder: .* is a file, not a folder/);
  });

  it('DATA_DIR that cannot be written (read-only mount as root, no write permission otherwise)', async () => {
    const dir = tempDir();
    const isRoot = process.getuid?.() === 0;
    if (isRoot) execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', dir], { stdio: 'pipe' });
    else fs.chmodSync(dir, 0o555);
    try {
      const result = await run(['all-in-one'], { DATA_DIR: dir });
      expectOneLineFailure(result, new RegExp(`^chainscope: cannot start: DATA_DIR=${dir}: cannot write in .*\\((the file system is read-only|permission denied);`));
    } finally {
      if (isRoot) execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      else fs.chmodSync(dir, 0o755);
    }
  });

  it('a bad value is one line naming the variable', async () => {
    const result = await run(['all-in-one'], { DEMO_RATE: 'fast', DATA_DIR: tempDir() });
    expectOneLineFailure(result, /^chainscope: bad configuration: DEMO_RATE must be a positive number/);
  });
});

describe('the start-up line says what is bound', () => {
  it.each([
    ['127.0.0.1', /query API and UI listening on http:\/\/127\.0\.0\.1:(\d+) \(API under \/api\)/],
    ['0.0.0.0', /query API and UI listening on all interfaces \(0\.0\.0\.0:(\d+); open http:\/\/127\.0\.0\.1:\1 on this machine\)/],
  ])('HOST=%s', async (host, line) => {
    const proc = spawnRole('all-in-one', { HOST: host, INSECURE: host === '0.0.0.0' ? '1' : '', PORT: '0', OTLP_HTTP_PORT: '0', BUS: 'memory', INGEST_THREAD: '0', DATA_DIR: tempDir() });
    try {
      const [, port] = await proc.waitForOutput(line);
      // the URL it names answers
      const res = await fetch(`http://127.0.0.1:${port}/api/health`);
      expect(res.status).toBe(200);
    } finally {
      expect(await proc.stop()).toBe(0);
    }
  });
});

import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { getJson, startTestAllInOne, type TestAllInOne } from '../../helpers/all-in-one';
import { waitFor } from '../../helpers/wait';
import { committedOffset, expectExactlyOnce, slowProxy, spawnShipper, writeLines, type ShipProcess } from './ship-helpers';

describe('chainscope ship (real child process into the all-in-one)', () => {
  let aio: TestAllInOne | undefined;
  let dir: string;
  const shippers: ShipProcess[] = [];
  const ship = (args: string[]) => {
    const p = spawnShipper(args);
    shippers.push(p);
    return p;
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ship-it-'));
  });
  afterEach(async () => {
    for (const p of shippers.splice(0)) await p.stop('SIGKILL');
    await aio?.dispose();
    aio = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('kill -9 mid-file, rotate by rename while down, restart: every line arrives exactly once', async () => {
    aio = await startTestAllInOne();
    const logs = path.join(dir, 'logs');
    fs.mkdirSync(logs);
    const file = path.join(logs, 'app.log');
    const state = path.join(dir, 'state');
    writeLines(file, 'kill', 0, 700);
    // 70 requests of 10 lines at 50 ms each, two in flight: ~1.7 s of shipping, checkpoints at most once a second
    const slow = await slowProxy(aio.otlpUrl, 50);
    const args = (endpoint: string) => ['--path', `${logs}/*.log`, '--service', 'ship-kill', '--endpoint', endpoint, '--state-dir', state, '--batch-size', '10'];
    const first = ship(args(slow.url));
    const size = fs.statSync(file).size;
    await waitFor(() => committedOffset(state, file) > 0, 'a first checkpoint', 20_000);
    await first.stop('SIGKILL');
    await slow.close();
    const offset = committedOffset(state, file);
    expect(offset).toBeLessThan(size); // killed mid-file

    // rotation while the shipper is down: rename, a late write to the old file, a new file
    fs.renameSync(file, `${file}.1`);
    writeLines(`${file}.1`, 'kill', 700, 750);
    writeLines(file, 'kill', 750, 950);
    const second = ship(args(aio.otlpUrl));
    await expectExactlyOnce(aio.apiUrl, 'ship-kill', 'kill', 950, 40_000).catch((err) => {
      throw new Error(`${err.message}\n${second.output()}`);
    });
  });

  it('follows rename and copy-truncate rotation while running', async () => {
    aio = await startTestAllInOne();
    const file = path.join(dir, 'svc.log');
    writeLines(file, 'rot', 0, 200);
    const p = ship(['--path', `${dir}/*.log`, '--service', 'ship-rotate', '--endpoint', aio.otlpUrl, '--state-dir', path.join(dir, 'state')]);
    await expectExactlyOnce(aio.apiUrl, 'ship-rotate', 'rot', 200);
    // rename rotation: the old inode gets a last line after the rename, the new file starts
    fs.renameSync(file, `${file}.1`);
    writeLines(`${file}.1`, 'rot', 200, 210);
    writeLines(file, 'rot', 210, 400);
    await expectExactlyOnce(aio.apiUrl, 'ship-rotate', 'rot', 400);
    // copy-truncate rotation: same inode shrinks to 0 and refills
    fs.copyFileSync(file, `${file}.2`);
    fs.truncateSync(file, 0);
    writeLines(file, 'rot', 400, 450);
    await expectExactlyOnce(aio.apiUrl, 'ship-rotate', 'rot', 450).catch((err) => {
      throw new Error(`${err.message}\n${p.output()}`);
    });
    expect(p.output()).toMatch(/truncated/);
  });

  it('pauses while the collector is down and ships everything once it is up', async () => {
    const port = await freePort();
    const file = path.join(dir, 'down.log');
    writeLines(file, 'down', 0, 500);
    const p = ship(['--path', file, '--service', 'ship-down', '--endpoint', `http://127.0.0.1:${port}`, '--state-dir', path.join(dir, 'state'), '--batch-size', '100']);
    await waitFor(() => /collector unavailable/.test(p.output()) && /retried [1-9]/.test(p.output()), 'the shipper to report the collector down', 20_000);
    expect(committedOffset(path.join(dir, 'state'), file)).toBe(0);
    aio = await startTestAllInOne({ otlpHttpPort: port });
    writeLines(file, 'down', 500, 600);
    await expectExactlyOnce(aio.apiUrl, 'ship-down', 'down', 600, 60_000);
  });

  it('--service-from: one file of several services arrives with the right service per record', async () => {
    aio = await startTestAllInOne();
    const file = path.join(dir, 'mixed-file.log');
    // interleaved services in one file, so each request carries several; every fourth line has no service field
    const serviceOf = (i: number) => (i % 4 === 3 ? '' : ['mix-a', 'mix-b', 'mix-c'][i % 3]);
    let text = '';
    for (let i = 0; i < 120; i++) {
      const service = serviceOf(i);
      text += `${JSON.stringify({ time: new Date().toISOString(), level: 'info', message: `mixed-${i}`, ...(service ? { service } : {}) })}\n`;
    }
    fs.writeFileSync(file, text);
    const p = ship(['--path', file, '--service', 'mix-fallback', '--service-from', 'field:service', '--service-from', 'file', '--format', 'json', '--endpoint', aio.otlpUrl, '--state-dir', path.join(dir, 'state')]);
    const stored = await waitFor(async () => {
      const { status, body } = await getJson(`${aio!.apiUrl}/api/logs?q=${encodeURIComponent('log.file.name:mixed-file.log')}&limit=1000`);
      return status === 200 && body.logs.length >= 120 ? (body.logs as StoredLog[]) : undefined;
    }, '120 mixed lines', 30_000).catch((err) => {
      throw new Error(`${err.message}\n${p.output()}`);
    });
    expect(stored).toHaveLength(120);
    for (const log of stored) {
      const i = Number(/^mixed-(\d+)$/.exec(log.body)![1]);
      const expected = serviceOf(i) || 'mixed-file'; // no field: the file name
      expect({ i, service: log.service, resource: log.resource['service.name'] }).toEqual({ i, service: expected, resource: expected });
      expect(log.attributes.service).toBeUndefined();
    }
    // the service filter of the query API sees each one
    const { body } = await getJson(`${aio.apiUrl}/api/logs?service=mix-b&limit=1000`);
    expect(body.logs).toHaveLength(30);
    expect(p.output()).not.toMatch(/refused/);
  });

  it('exits 2 with a clear message on a bad command line', async () => {
    const p = ship(['--path', '/tmp/x.log', '--endpoint', 'http://127.0.0.1:1', '--state-dir', dir]);
    expect(await p.stop('SIGCONT')).toBe(2);
    expect(p.output()).toMatch(/--service is required with --path/);
    expect(p.output()).toMatch(/usage: chainscope ship/);
    const q = ship(['--path', '/tmp/x.log', '--service', 'x', '--service-from', 'filename', '--endpoint', 'http://127.0.0.1:1', '--state-dir', dir]);
    expect(await q.stop('SIGCONT')).toBe(2);
    expect(q.output()).toMatch(/--service-from must be field:<name> or file, got "filename"/);
  });
});

interface StoredLog {
  body: string;
  service: string;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

describe('LOG_PATHS in the all-in-one', () => {
  it('ships the files through its own receiver', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ship-aio-'));
    writeLines(path.join(dir, 'a.log'), 'aio', 0, 50);
    const aio = await startTestAllInOne({ logPaths: [`${dir}/*.log`], logService: 'ship-aio' });
    try {
      await expectExactlyOnce(aio.apiUrl, 'ship-aio', 'aio', 50);
      expect(fs.existsSync(path.join(aio.dataDir, 'shipper', 'checkpoints.json'))).toBe(true);
    } finally {
      await aio.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('LOG_SERVICE_FROM=file names each file\'s records after the file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ship-aio-'));
    writeLines(path.join(dir, 'aio-left.log'), 'left', 0, 20);
    writeLines(path.join(dir, 'aio-right.log'), 'right', 0, 30);
    const aio = await startTestAllInOne({ logPaths: [`${dir}/*.log`], logService: 'ship-aio', logServiceFrom: ['file'] });
    try {
      await expectExactlyOnce(aio.apiUrl, 'aio-left', 'left', 20);
      await expectExactlyOnce(aio.apiUrl, 'aio-right', 'right', 30);
    } finally {
      await aio.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

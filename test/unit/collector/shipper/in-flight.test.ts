import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { InFlightRequests } from '../../../../collector/shipper/in-flight';
import { Shipper } from '../../../../collector/shipper/shipper';
import { SHIPPER_DEFAULTS, type ShipperOptions } from '../../../../collector/shipper/options';
import { decodeLogsRequestProto } from '../../../../core/otlp';
import { waitFor } from '../../../helpers/wait';

describe('InFlightRequests', () => {
  it('commits in send order when answers come in order', () => {
    const w = new InFlightRequests<string>(2);
    const a = w.open('a');
    const b = w.open('b');
    expect(w.full).toBe(true);
    expect(w.answered(a)).toEqual(['a']);
    expect(w.full).toBe(false);
    expect(w.answered(b)).toEqual(['b']);
    expect(w.size).toBe(0);
  });

  it('holds a later answer until every earlier request is answered', () => {
    const w = new InFlightRequests<string>(3);
    const a = w.open('a');
    const b = w.open('b');
    const c = w.open('c');
    expect(w.answered(c)).toEqual([]);
    expect(w.answered(b)).toEqual([]);
    expect(w.size).toBe(3); // answered but uncommitted requests still take their slot
    expect(w.answered(a)).toEqual(['a', 'b', 'c']);
    expect(w.size).toBe(0);
  });

  it('refuses to go past its capacity and rejects unknown or repeated tickets', () => {
    const w = new InFlightRequests<string>(1);
    const a = w.open('a');
    expect(() => w.open('b')).toThrow(/no free/);
    expect(w.answered(a)).toEqual(['a']);
    expect(() => w.answered(a)).toThrow(/already answered/);
    expect(() => w.answered(42)).toThrow(/unknown/);
    expect(() => new InFlightRequests(0)).toThrow();
  });

  it('keeps tickets valid while requests keep flowing (entries never empty at once)', () => {
    const w = new InFlightRequests<number>(2);
    let older = w.open(0);
    const committed: number[] = [];
    for (let i = 1; i < 500; i++) {
      const newer = w.open(i);
      committed.push(...w.answered(older));
      older = newer;
    }
    committed.push(...w.answered(older));
    expect(committed).toEqual(Array.from({ length: 500 }, (_, i) => i));
  });
});

/**
 * The shipper against a stand-in collector whose answers the test releases one
 * by one: checkpoints (in memory, what the next write saves) never move past a
 * request that is not answered.
 */
describe('Shipper with two requests in flight', () => {
  interface Held {
    offsets: number[];
    answer(status: number, headers?: Record<string, string>): void;
  }
  let dir: string;
  let server: http.Server;
  let received: Held[];
  let shipper: Shipper | undefined;
  const lineBytes = 'line 00 of the test file\n'.length;
  const endOfLine = (i: number) => (i + 1) * lineBytes;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ship-inflight-'));
    fs.writeFileSync(path.join(dir, 'app.log'), Array.from({ length: 30 }, (_, i) => `line ${String(i).padStart(2, '0')} of the test file\n`).join(''));
    received = [];
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const logs = decodeLogsRequestProto(zlib.gunzipSync(Buffer.concat(chunks))).logs;
        received.push({
          offsets: logs.map((l) => l.attributes['log.file.offset'] as number),
          answer: (status, headers = {}) => {
            if (!res.headersSent) res.writeHead(status, headers).end();
          },
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const options: ShipperOptions = {
      ...SHIPPER_DEFAULTS,
      sources: [{ paths: [path.join(dir, '*.log')], service: 'inflight', parser: { kind: 'plain' } }],
      endpoint: `http://127.0.0.1:${port}`,
      stateDir: path.join(dir, 'state'),
      hostName: 'test',
      batchMaxRecords: 10,
      maxInFlightRequests: 2,
      checkpointIntervalMs: 0,
      statusIntervalMs: 0,
      pollIntervalMs: 10,
      maxBackoffMs: 20,
    };
    shipper = new Shipper(options, () => undefined);
    await shipper.start();
  });

  afterEach(async () => {
    for (const r of received) r.answer(200);
    await shipper?.shutdown();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const offset = () => shipper!.fileStates()[0].offset;
  /** Waits for two requests on the wire and puts them in file order: compression runs in the background, so the second batch may arrive first. */
  const twoInFlight = async () => {
    await waitFor(() => received.length === 2, 'two requests in flight');
    received.sort((a, b) => a.offsets[0] - b.offsets[0]);
  };
  const linesOf = (r: Held) => r.offsets.map((o) => o / lineBytes);

  it('does not move past the first request when the second is answered first', async () => {
    await twoInFlight();
    expect(linesOf(received[0])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(linesOf(received[1])).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    received[1].answer(200);
    await waitFor(() => shipper!.stats.shipped === 10, 'the second answer to arrive');
    await new Promise((r) => setTimeout(r, 100));
    expect(offset()).toBe(0);
    expect(received).toHaveLength(2); // the answered second batch still holds its slot until committed
    received[0].answer(200);
    await waitFor(() => offset() === endOfLine(19), 'both batches committed');
    await waitFor(() => received.length === 3, 'the third request');
    expect(linesOf(received[2])).toEqual([20, 21, 22, 23, 24, 25, 26, 27, 28, 29]);
    received[2].answer(200);
    await waitFor(() => offset() === endOfLine(29), 'the whole file committed');
    const saved = JSON.parse(fs.readFileSync(path.join(dir, 'state', 'checkpoints.json'), 'utf8'));
    expect(Object.values(saved.files as Record<string, { offset: number }>)[0].offset).toBe(endOfLine(29));
  });

  it('does not move past a first request that fails and is retried, while the second is accepted', async () => {
    await twoInFlight();
    received[0].answer(503, { 'Retry-After': '0' });
    received[1].answer(200);
    await waitFor(() => received.length === 3, 'the retry of the first request');
    expect(linesOf(received[2])).toEqual(linesOf(received[0]));
    expect(shipper!.stats.retried).toBeGreaterThanOrEqual(1);
    expect(offset()).toBe(0);
    received[2].answer(200);
    await waitFor(() => offset() === endOfLine(19), 'both batches committed after the retry');
    await waitFor(() => received.length === 4, 'the third batch');
    expect(linesOf(received[3])).toEqual([20, 21, 22, 23, 24, 25, 26, 27, 28, 29]);
    received[3].answer(200);
    await waitFor(() => offset() === endOfLine(29), 'the whole file committed');
  });

  it('keeps everything after an unanswered request uncommitted when stopped', async () => {
    await twoInFlight();
    received[1].answer(200);
    await waitFor(() => shipper!.stats.shipped === 10, 'the second answer to arrive');
    await shipper!.shutdown();
    const saved = JSON.parse(fs.readFileSync(path.join(dir, 'state', 'checkpoints.json'), 'utf8'));
    expect(Object.values(saved.files as Record<string, { offset: number }>)[0].offset).toBe(0);
  });
});

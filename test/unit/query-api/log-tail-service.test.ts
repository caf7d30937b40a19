import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { OverloadedError } from '../../../core/errors';
import type { LogView } from '../../../query-api/services/log-service';
import { LogTailService, type TailSink } from '../../../query-api/services/log-tail-service';
import { openEmbeddedStores } from '../../../storage/embedded';
import { makeLog, uniq } from '../../contract/fixtures';
import { waitFor } from '../../helpers/wait';

/** Live tail over the real embedded store, polling every 10 ms with a clock the test moves. */
describe('LogTailService', () => {
  let dataDir: string;
  let stores: ReturnType<typeof openEmbeddedStores>;
  let nowUs: number;
  let tails: LogTailService;

  const recorder = () => {
    const got = { lines: [] as LogView[], dropped: [] as number[], problems: [] as string[] };
    const sink: TailSink = {
      lines: (l) => got.lines.push(...l),
      dropped: (n) => got.dropped.push(n),
      problem: (m) => got.problems.push(m),
    };
    return { got, sink };
  };
  /** Resolves after the store has been asked at least `n` more times. */
  let searches = 0;
  const polls = async (n = 2) => {
    const target = searches + n;
    await waitFor(() => searches >= target, `${n} polls`);
  };

  beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-tail-'));
    stores = openEmbeddedStores({ dataDir });
    await stores.logs.start();
    nowUs = Date.now() * 1000;
    const search = stores.logs.search.bind(stores.logs);
    stores.logs.search = (q) => {
      searches++;
      return search(q);
    };
    tails = new LogTailService(stores.logs, { pollMs: 10, maxLinesPerPoll: 5, maxTails: 2, lookbackUs: 10_000_000 }, () => nowUs);
  });
  afterEach(async () => {
    tails.shutdown();
    await stores.logs.shutdown();
    await stores.spans.shutdown();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('sends only lines written after it opened, once each, oldest first, including one stamped a little earlier', async () => {
    const service = uniq('tail');
    const write = (timeUs: number, body: string) => stores.logs.writeLogs({ logs: [makeLog({ service, timeUs, body })], businessKeys: [] });
    await write(nowUs - 1_000_000, 'before the tail');
    const { got, sink } = recorder();
    tails.open({ service }, sink);
    await polls();
    expect(got.lines).toEqual([]);

    await write(nowUs + 2, 'second');
    await write(nowUs + 1, 'first');
    await polls();
    expect(got.lines.map((l) => l.body)).toEqual(['first', 'second']);

    nowUs += 3_000_000;
    await write(nowUs - 2_000_000, 'late but within the look-back');
    await write(nowUs - 60_000_000, 'far too old');
    await write(nowUs, 'current');
    await polls();
    expect(got.lines.map((l) => l.body)).toEqual(['first', 'second', 'late but within the look-back', 'current']);
    expect(got.dropped).toEqual([]);
  });

  it('filters like a search', async () => {
    const service = uniq('tail');
    const { got, sink } = recorder();
    tails.open({ service, text: { terms: ['wanted'], phrases: [] } }, sink);
    await polls();
    await stores.logs.writeLogs({
      logs: [makeLog({ service, timeUs: nowUs + 1, body: 'wanted line' }), makeLog({ service, timeUs: nowUs + 2, body: 'other line' }), makeLog({ service: uniq('x'), timeUs: nowUs + 3, body: 'wanted elsewhere' })],
      businessKeys: [],
    });
    await polls();
    expect(got.lines.map((l) => l.body)).toEqual(['wanted line']);
  });

  it('sends at most maxLinesPerPoll newest lines and announces the rest as dropped, never later out of order', async () => {
    const service = uniq('tail');
    const { got, sink } = recorder();
    tails.open({ service }, sink);
    await polls();
    await stores.logs.writeLogs({ logs: Array.from({ length: 8 }, (_, i) => makeLog({ service, timeUs: nowUs + 1 + i, body: `burst ${i}` })), businessKeys: [] });
    await polls(3);
    expect(got.lines.map((l) => l.body)).toEqual([3, 4, 5, 6, 7].map((i) => `burst ${i}`));
    expect(got.dropped).toEqual([3]);
    await stores.logs.writeLogs({ logs: [makeLog({ service, timeUs: nowUs + 20, body: 'after the burst' })], businessKeys: [] });
    await polls();
    expect(got.lines.map((l) => l.body).slice(5)).toEqual(['after the burst']);
  });

  it('refuses a tail beyond maxTails; a stopped one frees its place', () => {
    const a = tails.open({}, recorder().sink);
    tails.open({}, recorder().sink);
    expect(() => tails.open({}, recorder().sink)).toThrow(OverloadedError);
    a.stop();
    expect(tails.active).toBe(1);
    expect(() => tails.open({}, recorder().sink)).not.toThrow();
  });
});

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LogCursor } from '../../../core/contracts/log-store';
import { OverloadedError } from '../../../core/errors';
import type { LogView } from '../../../query-api/services/log-service';
import { LogTailService, type DropReason, type TailSink } from '../../../query-api/services/log-tail-service';
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
    const got = { lines: [] as LogView[], after: [] as LogCursor[], dropped: [] as number[], reasons: [] as DropReason[], problems: [] as string[] };
    const sink: TailSink = {
      lines: (l) => {
        got.lines.push(...l.map((x) => x.log));
        got.after.push(...l.map((x) => x.after));
      },
      dropped: (n, _atLeast, reason) => {
        got.dropped.push(n);
        got.reasons.push(reason);
      },
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
    tails = new LogTailService(stores.logs, { pollMs: 10, maxLinesPerPoll: 5, maxTails: 2, lookbackUs: 10_000_000, resumeWindowUs: 60_000_000 }, () => nowUs);
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

  describe('resume after the last line a client got', () => {
    const writer = (service: string) => (timeUs: number, body: string, id?: string) =>
      stores.logs.writeLogs({ logs: [makeLog({ service, timeUs, body, ...(id ? { id } : {}) })], businessKeys: [] });

    it('sends exactly the lines written while disconnected, then goes on live; each line says where to resume after it', async () => {
      const service = uniq('tail');
      const write = writer(service);
      const a = recorder();
      const first = tails.open({ service }, a.sink);
      await polls();
      await write(nowUs + 1, 'one');
      await write(nowUs + 2, 'two');
      await polls();
      expect(a.got.lines.map((l) => l.body)).toEqual(['one', 'two']);
      expect(a.got.after).toEqual(a.got.lines.map((l) => ({ timeUs: l.timeUs, id: l.id })));
      first.stop();

      nowUs += 5_000_000;
      await write(nowUs - 3_000_000, 'three');
      await write(nowUs - 2_000_000, 'four');
      await write(nowUs - 1_000_000, 'five');
      const b = recorder();
      tails.open({ service }, b.sink, a.got.after.at(-1));
      await polls();
      expect(b.got.lines.map((l) => l.body)).toEqual(['three', 'four', 'five']);
      await write(nowUs + 1, 'six');
      await polls();
      expect(b.got.lines.map((l) => l.body)).toEqual(['three', 'four', 'five', 'six']);
      expect(b.got.dropped).toEqual([]);
    });

    it('at the resume point, only lines after its id in (time, id) order', async () => {
      const service = uniq('tail');
      const write = writer(service);
      await write(nowUs - 1_000_000, 'tie a', `${service}-a`);
      await write(nowUs - 1_000_000, 'tie b', `${service}-b`);
      await write(nowUs - 1_000_000, 'tie c', `${service}-c`);
      await write(nowUs - 2_000_000, 'before the resume point');
      const { got, sink } = recorder();
      tails.open({ service }, sink, { timeUs: nowUs - 1_000_000, id: `${service}-b` });
      await polls();
      expect(got.lines.map((l) => l.body)).toEqual(['tie c']);
    });

    it('a line that came late carries the newest position sent, so resuming after it repeats nothing', async () => {
      const service = uniq('tail');
      const write = writer(service);
      const a = recorder();
      const first = tails.open({ service }, a.sink);
      await polls();
      await write(nowUs + 5, 'on time');
      await polls();
      await write(nowUs + 3, 'late');
      await polls();
      expect(a.got.lines.map((l) => l.body)).toEqual(['on time', 'late']);
      const onTime = a.got.lines[0];
      expect(a.got.after).toEqual([{ timeUs: onTime.timeUs, id: onTime.id }, { timeUs: onTime.timeUs, id: onTime.id }]);
      first.stop();

      await write(nowUs + 6, 'next');
      const b = recorder();
      tails.open({ service }, b.sink, a.got.after.at(-1));
      await polls();
      expect(b.got.lines.map((l) => l.body)).toEqual(['next']);
    });

    it('announces a gap reaching back past resumeWindowUs as dropped (reason resume) and sends the rest', async () => {
      const service = uniq('tail');
      const write = writer(service);
      await write(nowUs - 120_000_000, 'the last line the client got', `${service}-last`);
      await write(nowUs - 100_000_000, 'too old 1');
      await write(nowUs - 90_000_000, 'too old 2');
      await write(nowUs - 30_000_000, 'within the window');
      const { got, sink } = recorder();
      tails.open({ service }, sink, { timeUs: nowUs - 120_000_000, id: `${service}-last` });
      await polls();
      expect(got.dropped).toEqual([2]);
      expect(got.reasons).toEqual(['resume']);
      expect(got.lines.map((l) => l.body)).toEqual(['within the window']);
    });

    it('sends at most maxLinesPerPoll of a long gap, the newest, and counts the others as dropped', async () => {
      const service = uniq('tail');
      const write = writer(service);
      await write(nowUs - 10_000_000, 'the last line the client got', `${service}-last`);
      await stores.logs.writeLogs({ logs: Array.from({ length: 8 }, (_, i) => makeLog({ service, timeUs: nowUs - 9_000_000 + i, body: `gap ${i}` })), businessKeys: [] });
      const { got, sink } = recorder();
      tails.open({ service }, sink, { timeUs: nowUs - 10_000_000, id: `${service}-last` });
      await polls();
      expect(got.lines.map((l) => l.body)).toEqual([3, 4, 5, 6, 7].map((i) => `gap ${i}`));
      expect(got.dropped).toEqual([3]);
      expect(got.reasons).toEqual(['burst']);
    });

    it('takes a resume point stamped far ahead of its clock (past the look-back) as now', async () => {
      const service = uniq('tail');
      const write = writer(service);
      const { got, sink } = recorder();
      tails.open({ service }, sink, { timeUs: nowUs + 3_600_000_000, id: 'from-a-skewed-sender' });
      await polls();
      await write(nowUs + 1, 'stamped now');
      await polls();
      expect(got.lines.map((l) => l.body)).toEqual(['stamped now']);
      // its id still continues from the client's position, so a later resume repeats nothing
      expect(got.after).toEqual([{ timeUs: nowUs + 3_600_000_000, id: 'from-a-skewed-sender' }]);
    });
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

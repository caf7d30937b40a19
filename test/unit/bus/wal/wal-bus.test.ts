import fs from 'node:fs';
import path from 'node:path';
import type { BusMessage } from '../../../../core/contracts/bus';
import { CannotStartError, OverloadedError, PayloadTooLargeError } from '../../../../core/errors';
import { WalBus } from '../../../../bus/wal';
import { crashCopy, msg, openBus, segmentFiles, tempDir, text, until } from './wal-test-kit';

const dirs: string[] = [];
const fresh = () => {
  const d = tempDir();
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** Subscribes and collects every delivered message's text. */
async function collect(bus: WalBus, topic: string, group: string, out: string[] = []) {
  const sub = await bus.subscribe(topic, group, async (batch) => void out.push(...text(batch)));
  return { out, sub };
}

describe('WalBus', () => {
  it('delivers in order to every group, with keys and headers, and redelivers a batch whose handler failed', async () => {
    const bus = await openBus(fresh());
    const a: BusMessage[] = [];
    const b: string[] = [];
    let failures = 2;
    await bus.subscribe('t', 'a', async (batch) => {
      if (failures-- > 0) throw new Error('store down');
      a.push(...batch);
    });
    await collect(bus, 't', 'b', b);
    await bus.publish('t', [msg('1', 'k1', { h: 'v' }), msg('2')]);
    await bus.publish('t', [msg('3')]);
    await until(() => a.length === 3 && b.length === 3, 'both groups');
    expect(text(a)).toEqual(['1', '2', '3']);
    expect(a[0].key).toBe('k1');
    expect(a[0].headers).toEqual({ h: 'v' });
    expect(a[1].key).toBeUndefined();
    expect(b).toEqual(['1', '2', '3']);
    expect(bus.failingConsumers()).toEqual([]);
    await bus.shutdown();
  });

  it('publish resolves only after a sync, and publishes arriving together share one (group commit)', async () => {
    const bus = await openBus(fresh());
    await Promise.all(Array.from({ length: 50 }, (_, i) => bus.publish('t', [msg(`m${i}`)])));
    const stats = bus.stats().topics.t;
    expect(stats.appendedRecords).toBe(50);
    expect(stats.syncs).toBeGreaterThanOrEqual(1);
    expect(stats.syncs).toBeLessThan(50);
    await bus.shutdown();
  });

  it('serves batches bounded by count and bytes', async () => {
    const bus = await openBus(fresh(), { maxBatchMessages: 3, maxBatchBytes: 10 });
    await bus.publish('t', Array.from({ length: 7 }, (_, i) => msg(`${i}`)));
    await bus.publish('t', [msg('x'.repeat(25)), msg('y'.repeat(6)), msg('z'.repeat(6))]);
    const sizes: number[] = [];
    const got: string[] = [];
    await bus.subscribe('t', 'g', async (batch) => {
      sizes.push(batch.length);
      got.push(...text(batch));
    });
    await until(() => got.length === 10);
    expect(sizes).toEqual([3, 3, 1, 1, 1, 1]);
    await bus.shutdown();
  });

  it('keeps group positions across a clean close and reopen: only what was not handled comes again', async () => {
    const dir = fresh();
    let bus = await openBus(dir);
    const first = await collect(bus, 't', 'g');
    await bus.publish('t', [msg('1'), msg('2')]);
    await until(() => first.out.length === 2);
    await first.sub.close();
    await bus.publish('t', [msg('3')]);
    await bus.shutdown();

    bus = await openBus(dir);
    const second = await collect(bus, 't', 'g');
    await bus.publish('t', [msg('4')]);
    await until(() => second.out.length === 2);
    expect(second.out).toEqual(['3', '4']);
    // a group the log has not seen starts from the oldest kept record
    const other = await collect(bus, 't', 'other');
    await until(() => other.out.length === 4);
    expect(other.out).toEqual(['1', '2', '3', '4']);
    await bus.shutdown();
  });

  it('after a crash (no shutdown), delivers every acknowledged message again from the last saved position', async () => {
    const dir = fresh();
    const bus = await openBus(dir, { positionFlushMs: 5 });
    const before = await collect(bus, 't', 'g');
    await bus.publish('t', [msg('a'), msg('b')]);
    await until(() => before.out.length === 2);
    await until(() => fs.existsSync(path.join(dir, 't', 'positions.json')), 'positions saved');
    await before.sub.close();
    for (let i = 0; i < 20; i++) await bus.publish('t', [msg(`c${i}`)]);
    const copy = crashCopy(dir);
    dirs.push(copy);
    await bus.shutdown();

    const reopened = await openBus(copy);
    const after = await collect(reopened, 't', 'g');
    await until(() => after.out.length === 20);
    expect(after.out).toEqual(Array.from({ length: 20 }, (_, i) => `c${i}`));
    await reopened.shutdown();
  });

  it('cuts a torn tail at the last whole record, counts it once, and keeps appending after it', async () => {
    const dir = fresh();
    const bus = await openBus(dir);
    await bus.publish('t', [msg('one'), msg('two'), msg('three')]);
    await bus.shutdown();
    const [file] = segmentFiles(dir, 't');
    const size = fs.statSync(file).size;
    fs.truncateSync(file, size - 3);

    const lines: string[] = [];
    const reopened = await openBus(dir, { log: (l) => lines.push(l) });
    expect(reopened.stats().topics.t.truncatedTails).toBe(1);
    expect(lines.filter((l) => l.includes('cut')).length).toBe(1);
    await reopened.publish('t', [msg('four')]);
    const { out } = await collect(reopened, 't', 'g');
    await until(() => out.length === 3);
    expect(out).toEqual(['one', 'two', 'four']);
    await reopened.shutdown();
  });

  it('cuts a tail whose CRC does not match, and garbage after the last record', async () => {
    const dir = fresh();
    const bus = await openBus(dir);
    await bus.publish('t', [msg('one'), msg('two')]);
    await bus.shutdown();
    const [file] = segmentFiles(dir, 't');
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 1] ^= 0xff; // last byte of 'two'
    fs.writeFileSync(file, Buffer.concat([bytes]));

    const reopened = await openBus(dir);
    expect(reopened.stats().topics.t.truncatedTails).toBe(1);
    const { out } = await collect(reopened, 't', 'g');
    await until(() => out.length === 1);
    await reopened.shutdown();
    expect(out).toEqual(['one']);

    fs.appendFileSync(file, Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]));
    const third = await openBus(dir);
    expect(third.stats().topics.t.truncatedBytes).toBe(12);
    await third.shutdown();
  });

  it('skips a rotten record in an older segment instead of stopping, and counts it', async () => {
    const dir = fresh();
    const bus = await openBus(dir, { maxBytes: 4096 * 8, segmentBytes: 4096 });
    for (let i = 0; i < 6; i++) await bus.publish('t', [msg(`${i}`.repeat(1500))]);
    await bus.shutdown();
    const files = segmentFiles(dir, 't');
    expect(files.length).toBeGreaterThanOrEqual(3);
    const rotten = fs.readFileSync(files[0]);
    rotten[20] ^= 0xff;
    fs.writeFileSync(files[0], rotten);

    const reopened = await openBus(dir, { maxBytes: 4096 * 8, segmentBytes: 4096 });
    const { out } = await collect(reopened, 't', 'g');
    await until(() => out.length === 6 - 2);
    expect(out.map((s) => s[0])).toEqual(['2', '3', '4', '5']);
    expect(reopened.stats().topics.t.corruptSkips).toBe(1);
    await reopened.shutdown();
  });

  it('answers OverloadedError past maxBytes not yet handled, and accepts again once the consumer caught up', async () => {
    const bus = await openBus(fresh(), { maxBytes: 2000, segmentBytes: 4096 });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const got: string[] = [];
    await bus.subscribe('t', 'g', async (batch) => {
      await gate;
      got.push(...text(batch));
    });
    await bus.publish('t', [msg('a'.repeat(900))]);
    await bus.publish('t', [msg('b'.repeat(900))]);
    const full = bus.publish('t', [msg('c'.repeat(900))]);
    await expect(full).rejects.toBeInstanceOf(OverloadedError);
    await expect(full).rejects.toMatchObject({ retriable: true, retryAfterSeconds: 1 });
    expect(bus.status().queuedBytes.t).toBeGreaterThan(1800);
    release();
    await until(() => got.length === 2);
    await until(() => bus.status().queuedBytes.t === 0);
    await bus.publish('t', [msg('c'.repeat(900))]);
    await until(() => got.length === 3);
    // a single publish larger than the bound can never fit: a permanent error
    await expect(bus.publish('t', [msg('x'.repeat(3000))])).rejects.toBeInstanceOf(PayloadTooLargeError);
    await bus.shutdown();
  });

  it('rotates segments and deletes those every group has read', async () => {
    const dir = fresh();
    const bus = await openBus(dir, { maxBytes: 64 * 1024, segmentBytes: 4096 });
    let block = true;
    const got: string[] = [];
    await bus.subscribe('t', 'fast', async (batch) => void got.push(...text(batch)));
    const slow: string[] = [];
    const slowSub = await bus.subscribe('t', 'slow', async (batch) => {
      if (block) throw new Error('not yet');
      slow.push(...text(batch));
    });
    for (let i = 0; i < 20; i++) await bus.publish('t', [msg(String(i).padStart(1000, '.'))]);
    await until(() => got.length === 20);
    // the slow group holds every segment
    expect(segmentFiles(dir, 't').length).toBeGreaterThanOrEqual(5);
    expect(bus.failingConsumers()).toEqual([expect.objectContaining({ topic: 't', group: 'slow', reason: 'not yet' })]);
    block = false;
    await until(() => slow.length === 20);
    await until(() => segmentFiles(dir, 't').length === 1, 'read segments to be deleted');
    expect(bus.stats().topics.t.reclaimedSegments).toBeGreaterThanOrEqual(4);
    expect(bus.failingConsumers()).toEqual([]);
    await slowSub.close();
    await bus.shutdown();
  });

  it('keeps a topic nobody consumes (a dead-letter topic) bounded by dropping its oldest segments, never refusing', async () => {
    const dir = fresh();
    const bus = await openBus(dir, { maxBytes: 16 * 1024, segmentBytes: 4096 });
    for (let i = 0; i < 100; i++) await bus.publish('t_dlq', [msg(String(i).padStart(500, '-'))]);
    const stats = bus.stats().topics.t_dlq;
    expect(stats.droppedSegments).toBeGreaterThan(0);
    expect(stats.diskBytes).toBeLessThanOrEqual(16 * 1024);
    const onDisk = segmentFiles(dir, 't_dlq').reduce((n, f) => n + fs.statSync(f).size, 0);
    expect(onDisk).toBeLessThanOrEqual(16 * 1024);
    // what is kept is the newest, in order
    const { out } = await collect(bus, 't_dlq', 'late');
    await until(() => out.length > 0 && out[out.length - 1].endsWith('99'));
    const numbers = out.map((s) => Number(s.replace(/-/g, '')));
    expect(numbers).toEqual(numbers.map((_, i) => numbers[0] + i));
    await bus.shutdown();
  });

  it('keeps the records of groups saved on disk before any of them subscribed again (bounded, not dropped)', async () => {
    const dir = fresh();
    let bus = await openBus(dir, { maxBytes: 4000, segmentBytes: 1024 });
    const s = await collect(bus, 't', 'g');
    await s.sub.close();
    await bus.shutdown();
    bus = await openBus(dir, { maxBytes: 4000, segmentBytes: 1024 });
    await bus.publish('t', [msg('a'.repeat(1500))]);
    await bus.publish('t', [msg('b'.repeat(1500))]);
    await expect(bus.publish('t', [msg('c'.repeat(1500))])).rejects.toBeInstanceOf(OverloadedError);
    const { out } = await collect(bus, 't', 'g');
    await until(() => out.length === 2);
    await bus.shutdown();
  });

  it('shutdown lets consumers catch up, refuses publishes afterwards, and is idempotent', async () => {
    const bus = await openBus(fresh());
    const got: string[] = [];
    await bus.subscribe('t', 'g', async (batch) => {
      await new Promise((r) => setTimeout(r, 20));
      got.push(...text(batch));
    });
    await bus.publish('t', Array.from({ length: 200 }, (_, i) => msg(`${i}`)));
    await Promise.all([bus.shutdown(), bus.shutdown()]);
    expect(got).toHaveLength(200);
    await expect(bus.publish('t', [msg('late')])).rejects.toMatchObject({ message: 'bus is shut down', retriable: true });
  });

  it('gives up the drain soon when the consumer keeps failing; what was left comes back at the next start', async () => {
    const dir = fresh();
    const bus = await openBus(dir, { drainGiveUpAfterFailingMs: 100, drainTimeoutMs: 10_000 });
    await bus.subscribe('t', 'g', async () => {
      throw new Error('disk full');
    });
    await bus.publish('t', [msg('kept')]);
    const t = Date.now();
    await until(() => bus.failingConsumers().length === 1);
    await bus.shutdown();
    expect(Date.now() - t).toBeLessThan(5_000);
    const again = await openBus(dir);
    const { out } = await collect(again, 't', 'g');
    await until(() => out.length === 1);
    expect(out).toEqual(['kept']);
    await again.shutdown();
  });

  it('refuses a folder another live process holds, takes over one left by a dead process, and refuses unusable topic names', async () => {
    const dir = fresh();
    const bus = await openBus(dir);
    await expect(openBus(dir)).rejects.toBeInstanceOf(CannotStartError);
    await expect(bus.publish('../escape', [msg('x')])).rejects.toThrow(/not usable as a WAL folder/);
    await bus.shutdown();
    fs.writeFileSync(path.join(dir, 'LOCK'), `${process.ppid}\n`);
    await expect(openBus(dir)).rejects.toBeInstanceOf(CannotStartError);
    fs.writeFileSync(path.join(dir, 'LOCK'), '999999999\n');
    const again = await openBus(dir);
    await again.shutdown();
  });

  it('reads back from the files what is no longer in memory', async () => {
    const dir = fresh();
    const bus = await openBus(dir, { cacheBytes: 300, maxBytes: 1 << 20, segmentBytes: 8192 });
    const all = Array.from({ length: 100 }, (_, i) => `record-${i}-${'x'.repeat(i)}`);
    for (let i = 0; i < all.length; i += 10) await bus.publish('t', all.slice(i, i + 10).map((s) => msg(s)));
    const { out } = await collect(bus, 't', 'g');
    await until(() => out.length === 100);
    expect(out).toEqual(all);
    await bus.shutdown();
  });
});

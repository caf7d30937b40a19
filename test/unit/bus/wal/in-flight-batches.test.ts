import fs from 'node:fs';
import { ValidationError } from '../../../../core/errors';
import { WalBus } from '../../../../bus/wal';
import { crashCopy, msg, openBus, tempDir, text, until } from './wal-test-kit';

const dirs: string[] = [];
const fresh = () => {
  const d = tempDir();
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** What a fresh instance on a crash copy of `dir` delivers to group g, once `expected` messages came. */
async function afterCrash(dir: string, publishFirst: string[], expected: number): Promise<string[]> {
  const copy = crashCopy(dir);
  dirs.push(copy);
  const bus = await openBus(copy);
  const got: string[] = [];
  await bus.subscribe('t', 'g', async (batch) => void got.push(...text(batch)));
  if (publishFirst.length) await bus.publish('t', publishFirst.map((s) => msg(s)));
  await until(() => got.length >= expected, `${expected} messages after the crash`);
  await bus.shutdown();
  return got;
}

describe('WalBus with several batches in flight', () => {
  it('hands over the next batch while one is pending, and moves the position only past batches handled in order', async () => {
    const dir = fresh();
    const bus = await openBus(dir, { maxInFlightBatches: 2, maxBatchMessages: 1, positionFlushMs: 5 });
    const handled: string[] = [];
    let running = 0;
    let mostAtOnce = 0;
    let releaseA = () => {};
    const aHeld = new Promise<void>((resolve) => (releaseA = resolve));
    await bus.subscribe('t', 'g', async (batch) => {
      running++;
      mostAtOnce = Math.max(mostAtOnce, running);
      if (text(batch)[0] === 'a') await aHeld;
      running--;
      handled.push(...text(batch));
    });
    await bus.publish('t', [msg('a'), msg('b'), msg('c')]);
    // b and c are handled while a is still held: never more than two at once
    await until(() => handled.length === 2, 'b and c handled');
    expect(handled).toEqual(['b', 'c']);
    expect(mostAtOnce).toBe(2);
    expect(bus.drained()).toBe(false);
    await new Promise((r) => setTimeout(r, 30));
    // killed now, the log delivers everything again: a was not handled, so nothing after it counts either
    expect(await afterCrash(dir, [], 3)).toEqual(['a', 'b', 'c']);

    releaseA();
    await until(() => bus.drained(), 'drained');
    await until(() => fs.readFileSync(`${dir}/t/positions.json`, 'utf8').length > 0, 'positions saved');
    await new Promise((r) => setTimeout(r, 30));
    // once a is handled too, the position is past all three
    expect(await afterCrash(dir, ['d'], 1)).toEqual(['d']);
    await bus.shutdown();
  });

  it('refuses a count of batches in flight outside 1 to 16', () => {
    for (const n of [0, 1.5, 17]) {
      expect(() => new WalBus({ dir: fresh(), maxBytes: 1 << 20, maxInFlightBatches: n })).toThrow(ValidationError);
    }
  });
});

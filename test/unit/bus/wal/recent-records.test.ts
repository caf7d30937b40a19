import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { RecentRecords } from '../../../../bus/wal/recent-records';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const record = (text: string) => ({ value: Buffer.from(text) });

describe('RecentRecords', () => {
  it('serves a contiguous run from any kept record, bounded like a batch', () => {
    const recent = new RecentRecords(1000);
    recent.add(0, 10, record('a'));
    recent.add(10, 10, record('b'));
    recent.add(20, 10, record('c'));
    expect(recent.read(10, 64, 1 << 20)).toEqual({ messages: [record('b'), record('c')], next: 30 });
    expect(recent.read(0, 2, 1 << 20)?.next).toBe(20);
    expect(recent.read(5, 64, 1 << 20)).toBeNull();
  });

  it('drops the oldest past its budget and lets go of the evicted message at once', async () => {
    const recent = new RecentRecords(100);
    let evicted: WeakRef<Buffer>;
    (() => {
      const big = { value: Buffer.alloc(80, 1) };
      evicted = new WeakRef(big.value);
      recent.add(0, 80, big);
    })();
    recent.add(80, 80, record('newer'));
    expect(recent.firstPos()).toBe(80);
    expect(recent.read(0, 64, 1 << 20)).toBeNull();
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect(evicted!.deref()).toBeUndefined();
  });
});

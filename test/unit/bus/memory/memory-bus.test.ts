import { MemoryBus } from '../../../../bus/memory/memory-bus';
import type { BusMessage } from '../../../../core/contracts/bus';
import { OverloadedError } from '../../../../core/errors';
import { waitFor } from '../../../helpers/wait';

const msg = (s: string): BusMessage => ({ value: Buffer.from(s) });

/** The bus's state changes within milliseconds: look often. */
const until = (condition: () => boolean, timeoutMs = 5000) => waitFor(condition, 'the bus to get there', timeoutMs, 5);

describe('MemoryBus', () => {
  it('delivers in order to every group and redelivers a batch whose handler failed', async () => {
    const bus = new MemoryBus({ capacityBytes: 1 << 20, log: () => {} });
    const a: string[] = [];
    const b: string[] = [];
    let failOnce = true;
    await bus.subscribe('t', 'a', async (batch) => {
      if (failOnce) {
        failOnce = false;
        throw new Error('store down');
      }
      a.push(...batch.map((m) => m.value.toString()));
    });
    await bus.subscribe('t', 'b', async (batch) => void b.push(...batch.map((m) => m.value.toString())));
    await bus.publish('t', [msg('1'), msg('2')]);
    await bus.publish('t', [msg('3')]);
    await until(() => a.length === 3 && b.length === 3);
    expect(a).toEqual(['1', '2', '3']);
    expect(b).toEqual(['1', '2', '3']);
    await bus.shutdown();
  });

  it('answers OverloadedError when a subscribed topic is full', async () => {
    const bus = new MemoryBus({ capacityBytes: 10, log: () => {} });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    await bus.subscribe('t', 'g', () => gate);
    await bus.publish('t', [msg('12345678')]);
    await expect(bus.publish('t', [msg('12345')])).rejects.toBeInstanceOf(OverloadedError);
    release();
    await bus.shutdown();
  });

  it('keeps messages published before anyone subscribed, bounded, and hands them to the first group', async () => {
    const bus = new MemoryBus({ capacityBytes: 4, log: () => {} });
    await bus.publish('early', [msg('ab'), msg('cd'), msg('ef')]);
    expect(bus.droppedUnread).toBe(1);
    const got: string[] = [];
    await bus.subscribe('early', 'g', async (batch) => void got.push(...batch.map((m) => m.value.toString())));
    await until(() => got.length === 2);
    expect(got).toEqual(['cd', 'ef']);
    await bus.shutdown();
  });

  it('shutdown waits until subscribers handled everything', async () => {
    const bus = new MemoryBus({ capacityBytes: 1 << 20, log: () => {} });
    let handled = 0;
    await bus.subscribe('t', 'g', async (batch) => {
      await new Promise((r) => setTimeout(r, 20));
      handled += batch.length;
    });
    for (let i = 0; i < 5; i++) await bus.publish('t', [msg(String(i))]);
    await bus.shutdown();
    expect(handled).toBe(5);
    await expect(bus.publish('t', [msg('late')])).rejects.toThrow(/shut down/);
  });
});

describe('MemoryBus batches', () => {
  it('bounds a batch by bytes as well as by count, a single large message still going alone', async () => {
    const bus = new MemoryBus({ capacityBytes: 1 << 20, maxBatchBytes: 10, log: () => {} });
    const sizes: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    await bus.subscribe('t', 'g', async (batch) => {
      await gate;
      sizes.push(batch.map((m) => m.value.length));
    });
    await bus.publish('t', [msg('x'.repeat(4)), msg('x'.repeat(4)), msg('x'.repeat(4)), msg('x'.repeat(30)), msg('x')]);
    release();
    await until(() => sizes.flat().length === 5);
    expect(sizes).toEqual([[4, 4], [4], [30], [1]]);
    await bus.shutdown();
  });
});

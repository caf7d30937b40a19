import { MemoryBus } from '../../../../bus/memory/memory-bus';
import type { BusMessage } from '../../../../core/contracts/bus';
import { OverloadedError } from '../../../../core/errors';
import { waitFor } from '../../../helpers/wait';

const msg = (s: string): BusMessage => ({ value: Buffer.from(s), key: `k${s}`, headers: { h: s } });

/** The bus's state changes within milliseconds: look often. */
const until = (condition: () => boolean, timeoutMs = 5000) => waitFor(condition, 'the bus to get there', timeoutMs, 5);

/** A consumer whose store can be switched between failing (like a full disk) and writing. */
function switchableConsumer() {
  const written: string[] = [];
  const state = { failing: true };
  const handler = async (batch: BusMessage[]) => {
    if (state.failing) throw new Error('database or disk is full');
    written.push(...batch.map((m) => m.value.toString()));
  };
  return { written, state, handler };
}

describe('MemoryBus with a consumer that cannot write', () => {
  it('refuses new data on that topic with the reason while the consumer fails, and takes it again once it writes', async () => {
    const bus = new MemoryBus({ capacityBytes: 1 << 20, log: () => {} });
    const c = switchableConsumer();
    await bus.subscribe('spans', 'ingest', c.handler);
    await bus.subscribe('logs', 'ingest', async () => {});
    await bus.publish('spans', [msg('1')]);
    await until(() => bus.failingConsumers().length === 1);
    const refused = await bus.publish('spans', [msg('2')]).catch((e) => e);
    expect(refused).toBeInstanceOf(OverloadedError);
    expect(refused.message).toMatch(/cannot store spans right now: database or disk is full/);
    expect(refused.retryAfterSeconds).toBeGreaterThan(0);
    // another topic whose consumer writes is not refused
    await expect(bus.publish('logs', [msg('x')])).resolves.toBeUndefined();
    expect(bus.status().failing).toEqual([expect.objectContaining({ topic: 'spans', group: 'ingest', reason: 'database or disk is full' })]);

    c.state.failing = false;
    await until(() => c.written.length === 1, 10_000);
    expect(bus.failingConsumers()).toEqual([]);
    await bus.publish('spans', [msg('3')]);
    await until(() => c.written.length === 2);
    expect(c.written).toEqual(['1', '3']);
    await bus.shutdown();
  });

  it('gives up draining soon when the consumer keeps failing, and spills every unhandled message once', async () => {
    const spilled: { topic: string; messages: BusMessage[] }[] = [];
    const bus = new MemoryBus({
      capacityBytes: 1 << 20,
      drainTimeoutMs: 30_000,
      drainGiveUpAfterFailingMs: 200,
      spill: async (topic, messages) => void spilled.push({ topic, messages }),
      log: () => {},
    });
    const c = switchableConsumer();
    await bus.subscribe('spans', 'a', c.handler);
    await bus.subscribe('spans', 'b', c.handler);
    await bus.publish('spans', [msg('1'), msg('2')]);
    await until(() => bus.failingConsumers().length === 2);
    const started = Date.now();
    await bus.shutdown();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(spilled).toHaveLength(1);
    expect(spilled[0].topic).toBe('spans');
    expect(spilled[0].messages.map((m) => [m.value.toString(), m.key, m.headers])).toEqual([
      ['1', 'k1', { h: '1' }],
      ['2', 'k2', { h: '2' }],
    ]);
  });

  it('spills nothing when everything was handled', async () => {
    const spill = jest.fn(async () => {});
    const bus = new MemoryBus({ capacityBytes: 1 << 20, spill, log: () => {} });
    await bus.subscribe('spans', 'a', async () => {});
    await bus.publish('spans', [msg('1')]);
    await bus.shutdown();
    expect(spill).not.toHaveBeenCalled();
  });

  it('restore puts kept messages ahead of new ones, past capacity, and resolves once they are handled', async () => {
    const bus = new MemoryBus({ capacityBytes: 4, log: () => {} });
    const seen: string[] = [];
    let gate!: () => void;
    const opened = new Promise<void>((r) => (gate = r));
    await bus.subscribe('spans', 'a', async (batch) => {
      await opened;
      seen.push(...batch.map((m) => m.value.toString()));
    });
    let restored = false;
    const restoring = bus.restore('spans', [msg('old1'), msg('old2')]).then(() => (restored = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(restored).toBe(false);
    gate();
    await restoring;
    expect(seen).toEqual(['old1', 'old2']);
    await bus.publish('spans', [msg('new')]);
    await until(() => seen.length === 3);
    expect(seen[2]).toBe('new');
    await bus.shutdown();
  });

  it('restore to a topic nobody reads is an error (the kept file stays)', async () => {
    const bus = new MemoryBus({ capacityBytes: 1 << 20, log: () => {} });
    await expect(bus.restore('nobody', [msg('1')])).rejects.toThrow(/nobody subscribed/);
    await bus.shutdown();
  });
});

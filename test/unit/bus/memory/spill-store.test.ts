import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SpillKeeper } from '../../../../bus/memory/spill-keeper';
import { readSpillFile, SpillStore } from '../../../../bus/memory/spill-store';
import { MemoryBus } from '../../../../bus/memory/memory-bus';
import type { BusMessage } from '../../../../core/contracts/bus';
import { waitFor } from '../../../helpers/wait';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-spill-'));

describe('SpillStore', () => {
  it('makes the reserve at full size once, and frees it for a spill', () => {
    const dir = tmp();
    const store = new SpillStore(dir, 3 * 1024 * 1024 + 5);
    store.ensureReserve();
    const reserve = path.join(dir, 'spill', 'reserve.bin');
    expect(fs.statSync(reserve).size).toBe(3 * 1024 * 1024 + 5);
    store.ensureReserve();
    expect(fs.statSync(reserve).size).toBe(3 * 1024 * 1024 + 5);
    store.write('otlp_spans', [{ value: Buffer.from('x') }]);
    expect(fs.existsSync(reserve)).toBe(false);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads back exactly what it wrote: topic, keys, headers, binary values, oldest file first', () => {
    const dir = tmp();
    const store = new SpillStore(dir, 1024);
    const binary = Buffer.from([0, 255, 10, 13, 0x80, 0]);
    const first: BusMessage[] = [{ value: binary, key: 'trace-1', headers: { 'x-h': 'ü' } }, { value: Buffer.alloc(0) }];
    store.write('otlp_spans', first);
    store.write('otlp_logs', [{ value: Buffer.from('log') }]);
    const loaded = store.load();
    expect(loaded.map((b) => b.topic)).toEqual(['otlp_spans', 'otlp_logs']);
    expect(loaded[0].messages).toEqual(first);
    expect(loaded[1].messages).toEqual([{ value: Buffer.from('log') }]);
    store.remove(loaded[0].file);
    expect(store.load().map((b) => b.topic)).toEqual(['otlp_logs']);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('names a damaged file instead of skipping it, and drops half-written temporary files', () => {
    const dir = tmp();
    const store = new SpillStore(dir, 1024);
    const file = store.write('otlp_spans', [{ value: Buffer.from('abcdef') }]);
    fs.writeFileSync(path.join(dir, 'spill', '1-2-3-aa.tmp'), 'partial');
    fs.truncateSync(file, fs.statSync(file).size - 2);
    expect(() => store.load()).toThrow(new RegExp(`${path.basename(file)} is damaged: cut short`));
    expect(fs.existsSync(path.join(dir, 'spill', '1-2-3-aa.tmp'))).toBe(false);
    fs.writeFileSync(file, 'not a spill');
    expect(() => readSpillFile(file)).toThrow(/not a spill file/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('SpillKeeper', () => {
  it('carries unhandled messages across a restart and deletes them once written', async () => {
    const dir = tmp();
    const lines: string[] = [];
    // first run: the consumer cannot write, shutdown keeps the messages
    const keeper1 = new SpillKeeper(new SpillStore(dir, 4096), (l) => lines.push(l));
    keeper1.open();
    const bus1 = new MemoryBus({ capacityBytes: 1 << 20, drainGiveUpAfterFailingMs: 50, spill: keeper1.spill, log: () => {} });
    await bus1.subscribe('spans', 'ingest', async () => {
      throw new Error('database or disk is full');
    });
    await bus1.publish('spans', [{ value: Buffer.from('a') }, { value: Buffer.from('b') }]);
    await bus1.shutdown();
    expect(lines.join('\n')).toMatch(/kept 2 unwritten spans messages/);

    // second run: the consumer writes; the kept messages arrive first and their file goes
    const keeper2 = new SpillKeeper(new SpillStore(dir, 4096), () => {});
    keeper2.open();
    expect(keeper2.waitingMessages()).toBe(2);
    const bus2 = new MemoryBus({ capacityBytes: 1 << 20, spill: keeper2.spill, log: () => {} });
    const written: string[] = [];
    await bus2.subscribe('spans', 'ingest', async (batch) => void written.push(...batch.map((m) => m.value.toString())));
    keeper2.restore(bus2);
    await waitFor(() => keeper2.waitingMessages() === 0, 'the spilled messages to be handed back', 5000, 10);
    expect(written).toEqual(['a', 'b']);
    expect(keeper2.waitingMessages()).toBe(0);
    expect(fs.readdirSync(path.join(dir, 'spill')).filter((f) => f.endsWith('.spill'))).toEqual([]);
    expect(fs.existsSync(path.join(dir, 'spill', 'reserve.bin'))).toBe(true);
    await bus2.shutdown();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a second failed run replaces the first run\'s file instead of keeping both', async () => {
    const dir = tmp();
    for (let run = 0; run < 2; run++) {
      const keeper = new SpillKeeper(new SpillStore(dir, 4096), () => {});
      keeper.open();
      const bus = new MemoryBus({ capacityBytes: 1 << 20, drainGiveUpAfterFailingMs: 50, spill: keeper.spill, log: () => {} });
      await bus.subscribe('spans', 'ingest', async () => {
        throw new Error('disk full');
      });
      keeper.restore(bus);
      if (run === 0) await bus.publish('spans', [{ value: Buffer.from('a') }]);
      await new Promise((r) => setTimeout(r, 100));
      await bus.shutdown();
    }
    const files = fs.readdirSync(path.join(dir, 'spill')).filter((f) => f.endsWith('.spill'));
    expect(files).toHaveLength(1);
    expect(readSpillFile(path.join(dir, 'spill', files[0])).messages.map((m) => m.value.toString())).toEqual(['a']);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

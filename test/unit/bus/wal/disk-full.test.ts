import fs from 'node:fs';
import path from 'node:path';
import { BackendUnavailableError } from '../../../../core/errors';
import { describeWithTmpfs, type Tmpfs } from '../../../helpers/tmpfs';
import { msg, openBus, segmentFiles, text, until } from './wal-test-kit';

describeWithTmpfs('WalBus on a full disk', (mount) => {
  let disk: Tmpfs;
  beforeEach(() => (disk = mount(8)));
  afterEach(() => disk.unmount());

  it('rejects with BackendUnavailableError naming the full disk, leaves no partial record, and accepts again once there is room', async () => {
    const dir = path.join(disk.dir, 'wal');
    const bus = await openBus(dir, { maxBytes: 64 << 20, segmentBytes: 1 << 20, log: () => {} });
    const acked: string[] = [];
    for (let i = 0; i < 10; i++) {
      await bus.publish('t', [msg(`before-${i}-${'x'.repeat(5000)}`)]);
      acked.push(`before-${i}`);
    }
    const filler = disk.fill(20 * 1024);
    let refused: unknown = null;
    for (let i = 0; i < 200 && !refused; i++) {
      try {
        // several records per publish, so a write can stop half way through
        await bus.publish('t', [msg(`full-${i}-a-${'y'.repeat(3000)}`), msg(`full-${i}-b-${'y'.repeat(3000)}`)]);
        acked.push(`full-${i}-a`, `full-${i}-b`);
      } catch (err) {
        refused = err;
      }
    }
    expect(refused).toBeInstanceOf(BackendUnavailableError);
    expect((refused as Error).message).toMatch(/disk full \(ENOSPC\)/);
    expect((refused as BackendUnavailableError).retriable).toBe(true);
    // the segment ends at the last acknowledged record: nothing half written stays behind
    const sizeAfterRefusal = segmentFiles(dir, 't').reduce((n, f) => n + fs.statSync(f).size, 0);
    expect(sizeAfterRefusal).toBe(bus.stats().topics.t.diskBytes);

    fs.unlinkSync(filler);
    await bus.publish('t', [msg('after-room')]);
    acked.push('after-room');
    await bus.shutdown();

    const reopened = await openBus(dir, { maxBytes: 64 << 20, segmentBytes: 1 << 20 });
    expect(reopened.stats().topics.t.truncatedTails).toBe(0);
    const got: string[] = [];
    await reopened.subscribe('t', 'g', async (batch) => void got.push(...text(batch).map((s) => s.replace(/-[xy]+$/, ''))));
    await until(() => got.length === acked.length, 'every acknowledged record');
    expect(got).toEqual(acked);
    await reopened.shutdown();
  });

  it('a consumer still reads on a full disk; a position that cannot be saved only costs a replay', async () => {
    const dir = path.join(disk.dir, 'wal');
    const lines: string[] = [];
    const bus = await openBus(dir, { maxBytes: 64 << 20, positionFlushMs: 5, log: (l) => lines.push(l) });
    await bus.publish('t', [msg('1'), msg('2')]);
    const filler = disk.fill(0);
    const got: string[] = [];
    await bus.subscribe('t', 'g', async (batch) => void got.push(...text(batch)));
    await until(() => got.length === 2);
    await bus.shutdown();
    fs.unlinkSync(filler);
    // the positions file could not be written on a full disk: the group starts over, nothing lost
    const again = await openBus(dir);
    const replay: string[] = [];
    await again.subscribe('t', 'g', async (batch) => void replay.push(...text(batch)));
    await until(() => replay.length === 2);
    await again.shutdown();
    expect(lines.some((l) => l.includes('cannot save positions of t'))).toBe(true);
    expect(replay).toEqual(['1', '2']);
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BusMessage } from '../../../../core/contracts/bus';
import { WalBus, type WalBusOptions } from '../../../../bus/wal';
import { waitFor } from '../../../helpers/wait';

/** A fresh temp folder per test, removed by `cleanup`. */
export function tempDir(prefix = 'chainscope-wal-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export const msg = (s: string, key?: string, headers?: Record<string, string>): BusMessage => ({ value: Buffer.from(s), key, headers });
export const text = (messages: BusMessage[]) => messages.map((m) => m.value.toString());

export async function openBus(dir: string, options: Partial<WalBusOptions> = {}): Promise<WalBus> {
  const bus = new WalBus({ dir, maxBytes: 1 << 20, log: () => {}, ...options });
  await bus.start();
  return bus;
}

/**
 * What a kill -9 leaves: the folder's files as they are right now (written
 * data is in the page cache, so a copy sees it), in a new folder. The caller
 * goes on with a new instance there and shuts the old one down unseen.
 */
export function crashCopy(dir: string): string {
  const copy = tempDir('chainscope-wal-crash-');
  fs.cpSync(dir, copy, { recursive: true });
  return copy;
}

/** test/helpers/wait.ts's waitFor, looking every 5 ms (the bus moves within milliseconds). */
export async function until(condition: () => boolean, what = 'condition', timeoutMs = 10_000): Promise<void> {
  await waitFor(condition, what, timeoutMs, 5);
}

/** The segment files of a topic, oldest first. */
export function segmentFiles(dir: string, topic: string): string[] {
  return fs
    .readdirSync(path.join(dir, topic))
    .filter((n) => n.endsWith('.wal'))
    .sort()
    .map((n) => path.join(dir, topic, n));
}

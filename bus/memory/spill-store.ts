import fs from 'node:fs';
import path from 'node:path';
import type { BusMessage } from '../../core/contracts/bus';
import { CannotStartError, ChainscopeError } from '../../core/errors';
import { fsyncDir } from '../../core/util/fsync-dir';

/**
 * Where the in-process bus keeps what it could not hand to its consumers by
 * shutdown (a store that cannot write, typically a full disk), so the next
 * start writes it instead of it being lost.
 *
 * A full disk is exactly when there is no room to write such a file, so the
 * folder also holds a reserve file as large as the bus can hold: the spill
 * first deletes the reserve, then writes in the room it freed. The next start
 * restores the spilled messages and, once they are handled, deletes their
 * files and makes the reserve again.
 *
 * File format (one file per topic per shutdown, written to a temporary name,
 * fsynced, then renamed): "CSSPILL1", u32 topic length, topic (UTF-8), then
 * per message u32 meta length, meta JSON ({key, headers}), u32 value length,
 * value bytes. All integers big-endian.
 */
export interface SpilledBatch {
  file: string;
  topic: string;
  messages: BusMessage[];
}

const MAGIC = Buffer.from('CSSPILL1', 'latin1');
const RESERVE_FILE = 'reserve.bin';
const SPILL_SUFFIX = '.spill';
const ZEROS = Buffer.alloc(1024 * 1024);

export class SpillStore {
  readonly dir: string;
  private sequence = 0;

  constructor(
    dataDir: string,
    /** Size of the reserve: at least what the bus can hold unhandled at once. */
    readonly reserveBytes: number,
  ) {
    this.dir = path.join(dataDir, 'spill');
  }

  /**
   * Makes sure the reserve exists at full size. Throws CannotStartError when
   * the disk has no room for it (the caller cannot promise to keep what it
   * accepts), after removing a partial reserve.
   */
  ensureReserve(): void {
    fs.mkdirSync(this.dir, { recursive: true });
    const file = path.join(this.dir, RESERVE_FILE);
    let have = 0;
    try {
      have = fs.statSync(file).size;
    } catch {
      have = 0;
    }
    if (have >= this.reserveBytes) return;
    let fd: number | undefined;
    try {
      fd = fs.openSync(file, 'a');
      for (let written = have; written < this.reserveBytes; ) {
        const n = Math.min(ZEROS.length, this.reserveBytes - written);
        written += fs.writeSync(fd, ZEROS, 0, n);
      }
      fs.fsyncSync(fd);
    } catch (err) {
      if (fd !== undefined) fs.closeSync(fd);
      fd = undefined;
      fs.rmSync(file, { force: true });
      if ((err as NodeJS.ErrnoException).code === 'ENOSPC') {
        throw new CannotStartError(
          `disk full: ${this.dir} has no room for the ${mib(this.reserveBytes)} reserve that keeps unwritten data through a shutdown ` +
            `(free space there, or lower MEMORY_BUS_CAPACITY_BYTES)`,
        );
      }
      throw err;
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  }

  /** Frees the reserve's room (before a spill). */
  releaseReserve(): void {
    fs.rmSync(path.join(this.dir, RESERVE_FILE), { force: true });
  }

  /** Writes one topic's unhandled messages durably, in the room of the reserve. */
  write(topic: string, messages: BusMessage[]): string {
    this.releaseReserve();
    fs.mkdirSync(this.dir, { recursive: true });
    const name = `${Date.now()}-${process.pid}-${this.sequence++}-${Buffer.from(topic, 'utf8').toString('hex')}`;
    const tmp = path.join(this.dir, `${name}.tmp`);
    const final = path.join(this.dir, `${name}${SPILL_SUFFIX}`);
    const fd = fs.openSync(tmp, 'w');
    try {
      const topicBytes = Buffer.from(topic, 'utf8');
      fs.writeSync(fd, Buffer.concat([MAGIC, u32(topicBytes.length), topicBytes]));
      for (const m of messages) {
        const meta = Buffer.from(JSON.stringify({ key: m.key, headers: m.headers }), 'utf8');
        fs.writeSync(fd, Buffer.concat([u32(meta.length), meta, u32(m.value.length)]));
        fs.writeSync(fd, m.value);
      }
      fs.fsyncSync(fd);
    } catch (err) {
      fs.closeSync(fd);
      fs.rmSync(tmp, { force: true });
      throw err;
    }
    fs.closeSync(fd);
    fs.renameSync(tmp, final);
    fsyncDir(this.dir);
    return final;
  }

  /** Every spilled batch, oldest first. A file that does not read back whole is an error naming it (never skipped silently). */
  load(): SpilledBatch[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir);
    } catch {
      return [];
    }
    for (const n of names) if (n.endsWith('.tmp')) fs.rmSync(path.join(this.dir, n), { force: true });
    return names
      .filter((n) => n.endsWith(SPILL_SUFFIX))
      .sort((a, b) => Number(a.split('-')[0]) - Number(b.split('-')[0]) || a.localeCompare(b))
      .map((n) => readSpillFile(path.join(this.dir, n)));
  }

  remove(file: string): void {
    fs.rmSync(file, { force: true });
  }
}

export function readSpillFile(file: string): SpilledBatch {
  const buf = fs.readFileSync(file);
  const fail = (what: string): never => {
    throw new ChainscopeError(`spill file ${file} is damaged: ${what}`);
  };
  if (buf.length < MAGIC.length + 4 || !buf.subarray(0, MAGIC.length).equals(MAGIC)) fail('not a spill file');
  let at = MAGIC.length;
  const take = (n: number): Buffer => {
    if (at + n > buf.length) fail(`cut short at byte ${at}`);
    const out = buf.subarray(at, at + n);
    at += n;
    return out;
  };
  const topic = take(take(4).readUInt32BE(0)).toString('utf8');
  const messages: BusMessage[] = [];
  while (at < buf.length) {
    const meta = JSON.parse(take(take(4).readUInt32BE(0)).toString('utf8')) as { key?: string; headers?: Record<string, string> };
    const value = Buffer.from(take(take(4).readUInt32BE(0)));
    const message: BusMessage = { value };
    if (meta.key !== undefined) message.key = meta.key;
    if (meta.headers !== undefined) message.headers = meta.headers;
    messages.push(message);
  }
  return { file, topic, messages };
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n, 0);
  return b;
}


function mib(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MiB`;
}

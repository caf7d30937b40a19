import fs from 'node:fs';
import type { BusMessage } from '../../core/contracts/bus';
import { BackendUnavailableError, ChainscopeError, OverloadedError, PayloadTooLargeError } from '../../core/errors';
import { sleep } from '../../core/util/backoff';
import type { RateLimitedLog } from '../../core/util/rate-limited-log';
import { PositionsFile } from './positions-file';
import { RecentRecords } from './recent-records';
import { decodeFrame, encodeFrame, FRAME_HEADER_BYTES } from './record-frame';
import { fsyncDir } from '../../core/util/fsync-dir';
import { listSegments, scanSegment, segmentFile, type Segment } from './segment-files';

export type WalSync = 'fdatasync' | 'fsync' | 'none';

export interface TopicLogSettings {
  segmentBytes: number;
  maxBytes: number;
  sync: WalSync;
  groupCommitDelayMs: number;
  cacheBytes: number;
  positionFlushMs: number;
  warn: RateLimitedLog;
}

/** What a topic's log did since it was opened (see WalBus.stats). */
export interface TopicLogStats {
  appendedRecords: number;
  appendedBytes: number;
  syncs: number;
  syncMicros: number;
  /** Torn or corrupt tails cut off at open, and their bytes. */
  truncatedTails: number;
  truncatedBytes: number;
  /** Records a reader skipped because they failed their CRC (disk rot), counted per skip. */
  corruptSkips: number;
  /** Segments deleted once every group had read them. */
  reclaimedSegments: number;
  /** Segments of a topic nobody consumes, deleted unread to stay within maxBytes, and their bytes. */
  droppedSegments: number;
  droppedBytes: number;
}

interface PendingAppend {
  frames: Buffer[];
  messages: BusMessage[];
  bytes: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * One topic's write-ahead log: append-only segment files in its folder,
 * records addressed by their byte position in the topic's stream (a segment
 * file is named by the position of its first byte). Appends are group
 * committed: every publish waiting while a sync runs goes into the next
 * write + sync. Readers see only synced records.
 */
export class TopicLog {
  readonly stats: TopicLogStats = {
    appendedRecords: 0,
    appendedBytes: 0,
    syncs: 0,
    syncMicros: 0,
    truncatedTails: 0,
    truncatedBytes: 0,
    corruptSkips: 0,
    reclaimedSegments: 0,
    droppedSegments: 0,
    droppedBytes: 0,
  };
  private readonly segments: Segment[];
  /** Byte position after the last synced record. */
  private end: number;
  /** `end` plus the bytes of appends waiting to be written. */
  private reservedEnd: number;
  private readonly pending: PendingAppend[] = [];
  private flushing: Promise<void> | null = null;
  private active: fs.promises.FileHandle | null = null;
  private readonly recent: RecentRecords;
  private readonly dataWaiters = new Set<() => void>();
  private readonly positionsFile: PositionsFile;
  /** Positions read at open or left by closed subscriptions. */
  private readonly saved: Record<string, number>;
  private readonly live = new Map<string, number>();
  private positionsDirty = false;
  private positionsTimer: NodeJS.Timeout | null = null;
  private readonly maxFrameBytes: number;
  private closed = false;

  constructor(
    readonly topic: string,
    private readonly dir: string,
    private readonly settings: TopicLogSettings,
  ) {
    this.maxFrameBytes = settings.maxBytes + FRAME_HEADER_BYTES + 64 * 1024;
    fs.mkdirSync(dir, { recursive: true });
    for (const name of fs.readdirSync(dir)) if (name.endsWith('.tmp')) fs.rmSync(`${dir}/${name}`, { force: true });
    this.segments = this.recover();
    const last = this.segments[this.segments.length - 1];
    this.end = last.base + last.size;
    this.reservedEnd = this.end;
    this.recent = new RecentRecords(settings.cacheBytes);
    this.positionsFile = new PositionsFile(dir);
    const { groups, problem } = this.positionsFile.read();
    if (problem) settings.warn.warn(`positions:${topic}`, `wal: ${problem}`);
    this.saved = groups;
  }

  /** Finds the segments, cuts a torn or corrupt tail off the last one, and makes sure one exists. */
  private recover(): Segment[] {
    const segments = listSegments(this.dir);
    if (segments.length === 0) {
      fs.writeFileSync(segmentFile(this.dir, 0), '');
      fsyncDir(this.dir);
      return [{ base: 0, file: segmentFile(this.dir, 0), size: 0 }];
    }
    for (let i = 0; i + 1 < segments.length; i++) {
      const room = segments[i + 1].base - segments[i].base;
      if (segments[i].size !== room) {
        this.settings.warn.warn(`gap:${this.topic}`, `wal: segment ${segments[i].file} holds ${segments[i].size} bytes where ${room} were expected; readers skip the difference`);
        segments[i].size = Math.min(segments[i].size, room);
      }
    }
    const last = segments[segments.length - 1];
    const scan = scanSegment(last.file, this.maxFrameBytes);
    if (scan.problem) {
      const cut = last.size - scan.validBytes;
      fs.truncateSync(last.file, scan.validBytes);
      const fd = fs.openSync(last.file, 'r+');
      try {
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      last.size = scan.validBytes;
      this.stats.truncatedTails++;
      this.stats.truncatedBytes += cut;
      this.settings.warn.warn(
        `tail:${this.topic}`,
        `wal: ${this.topic}: cut ${cut} bytes off ${last.file} after its last whole record (${scan.problem}); publishes answered before a crash are all before that point`,
      );
    }
    return segments;
  }

  private firstBase(): number {
    return this.segments[0].base;
  }

  /** Positions of the groups this topic must keep records for: the live ones, else (before anyone subscribed here) the saved ones. */
  private consumerPositions(): number[] {
    return [...(this.live.size > 0 ? this.live.values() : Object.values(this.saved))];
  }

  /** Bytes written or being written that some group has not handled yet (0 for a topic nobody consumes). */
  unconsumedBytes(): number {
    const positions = this.consumerPositions();
    return positions.length === 0 ? 0 : this.reservedEnd - Math.max(this.firstBase(), Math.min(...positions));
  }

  hasLiveGroups(): boolean {
    return this.live.size > 0;
  }

  /** Resolves once the messages are written and synced; rejects with OverloadedError when the topic is full. */
  append(messages: BusMessage[]): Promise<void> {
    if (this.closed) return Promise.reject(new ChainscopeError('bus is shut down', true));
    const frames = messages.map(encodeFrame);
    const bytes = frames.reduce((n, f) => n + f.length, 0);
    const { maxBytes } = this.settings;
    if (bytes > maxBytes) {
      return Promise.reject(new PayloadTooLargeError(`${bytes} bytes in one publish to ${this.topic} exceed the WAL's bound of ${maxBytes} bytes per topic`, maxBytes));
    }
    if (this.consumerPositions().length > 0 && this.unconsumedBytes() + bytes > maxBytes) {
      return Promise.reject(new OverloadedError(`write-ahead log of ${this.topic} is full (${maxBytes} bytes not yet handled by its consumers)`, 1));
    }
    this.reservedEnd += bytes;
    return new Promise((resolve, reject) => {
      this.pending.push({ frames, messages, bytes, resolve, reject });
      this.flushing ??= this.flushLoop().finally(() => (this.flushing = null));
    });
  }

  private async flushLoop(): Promise<void> {
    while (this.pending.length > 0) {
      // let publishers the last sync just answered come back first, so they share the next one
      if (this.settings.groupCommitDelayMs > 0) await sleep(this.settings.groupCommitDelayMs);
      else await new Promise<void>((resolve) => setImmediate(resolve));
      const batch = this.takeBatch();
      const bytes = batch.reduce((n, p) => n + p.bytes, 0);
      const start = this.end;
      try {
        await this.writeDurably(batch.flatMap((p) => p.frames), bytes);
      } catch (err) {
        this.reservedEnd -= bytes;
        const mapped = writeError(err, this.topic);
        this.settings.warn.warn(`write:${this.topic}`, `wal: ${mapped.message}`);
        for (const p of batch) p.reject(mapped);
        continue;
      }
      let pos = start;
      // a topic nobody reads here (a dead-letter topic) keeps nothing in memory
      const keep = this.live.size > 0;
      for (const p of batch) {
        for (let i = 0; i < p.messages.length; i++) {
          if (keep) this.recent.add(pos, p.frames[i].length, p.messages[i]);
          pos += p.frames[i].length;
        }
        this.stats.appendedRecords += p.messages.length;
        p.resolve();
      }
      this.stats.appendedBytes += bytes;
      for (const wake of [...this.dataWaiters]) wake();
      this.reclaim();
    }
  }

  /** The waiting appends that go into one write: as many as fit in the segment they land in (at least one). */
  private takeBatch(): PendingAppend[] {
    const active = this.segments[this.segments.length - 1];
    const { segmentBytes } = this.settings;
    // the first append decides: it fits in the active segment, or it opens a fresh one (see writeDurably)
    const room = active.size > 0 && active.size + this.pending[0].bytes > segmentBytes ? segmentBytes : segmentBytes - active.size;
    let n = 1;
    let bytes = this.pending[0].bytes;
    while (n < this.pending.length && bytes + this.pending[n].bytes <= room) bytes += this.pending[n++].bytes;
    return this.pending.splice(0, n);
  }

  private async writeDurably(frames: Buffer[], bytes: number): Promise<void> {
    let active = this.segments[this.segments.length - 1];
    if (active.size > 0 && active.size + bytes > this.settings.segmentBytes) active = await this.rotate();
    this.active ??= await fs.promises.open(active.file, 'r+');
    const handle = this.active;
    const at = active.size;
    const data = frames.length === 1 ? frames[0] : Buffer.concat(frames, bytes);
    try {
      for (let written = 0; written < data.length; ) {
        const { bytesWritten } = await handle.write(data, written, data.length - written, at + written);
        if (bytesWritten <= 0) throw new Error('write made no progress');
        written += bytesWritten;
      }
      if (this.settings.sync !== 'none') {
        const t = process.hrtime.bigint();
        await (this.settings.sync === 'fsync' ? handle.sync() : handle.datasync());
        this.stats.syncs++;
        this.stats.syncMicros += Number((process.hrtime.bigint() - t) / 1000n);
      }
    } catch (err) {
      // leave the segment as it was: no half record for the next write (or the next start) to find
      await handle.truncate(at).catch((e: Error) => this.settings.warn.warn(`truncate:${this.topic}`, `wal: cannot cut back ${active.file}: ${e.message}`));
      throw err;
    }
    active.size += bytes;
    this.end += bytes;
  }

  /** Closes the full segment and starts the next at the current end. */
  private async rotate(): Promise<Segment> {
    const next: Segment = { base: this.end, file: segmentFile(this.dir, this.end), size: 0 };
    const handle = await fs.promises.open(next.file, 'w+');
    fsyncDir(this.dir);
    const old = this.active;
    this.active = handle;
    this.segments.push(next);
    await old?.close().catch(() => undefined);
    return next;
  }

  /** Deletes segments every consumer group has read; on a topic nobody consumes, the oldest past maxBytes. */
  private reclaim(): void {
    const positions = this.consumerPositions();
    if (positions.length > 0) {
      const min = Math.min(...positions);
      while (this.segments.length > 1 && this.segments[1].base <= min) {
        this.deleteOldest();
        this.stats.reclaimedSegments++;
      }
      return;
    }
    while (this.segments.length > 1 && this.end - this.firstBase() > this.settings.maxBytes) {
      const dropped = this.deleteOldest();
      this.stats.droppedSegments++;
      this.stats.droppedBytes += dropped.size;
      this.settings.warn.warn(`drop:${this.topic}`, `wal: ${this.topic} has no consumer and passed ${this.settings.maxBytes} bytes: dropped its oldest segment unread`);
    }
  }

  private deleteOldest(): Segment {
    const old = this.segments.shift()!;
    fs.promises.unlink(old.file).catch((err: Error) => this.settings.warn.warn(`unlink:${this.topic}`, `wal: cannot delete ${old.file}: ${err.message}`));
    return old;
  }

  /** Starts a group's delivery: its saved position (clamped to what is kept), or the oldest kept record for a new group. */
  register(group: string): number {
    if (this.live.has(group)) throw new ChainscopeError(`group ${group} already subscribed to ${this.topic} in this process`);
    let pos = this.saved[group] ?? this.firstBase();
    if (pos < this.firstBase()) {
      this.settings.warn.warn(`clamp:${this.topic}`, `wal: ${this.topic}/${group} was at ${pos}, before the oldest kept record (${this.firstBase()}); it goes on from there`);
      pos = this.firstBase();
    } else if (pos > this.end) {
      this.settings.warn.warn(`clamp:${this.topic}`, `wal: ${this.topic}/${group} was at ${pos}, past the end of the log (${this.end}); it goes on from the end`);
      pos = this.end;
    }
    this.live.set(group, pos);
    return pos;
  }

  /** The group handled everything before `pos`. */
  advance(group: string, pos: number): void {
    if (!this.live.has(group)) return;
    this.live.set(group, pos);
    this.positionsDirty = true;
    this.positionsTimer ??= setTimeout(() => {
      this.positionsTimer = null;
      void this.flushPositions();
    }, this.settings.positionFlushMs).unref();
    this.reclaim();
  }

  unregister(group: string): void {
    const pos = this.live.get(group);
    if (pos === undefined) return;
    this.live.delete(group);
    this.saved[group] = pos;
    this.positionsDirty = true;
  }

  /** Writes the positions if they changed; a failure (disk full) is logged and retried next time: it only costs a replay. */
  async flushPositions(): Promise<void> {
    if (!this.positionsDirty) return;
    this.positionsDirty = false;
    const groups = { ...this.saved, ...Object.fromEntries(this.live) };
    try {
      await this.positionsFile.write(groups);
    } catch (err) {
      this.positionsDirty = true;
      this.settings.warn.warn(`positions-write:${this.topic}`, `wal: cannot save positions of ${this.topic}: ${(err as Error).message}`);
    }
  }

  /** True once the group handled every synced record. */
  caughtUp(pos: number): boolean {
    return pos >= this.end;
  }

  /** Resolves when records past `pos` are readable, or when `signal` aborts. */
  waitForData(pos: number, signal: AbortSignal): Promise<void> {
    if (this.end > pos || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        this.dataWaiters.delete(wake);
        signal.removeEventListener('abort', wake);
        resolve();
      };
      this.dataWaiters.add(wake);
      signal.addEventListener('abort', wake, { once: true });
    });
  }

  /**
   * Synced records from `pos` on, bounded by count and value bytes (a single
   * larger record still comes alone); `next` is where the following read
   * starts. Recent records come from memory. An empty batch with `next > pos`
   * means bytes were skipped (deleted or corrupt).
   */
  async read(pos: number, maxMessages: number, maxBytes: number): Promise<{ messages: BusMessage[]; next: number }> {
    if (pos < this.firstBase()) return { messages: [], next: this.firstBase() };
    if (pos >= this.end) return { messages: [], next: pos };
    const cached = this.recent.read(pos, maxMessages, maxBytes);
    if (cached) return cached;
    let i = this.segments.length - 1;
    while (i > 0 && this.segments[i].base > pos) i--;
    const segment = this.segments[i];
    const segmentEnd = i + 1 < this.segments.length ? this.segments[i + 1].base : this.end;
    const cacheStart = this.recent.firstPos();
    // read the file only up to where memory takes over
    const stop = cacheStart !== null && cacheStart > pos && cacheStart <= segmentEnd ? cacheStart : segmentEnd;
    const fileLimit = Math.min(segment.size, stop - segment.base);
    const fileStart = pos - segment.base;
    if (fileStart >= fileLimit) return { messages: [], next: segmentEnd };
    let handle: fs.promises.FileHandle;
    try {
      handle = await fs.promises.open(segment.file, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { messages: [], next: Math.max(pos, this.firstBase()) };
      throw err;
    }
    try {
      return await this.readFrames(handle, segment, fileStart, fileLimit, segmentEnd, maxMessages, maxBytes);
    } finally {
      await handle.close();
    }
  }

  private async readFrames(
    handle: fs.promises.FileHandle,
    segment: Segment,
    fileStart: number,
    fileLimit: number,
    segmentEnd: number,
    maxMessages: number,
    maxBytes: number,
  ): Promise<{ messages: BusMessage[]; next: number }> {
    const readAt = async (at: number, length: number) => {
      const buf = Buffer.allocUnsafe(length);
      const { bytesRead } = await handle.read(buf, 0, length, at);
      return buf.subarray(0, bytesRead);
    };
    let chunk = await readAt(fileStart, Math.min(fileLimit - fileStart, maxBytes + 64 * 1024));
    let chunkAt = fileStart;
    let off = 0;
    const messages: BusMessage[] = [];
    let bytes = 0;
    while (messages.length < maxMessages && chunkAt + off < fileLimit) {
      let frame = decodeFrame(chunk, off, this.maxFrameBytes);
      if (frame.kind === 'incomplete' && messages.length === 0 && frame.frameBytes !== null && chunkAt + off + frame.frameBytes <= fileLimit) {
        // one record larger than the chunk: read just it
        chunkAt += off;
        off = 0;
        chunk = await readAt(chunkAt, frame.frameBytes);
        frame = decodeFrame(chunk, 0, this.maxFrameBytes);
      }
      if (frame.kind === 'incomplete') {
        if (chunkAt + chunk.length < fileLimit && messages.length > 0) break; // the rest comes with the next read
        frame = { kind: 'corrupt', reason: 'record runs past the end of the segment' };
      }
      if (frame.kind === 'corrupt') {
        if (messages.length > 0) break; // hand over the good ones; the next read meets the bad one first
        this.stats.corruptSkips++;
        this.settings.warn.warn(
          `corrupt:${this.topic}`,
          `wal: ${segment.file}: ${frame.reason} at byte ${chunkAt + off}; skipping to byte ${segmentEnd - segment.base} (the next segment)`,
        );
        return { messages: [], next: segmentEnd };
      }
      if (messages.length > 0 && bytes + frame.message.value.length > maxBytes) break;
      messages.push(frame.message);
      bytes += frame.message.value.length;
      off += frame.frameBytes;
    }
    return { messages, next: segment.base + chunkAt + off };
  }

  /** Waits for the appends in flight, saves positions, closes the file. Publishing fails afterwards. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.flushing) await this.flushing;
    if (this.positionsTimer) clearTimeout(this.positionsTimer);
    this.positionsTimer = null;
    for (const [group, pos] of this.live) this.saved[group] = pos;
    this.positionsDirty = true;
    await this.flushPositions();
    await this.active?.close().catch(() => undefined);
    this.active = null;
    for (const wake of [...this.dataWaiters]) wake();
  }

  /** On-disk size of the topic's segments. */
  diskBytes(): number {
    return this.end - this.firstBase();
  }
}

/** A failed append as the publisher sees it: retriable, naming the reason (a full disk above all). */
function writeError(err: unknown, topic: string): BackendUnavailableError {
  const code = (err as NodeJS.ErrnoException)?.code;
  const why =
    code === 'ENOSPC' || code === 'EDQUOT'
      ? `disk full (${code})`
      : code === 'EIO'
        ? 'disk I/O error (EIO)'
        : `${code ?? 'error'}: ${(err as Error)?.message ?? err}`;
  return new BackendUnavailableError(`cannot write to the write-ahead log of ${topic}: ${why}; nothing was acknowledged`, err);
}

import fs from 'node:fs';
import path from 'node:path';
import type { LogRecord } from '../../core/model';
import { sleep } from '../../core/util/backoff';
import { CheckpointStore, type FileCheckpoint } from './checkpoint-store';
import { fingerprintOf, identityKey } from './file-identity';
import { expandGlob } from './glob';
import { InFlightRequests } from './in-flight';
import { OtlpLogSender } from './otlp-sender';
import type { ShipperOptions } from './options';
import { createParser } from './parsers';
import { buildRecord, type RecordContext } from './record-builder';
import { ServiceNamer } from './service-name';
import { formatStatus, type ShipperStats } from './status';
import { TailedFile } from './tailed-file';
import { printWhenChanged } from '../../core/util/changed-lines';

/**
 * Consecutive records of a batch from one file and truncation generation: the
 * end of the last one is where committing them moves the file's checkpoint.
 */
interface CommitMark {
  file: TailedFile;
  generation: number;
  end: number;
  records: number;
}

/** A batch handed to the sender: what committing it moves (its records are let go once encoded). */
interface SentBatch {
  marks: CommitMark[];
  /** Each file's time cursor after its last line in the batch. */
  cursors: Map<TailedFile, number>;
}

/**
 * The file shipper: follows the files of its sources, turns lines into log
 * records and sends them to an OTLP/HTTP collector in batches, up to
 * `maxInFlightRequests` requests at once while the next batch is read and encoded.
 *
 * Exactly-once delivery rests on three rules:
 * 1. A checkpoint (per file identity) moves only after the collector accepted
 *    the batch holding the records before it and every batch sent before that
 *    one (requests may be answered out of order; commits are in order), and is
 *    written atomically.
 * 2. After a crash the records after the checkpoint are read and sent again;
 *    the collector derives each record's id from its content, which includes
 *    the origin path and byte offset, so a replay collapses onto the first copy.
 * 3. That content is a function of the file bytes and the checkpoint only:
 *    a record without a timestamp gets the last timestamp before it or, with
 *    none, the file's clock fixed at the last commit, never the read time.
 *
 * Memory is bounded: at most `maxInFlightRequests` batches sent and not yet
 * committed plus the one being filled, and nothing more is read while they
 * wait for an unreachable collector.
 */
export class Shipper {
  private readonly files = new Map<string, TailedFile>();
  private readonly store: CheckpointStore;
  private checkpoints: Record<string, FileCheckpoint> = {};
  private readonly contexts: RecordContext[];
  private readonly sender: OtlpLogSender;
  private readonly abort = new AbortController();
  private loop?: Promise<void>;
  private statusTimer?: NodeJS.Timeout;
  private lastScanMs = 0;
  private batch: LogRecord[] = [];
  private batchMarks: CommitMark[] = [];
  private batchBytes = 0;
  private lastSaveMs = 0;
  /** Files that shipped since the last checkpoint write. */
  private readonly unsavedClocks = new Map<TailedFile, number>();
  /** Batches sent and not yet committed, in the order they were sent. */
  private readonly requests: InFlightRequests<SentBatch>;
  /** Requests not yet answered. */
  private readonly sends = new Set<Promise<void>>();
  /** A send was abandoned because we are stopping (or failed): nothing after it may be committed. */
  private halted = false;
  /** An unexpected error of a send, rethrown by the loop (which then stops). */
  private failure?: Error;
  private batchStartedMs = 0;
  private stopped?: Promise<void>;
  readonly stats: ShipperStats = { linesRead: 0, recordsRead: 0, shipped: 0, retried: 0, dropped: 0, unparsed: 0, requests: 0, waitingSince: 0, lastError: '' };

  constructor(
    private readonly options: ShipperOptions,
    private readonly log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  ) {
    this.store = new CheckpointStore(options.stateDir);
    this.requests = new InFlightRequests(options.maxInFlightRequests);
    this.contexts = options.sources.map((source) => {
      const resource = { 'service.name': source.service, 'host.name': options.hostName };
      return {
        service: source.service,
        resource,
        namer: source.serviceFrom?.length ? new ServiceNamer(source.serviceFrom, source.service, resource) : undefined,
        scope: { name: 'chainscope-shipper', version: '' },
        parser: createParser(source.parser),
        businessKeys: options.businessKeys,
      };
    });
    this.sender = new OtlpLogSender({
      endpoint: options.endpoint,
      authorization: options.authorization,
      timeoutMs: options.requestTimeoutMs,
      maxBackoffMs: options.maxBackoffMs,
      onRetry: (reason) => {
        this.stats.retried++;
        this.stats.lastError = reason;
        if (!this.stats.waitingSince) this.stats.waitingSince = Date.now();
      },
    });
  }

  async start(): Promise<void> {
    this.checkpoints = this.store.load();
    this.scan(true);
    this.loop = this.run().catch((err) => {
      this.log(`chainscope ship: stopped on an unexpected error: ${(err as Error)?.stack ?? err}`);
    });
    if (this.options.statusIntervalMs > 0) {
      const printStatus = printWhenChanged(this.log);
      this.statusTimer = setInterval(() => printStatus(this.statusLine()), this.options.statusIntervalMs);
      this.statusTimer.unref();
    }
  }

  /** Stops reading, abandons an unsent batch (it is read again on restart), writes checkpoints, closes files. Idempotent. */
  shutdown(): Promise<void> {
    return (this.stopped ??= (async () => {
      this.abort.abort();
      if (this.statusTimer) clearInterval(this.statusTimer);
      await this.loop;
      this.saveCheckpoints();
      for (const file of this.files.values()) file.close();
      this.files.clear();
    })());
  }

  /** Files followed now, with their lag (for status and tests). */
  fileStates(): { path: string; key: string; offset: number; lagBytes: number; rotated: boolean }[] {
    return [...this.files.values()].map((f) => ({ path: f.path, key: f.key, offset: f.checkpoint.offset, lagBytes: f.lagBytes, rotated: f.rotated }));
  }

  statusLine(): string {
    return formatStatus(this.stats, [...this.files.values()]);
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      if (this.failure) throw this.failure;
      const now = Date.now();
      if (now - this.lastScanMs >= this.options.scanIntervalMs) this.scan(false);
      const more = this.fill();
      const full = this.batch.length >= this.options.batchMaxRecords || this.batchBytes >= this.options.batchMaxBytes;
      const due = this.batch.length > 0 && Date.now() - this.batchStartedMs >= this.options.batchWaitMs;
      if (full || due) {
        await this.ship(signal);
        continue;
      }
      if (!more) {
        // Caught up: write the checkpoints shipping left pending, at the same pace as while busy.
        if (this.unsavedClocks.size > 0 && this.batch.length === 0 && Date.now() - this.lastSaveMs >= this.options.checkpointIntervalMs) {
          this.saveCheckpoints(true);
        }
        await sleep(this.batch.length > 0 ? Math.min(this.options.pollIntervalMs, this.options.batchWaitMs) : this.options.pollIntervalMs, signal);
      }
    }
    await Promise.all(this.sends);
  }

  /** Reads and takes records into the batch until it is full or every file is at its end; true if anything was read. */
  private fill(): boolean {
    let progressed = false;
    const order = [...this.files.values()].sort((a, b) => Number(b.rotated) - Number(a.rotated));
    for (let round = true; round; ) {
      round = false;
      for (const file of order) {
        if (this.isFull()) return true;
        if (file.queued === 0) {
          if (file.read() > 0) {
            progressed = round = true;
          } else if (Date.now() - file.lastDataMs >= this.options.multilineIdleMs) {
            file.flushIdle();
          }
        }
        if (file.queued === 0) continue;
        while (file.queued > 0 && !this.isFull()) this.take(file);
        // Its queue ran dry with room left in the batch: another round reads its next chunk
        // (ending here slept a poll interval at every chunk boundary, ~40% of the time at full speed).
        if (file.queued === 0) round = true;
      }
    }
    return progressed;
  }

  private isFull(): boolean {
    return this.batch.length >= this.options.batchMaxRecords || this.batchBytes >= this.options.batchMaxBytes;
  }

  private take(file: TailedFile): void {
    const raw = file.takeNext()!;
    const cp = file.checkpoint;
    const { record, parsed } = buildRecord(this.contexts[file.sourceIndex], raw.text, cp.originPath, path.basename(cp.originPath), raw.offset);
    this.stats.recordsRead++;
    if (!parsed) this.stats.unparsed++;
    if (record.timeUs === 0) {
      record.timeUs = record.observedTimeUs = file.timeCursorUs || file.clockUs;
    } else {
      file.timeCursorUs = record.timeUs;
    }
    if (this.batch.length === 0) this.batchStartedMs = Date.now();
    this.batch.push(record);
    const mark = this.batchMarks[this.batchMarks.length - 1];
    if (mark && mark.file === file && mark.generation === raw.generation) {
      mark.end = raw.end;
      mark.records++;
    } else {
      this.batchMarks.push({ file, generation: raw.generation, end: raw.end, records: 1 });
    }
    this.batchBytes += raw.text.length + 64;
    file.inFlight++;
  }

  /**
   * Once fewer than `maxInFlightRequests` batches are sent and uncommitted,
   * closes the current batch and starts encoding and sending it; the next
   * batch is read while earlier ones are compressed and on the wire.
   */
  private async ship(signal: AbortSignal): Promise<void> {
    // A full window always holds an unanswered request (the oldest), unless stopping abandoned it.
    while (this.requests.full && this.sends.size > 0 && !this.halted) await Promise.race(this.sends);
    if (signal.aborted || this.halted || this.requests.full) return; // not sent: read again after a restart
    const records = this.batch;
    const marks = this.batchMarks;
    // Every line taken so far is in this batch: each file's time cursor belongs to its last line.
    const cursors = new Map<TailedFile, number>();
    for (const mark of marks) cursors.set(mark.file, mark.file.timeCursorUs);
    this.batch = [];
    this.batchMarks = [];
    this.batchBytes = 0;
    const ticket = this.requests.open({ marks, cursors });
    const send = this.send(ticket, records, signal).catch((err) => {
      this.failure ??= err as Error;
      this.halted = true;
    });
    this.sends.add(send);
    void send.then(() => this.sends.delete(send));
  }

  /** Encodes (gzip runs off the main thread while the next batch is read) and sends one batch; commits what its answer allows. */
  private async send(ticket: number, batch: LogRecord[], signal: AbortSignal): Promise<void> {
    const records = batch.length;
    const body = await this.sender.encode(batch);
    if (signal.aborted || this.halted) {
      this.halted = true; // stopping: this batch and any after it stay uncommitted
      return;
    }
    this.stats.requests++;
    const outcome = await this.sender.send(body, signal);
    if (outcome === undefined) {
      this.halted = true; // stopping: this batch and any after it stay uncommitted
      return;
    }
    this.stats.waitingSince = 0;
    if (outcome.ok) {
      this.stats.shipped += records;
    } else {
      this.stats.dropped += records;
      this.stats.lastError = outcome.reason;
      this.log(`chainscope ship: collector refused ${records} records for good (${outcome.reason}); moving on`);
    }
    for (const sent of this.requests.answered(ticket)) this.commit(sent);
    if (Date.now() - this.lastSaveMs >= this.options.checkpointIntervalMs) this.saveCheckpoints(true);
  }

  /** Moves the checkpoints past a batch the collector answered, after every batch sent before it. */
  private commit(sent: SentBatch): void {
    for (const mark of sent.marks) {
      mark.file.commit(mark.end, mark.generation);
      mark.file.inFlight -= mark.records;
    }
    for (const [file, cursor] of sent.cursors) this.unsavedClocks.set(file, cursor);
  }

  /**
   * Writes the checkpoints. The per-file clock (the time given to lines that
   * carry none) moves only here, so lines re-read after a crash get exactly
   * the time they were first sent with.
   */
  private saveCheckpoints(afterShipping = false): void {
    const now = Date.now();
    for (const [file, timeCursorUs] of this.unsavedClocks) {
      // Lines already taken and not yet committed used the current clock: keep it until they are.
      if (file.inFlight === 0) file.clockUs = now * 1000;
      file.checkpoint.clockUs = file.clockUs;
      file.checkpoint.lastTimeUs = timeCursorUs;
    }
    this.unsavedClocks.clear();
    for (const file of this.files.values()) file.checkpoint.updatedMs = now;
    this.store.save(this.checkpoints);
    // Only saves that record shipped lines pace the next one; scans and shutdown save whenever they need to.
    if (afterShipping) this.lastSaveMs = now;
  }

  /**
   * Expands the globs: opens new files (resuming from their checkpoint when
   * identity and fingerprint match), notices files renamed or deleted away
   * (read on to their end, then let go), truncated files (restart at 0), and
   * at start-up finds files rotated while the shipper was down.
   */
  private scan(initial: boolean): void {
    this.lastScanMs = Date.now();
    let dirty = initial;
    const seen = new Set<string>();
    this.options.sources.forEach((source, sourceIndex) => {
      for (const pattern of source.paths) {
        for (const file of expandGlob(pattern)) {
          let stat: fs.Stats;
          try {
            stat = fs.statSync(file);
          } catch {
            continue;
          }
          const key = identityKey(stat);
          if (seen.has(key)) continue;
          seen.add(key);
          const tracked = this.files.get(key);
          if (tracked) {
            if (tracked.path !== file || tracked.rotated) {
              tracked.path = file;
              tracked.checkpoint.path = file;
              tracked.rotated = false;
              dirty = true;
            }
            continue;
          }
          if (this.open(file, sourceIndex, false)) dirty = true;
        }
      }
    });
    for (const file of this.files.values()) {
      if (!seen.has(file.key) && !file.rotated) {
        file.rotated = true;
        file.lastDataMs = Date.now();
        this.log(`chainscope ship: ${file.path} was rotated or removed; reading it to its end`);
      }
    }
    if (initial) dirty = this.recoverRotatedWhileDown(seen) || dirty;
    const now = Date.now();
    for (const file of [...this.files.values()]) {
      if (file.rotated) {
        file.refreshSize();
        if (file.drained && now - file.lastDataMs >= this.options.rotatedIdleMs) {
          this.stats.linesRead += file.linesRead;
          file.close();
          this.files.delete(file.key);
          dirty = true;
        }
      } else if (file.detectTruncation()) {
        this.log(`chainscope ship: ${file.path} was truncated; reading it again from the start`);
        dirty = true;
      }
    }
    for (const [key, cp] of Object.entries(this.checkpoints)) {
      if (!this.files.has(key) && now - cp.updatedMs > this.options.forgetAfterMs) {
        delete this.checkpoints[key];
        dirty = true;
      }
    }
    if (dirty) this.saveCheckpoints();
  }

  /** Opens a file and starts following it; returns false when it vanished meanwhile. */
  private open(file: string, sourceIndex: number, rotated: boolean, expectedKey?: string): boolean {
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch {
      return false;
    }
    const stat = fs.fstatSync(fd);
    const key = identityKey(stat);
    if ((expectedKey && key !== expectedKey) || this.files.has(key)) {
      fs.closeSync(fd);
      return false;
    }
    let cp = this.checkpoints[key];
    const matches = cp && cp.offset <= stat.size && (cp.fingerprintBytes === 0 || fingerprintOf(fd, cp.fingerprintBytes) === cp.fingerprint);
    if (!matches) {
      if (cp) this.log(`chainscope ship: ${file} reuses the identity of a file shipped before but its content differs; reading it from the start`);
      cp = { originPath: file, path: file, offset: 0, fingerprint: '', fingerprintBytes: 0, lastTimeUs: 0, clockUs: Date.now() * 1000, truncations: 0, updatedMs: Date.now() };
      this.checkpoints[key] = cp;
    }
    cp.path = file;
    const tailed = new TailedFile(key, file, sourceIndex, fd, cp, {
      chunkBytes: this.options.chunkBytes,
      maxLineBytes: this.options.maxLineBytes,
      multiline: this.options.sources[sourceIndex].multiline,
    });
    tailed.rotated = rotated;
    this.files.set(key, tailed);
    return true;
  }

  /** Checkpointed files no glob matches any more: if renamed within their folder while we were down, read them to their end. */
  private recoverRotatedWhileDown(seen: Set<string>): boolean {
    let found = false;
    const byDir = new Map<string, string[]>();
    for (const [key, cp] of Object.entries(this.checkpoints)) {
      if (seen.has(key) || this.files.has(key)) continue;
      const dir = path.dirname(cp.path);
      byDir.set(dir, [...(byDir.get(dir) ?? []), key]);
    }
    for (const [dir, keys] of byDir) {
      let names: string[];
      try {
        names = fs.readdirSync(dir);
      } catch {
        continue;
      }
      const wanted = new Set(keys);
      for (const name of names) {
        const full = path.join(dir, name);
        let stat: fs.Stats;
        try {
          stat = fs.statSync(full);
        } catch {
          continue;
        }
        const key = identityKey(stat);
        if (!stat.isFile() || !wanted.has(key)) continue;
        const cp = this.checkpoints[key];
        if (stat.size <= cp.offset) continue;
        const lastPath = cp.path;
        const sourceIndex = this.sourceOf(cp.originPath);
        if (this.open(full, sourceIndex, true, key)) {
          found = true;
          this.log(`chainscope ship: ${lastPath} was rotated to ${full} while stopped; reading it to its end`);
        }
      }
    }
    return found;
  }

  private sourceOf(originPath: string): number {
    const index = this.options.sources.findIndex((s) => s.paths.some((p) => expandGlob(p).includes(originPath)));
    return index === -1 ? 0 : index;
  }
}

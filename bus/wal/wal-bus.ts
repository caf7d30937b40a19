import fs from 'node:fs';
import path from 'node:path';
import type { BatchHandler, Bus, BusMessage, Subscription } from '../../core/contracts/bus';
import { BackendUnavailableError, ChainscopeError, ValidationError } from '../../core/errors';
import { RateLimitedLog } from '../../core/util/rate-limited-log';
import { drainUnlessStuck, type FailingConsumer, type LocalBusStatus } from '../consumer-failures';
import { DirLock } from './dir-lock';
import { GroupReader } from './group-reader';
import { TopicLog, type TopicLogStats, type WalSync } from './topic-log';

export interface WalBusOptions {
  /** The WAL's folder; one sub-folder per topic. */
  dir: string;
  /** Bytes per topic not yet handled by its consumers (or kept at all, for a topic nobody consumes) before publish answers OverloadedError. */
  maxBytes: number;
  /** Size at which a segment file is closed and the next begun. Default 64 MiB (at most maxBytes / 4). */
  segmentBytes?: number;
  /**
   * How an append is made durable before publish resolves: `fdatasync`
   * (default), `fsync` (also the file's metadata), or `none` (survives kill -9
   * through the page cache, not a power loss).
   */
  sync?: WalSync;
  /** Extra wait before each write + sync so more publishes share it. Default 0: publishes arriving during a sync share the next one. */
  groupCommitDelayMs?: number;
  /** Newest records kept in memory per topic for consumers that keep up. Default 16 MiB. */
  cacheBytes?: number;
  /** Messages handed to a handler at once, at most. Default 64. */
  maxBatchMessages?: number;
  /** Payload bytes handed to a handler at once, at most (a single larger message still goes alone). Default 8 MiB. */
  maxBatchBytes?: number;
  /**
   * Batches a group hands its handler before the oldest resolved. Default 1;
   * the all-in-one uses one per ingest thread, so one thread decodes while the
   * other writes. Positions still move only past batches handled in order.
   */
  maxInFlightBatches?: number;
  /** How often a group's advanced position is saved (losing one only replays records). Default 200 ms. */
  positionFlushMs?: number;
  /** How long shutdown() lets consumers catch up. Default 5 s: what is left is on disk and comes back at the next start. */
  drainTimeoutMs?: number;
  /** During shutdown, give up the drain early once every failing consumer has failed this long. Default 2 s. */
  drainGiveUpAfterFailingMs?: number;
  /** Backoff between redeliveries of a failed batch: base and cap. Default 50 ms / 5 s. */
  retryBaseMs?: number;
  retryCapMs?: number;
  log?: (line: string) => void;
}

/** What the WAL did, per topic (for /metrics and the bench). */
export interface WalBusStats {
  topics: Record<string, TopicLogStats & { diskBytes: number; unconsumedBytes: number }>;
}

const DEFAULTS = {
  segmentBytes: 64 * 1024 * 1024,
  sync: 'fdatasync' as WalSync,
  groupCommitDelayMs: 0,
  cacheBytes: 16 * 1024 * 1024,
  maxBatchMessages: 64,
  maxBatchBytes: 8 * 1024 * 1024,
  maxInFlightBatches: 1,
  positionFlushMs: 200,
  drainTimeoutMs: 5_000,
  drainGiveUpAfterFailingMs: 2_000,
  retryBaseMs: 50,
  retryCapMs: 5_000,
};

/** A topic is a folder name: no separators, no dot-only names, bounded. */
const TOPIC_NAME = /^(?!\.{1,2}$)[A-Za-z0-9._-]{1,200}$/;

/**
 * The all-in-one's durable bus: a write-ahead log on local disk. publish()
 * resolves only once the records are written and synced (group commit), so
 * what the receiver acknowledged survives kill -9 and power loss; consumer
 * groups read from their saved positions, at least once, in order; segments
 * every group has read are deleted. Bounded per topic (OverloadedError when
 * full); a full disk rejects with BackendUnavailableError instead of
 * acknowledging. Unlike the memory bus it keeps accepting while a consumer
 * fails, as long as there is room: the data is on disk. See docs/wal.md.
 */
export class WalBus implements Bus {
  private readonly settings: typeof DEFAULTS & { maxBytes: number };
  private readonly warn: RateLimitedLog;
  private readonly lock: DirLock;
  private readonly logs = new Map<string, TopicLog>();
  private readonly readers = new Set<GroupReader>();
  /** Topics whose latest append failed (disk full, I/O error), until one succeeds again. */
  private readonly appendFailures = new Map<string, { reason: string; sinceMs: number }>();
  private started = false;
  /** Set once the drain is over: publishes are refused from then on. */
  private stopped = false;
  private shutdownPromise: Promise<void> | null = null;

  constructor(private readonly options: WalBusOptions) {
    if (!(options.maxBytes > 0)) throw new ValidationError('WAL maxBytes must be positive', 'maxBytes');
    const inFlight = options.maxInFlightBatches;
    if (inFlight !== undefined && !(Number.isInteger(inFlight) && inFlight >= 1 && inFlight <= 16)) {
      throw new ValidationError('WAL maxInFlightBatches must be an integer from 1 to 16', 'maxInFlightBatches');
    }
    const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
    const settings = { ...DEFAULTS, ...defined } as typeof DEFAULTS & { maxBytes: number };
    // a topic nobody reads is bounded by dropping whole segments: keep several within maxBytes
    settings.segmentBytes = Math.max(4096, Math.min(settings.segmentBytes, Math.floor(options.maxBytes / 4)));
    this.settings = settings;
    this.warn = new RateLimitedLog(options.log);
    this.lock = new DirLock(options.dir);
  }

  /** Takes the folder and recovers every topic found in it (cutting torn tails), so problems show at start. */
  async start(): Promise<void> {
    if (this.started) return;
    fs.mkdirSync(this.options.dir, { recursive: true });
    this.lock.acquire();
    this.started = true;
    for (const entry of fs.readdirSync(this.options.dir, { withFileTypes: true })) {
      if (entry.isDirectory() && TOPIC_NAME.test(entry.name)) this.topicLog(entry.name);
    }
  }

  private topicLog(topic: string): TopicLog {
    let log = this.logs.get(topic);
    if (!log) {
      if (!TOPIC_NAME.test(topic)) throw new ValidationError(`topic name ${JSON.stringify(topic.slice(0, 64))} is not usable as a WAL folder (letters, digits, . _ -)`, 'topic');
      log = new TopicLog(topic, path.join(this.options.dir, topic), { ...this.settings, warn: this.warn });
      this.logs.set(topic, log);
    }
    return log;
  }

  private ensureOpen(): void {
    if (this.stopped) throw new ChainscopeError('bus is shut down', true);
    if (!this.started) throw new ChainscopeError('WAL bus not started', true);
  }

  async publish(topic: string, messages: BusMessage[]): Promise<void> {
    this.ensureOpen();
    if (messages.length === 0) return;
    try {
      await this.topicLog(topic).append(messages);
      this.appendFailures.delete(topic);
    } catch (err) {
      if (err instanceof BackendUnavailableError) {
        this.appendFailures.set(topic, { reason: err.message, sinceMs: this.appendFailures.get(topic)?.sinceMs ?? Date.now() });
      }
      throw err;
    }
  }

  /** Topics whose latest append failed for want of disk (or an I/O error): nothing is acknowledged there until one succeeds. */
  failingAppends(): { topic: string; reason: string; sinceMs: number }[] {
    return [...this.appendFailures].map(([topic, f]) => ({ topic, ...f }));
  }

  async subscribe(topic: string, group: string, handler: BatchHandler): Promise<Subscription> {
    this.ensureOpen();
    const log = this.topicLog(topic);
    const reader = new GroupReader(topic, group, log, handler, this.settings, (err) =>
      this.warn.warn(`${topic}/${group}`, `bus: handler for ${topic}/${group} failed, retrying: ${(err as Error)?.message ?? err}`),
    );
    this.readers.add(reader);
    reader.start();
    let closing: Promise<void> | null = null;
    return {
      close: () =>
        (closing ??= (async () => {
          this.readers.delete(reader);
          await reader.stop();
          await log.flushPositions();
        })()),
    };
  }

  /** Consumer groups whose latest attempt failed. Publishing goes on while the log has room. */
  failingConsumers(): FailingConsumer[] {
    const out: FailingConsumer[] = [];
    for (const r of this.readers) if (r.failure) out.push({ topic: r.topic, group: r.group, ...r.failure });
    return out;
  }

  /** Bytes not yet handled per consumed topic, and failing consumers (the memory bus's shape). */
  status(): LocalBusStatus {
    const queuedBytes: Record<string, number> = {};
    for (const [topic, log] of this.logs) if (log.hasLiveGroups()) queuedBytes[topic] = log.unconsumedBytes();
    return { queuedBytes, failing: this.failingConsumers() };
  }

  stats(): WalBusStats {
    const topics: WalBusStats['topics'] = {};
    for (const [topic, log] of this.logs) topics[topic] = { ...log.stats, diskBytes: log.diskBytes(), unconsumedBytes: log.unconsumedBytes() };
    return { topics };
  }

  /** True when every subscribed group has handled every synced record. */
  drained(): boolean {
    for (const r of this.readers) if (!r.caughtUp) return false;
    return true;
  }

  /**
   * Lets consumers catch up for a while (handlers may still publish, e.g. to
   * a dead-letter topic), then refuses publishes, stops every group after its
   * batch in flight, saves positions and closes the files. Whatever was not
   * handled is on disk and delivered at the next start. Idempotent.
   */
  shutdown(): Promise<void> {
    this.shutdownPromise ??= this.doShutdown();
    return this.shutdownPromise;
  }

  private async doShutdown(): Promise<void> {
    if (!this.started) {
      this.stopped = true;
      return;
    }
    const deadline = Date.now() + this.settings.drainTimeoutMs;
    await drainUnlessStuck(() => this.drained(), () => this.failingConsumers(), deadline, this.settings.drainGiveUpAfterFailingMs);
    this.stopped = true;
    const readers = [...this.readers];
    this.readers.clear();
    await Promise.all(readers.map((r) => r.stop()));
    await Promise.all([...this.logs.values()].map((log) => log.close()));
    this.lock.release();
  }
}

import {
  CompressionTypes,
  Kafka,
  PartitionAssigners,
  Partitioners,
  logLevel,
  type Admin,
  type Batch,
  type Consumer,
  type EachBatchPayload,
  type ISocketFactory,
  type Producer,
} from 'kafkajs';
import { deadLetterTopic, type BatchHandler, type Bus, type BusMessage, type Subscription } from '../../core/contracts/bus';
import { ChainscopeError } from '../../core/errors';
import { backoffDelayMs, sleep } from '../../core/util/backoff';
import { RateLimitedLog } from '../../core/util/rate-limited-log';
import { subscriptionAwareRoundRobin } from './assigner';
import { isRebalanceError, toBusError, withDeadline } from './errors';
import { kafkaLogCreator } from './kafka-log';
import { chunks, fromKafkaMessage, nextOffset, toKafkaMessage } from './messages';

export interface KafkaBusOptions {
  /** Bootstrap brokers, `host:port`. */
  brokers: string[];
  clientId?: string;
  /** Producer batch compression. kafkajs has gzip built in; lz4/snappy/zstd need extra packages. */
  compression?: 'gzip' | 'none';
  /** Messages handed to a handler at once, at most (a fetched batch is split). Default 500. */
  maxBatchMessages?: number;
  /**
   * Bound on one publish (topic check + connect + acks=all send) and on each
   * Kafka request. Past it, publish rejects with BackendUnavailableError.
   * Default 5000.
   */
  requestTimeoutMs?: number;
  /** Partitions of topics this bus creates (missing topics only). Default 4. */
  numPartitions?: number;
  /** Replication factor of topics this bus creates. Default 1. */
  replicationFactor?: number;
  /** Consumer session timeout: how long the group waits for a silent member. Default 30000. */
  sessionTimeoutMs?: number;
  /** How often a consumer heartbeats, also while a handler runs. Default 3000. */
  heartbeatIntervalMs?: number;
  /** subscribe() rejects with BackendUnavailableError if the consumer has not joined its group by then. Default 30000. */
  joinTimeoutMs?: number;
  /** Backoff between redeliveries of a batch whose handler failed: full jitter, base and cap. Default 200 ms / 10 s. */
  handlerRetryBaseMs?: number;
  handlerRetryCapMs?: number;
  /** Bytes fetched per partition at once (the batch a handler gets grows with it). Default 16 MiB. */
  maxFetchBytesPerPartition?: number;
  /** Partitions whose batches are handled at the same time by one consumer. Default 2. */
  partitionsConsumedConcurrently?: number;
  /** Largest record the brokers accept, reported in PayloadTooLargeError. Default Kafka's 1048588. */
  maxMessageBytes?: number;
  /** Where warnings go (rate-limited). Default console.warn. */
  log?: (line: string) => void;
  /** Opens the TCP connections (kafkajs `socketFactory`): for TLS proxies or to simulate outages in tests. */
  socketFactory?: ISocketFactory;
}

const DEFAULTS = {
  clientId: 'chainscope',
  compression: 'gzip' as const,
  maxBatchMessages: 500,
  requestTimeoutMs: 5_000,
  numPartitions: 4,
  replicationFactor: 1,
  sessionTimeoutMs: 30_000,
  heartbeatIntervalMs: 3_000,
  joinTimeoutMs: 30_000,
  handlerRetryBaseMs: 200,
  handlerRetryCapMs: 10_000,
  maxFetchBytesPerPartition: 16 * 1024 * 1024,
  partitionsConsumedConcurrently: 2,
};

type Settings = typeof DEFAULTS & Pick<KafkaBusOptions, 'maxMessageBytes'>;


/** One producer generation: replaced after a failed send so the next publish starts on fresh connections. */
interface ProducerSlot {
  producer: Producer;
  ready: Promise<void>;
  inflight: number;
  retired: boolean;
}

/**
 * The bus of the distributed deployment, on Kafka through kafkajs.
 *
 * publish: idempotent producer, acks=all, gzip batches; resolves after the
 * brokers acknowledged, rejects within `requestTimeoutMs` with
 * BackendUnavailableError when Kafka is unreachable (the collector answers
 * 503 + Retry-After), and the next publish reconnects.
 *
 * subscribe: one kafkajs consumer per (topic, group), starting from the
 * earliest offset for a new group. A batch's offset is committed only after
 * the handler resolved; a rejected handler gets the same messages again after
 * a jittered backoff, while the consumer keeps heartbeating, so a slow or
 * failing store never costs the group membership. Never crashes the process:
 * kafkajs crashes are logged (rate-limited) and the consumer restarts.
 */
export class KafkaBus implements Bus {
  private readonly kafka: Kafka;
  private readonly settings: Settings;
  private readonly warn: RateLimitedLog;
  private slot: ProducerSlot | null = null;
  /** Every producer not yet disconnected: the current one and retired ones with sends still running. */
  private readonly slots = new Set<ProducerSlot>();
  private admin: { client: Admin; ready: Promise<void> } | null = null;
  private readonly topicsReady = new Map<string, Promise<void>>();
  private readonly subscriptions = new Set<KafkaSubscription>();
  private stopped = false;
  private shutdownPromise: Promise<void> | null = null;

  constructor(options: KafkaBusOptions) {
    if (options.brokers.length === 0) throw new ChainscopeError('kafka: no brokers configured');
    const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
    this.settings = { ...DEFAULTS, ...defined } as Settings;
    this.warn = new RateLimitedLog(options.log);
    this.kafka = new Kafka({
      clientId: this.settings.clientId,
      brokers: options.brokers,
      connectionTimeout: Math.min(3_000, this.settings.requestTimeoutMs),
      requestTimeout: this.settings.requestTimeoutMs,
      logLevel: logLevel.WARN,
      logCreator: kafkaLogCreator(this.warn),
      socketFactory: options.socketFactory,
      // Short, bounded retries: a publish must answer within requestTimeoutMs.
      retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1_000 },
    });
  }

  /** Connects the producer. Never rejects: with Kafka down the bus starts anyway and publish answers 503 until it is back. */
  async start(): Promise<void> {
    const slot = this.producerSlot();
    try {
      await withDeadline(slot.ready, this.settings.requestTimeoutMs, 'connect');
    } catch (err) {
      this.warn.warn('start', `kafka: not reachable at start (${(err as Error).message}); publishing will answer 503 until it is`);
    }
  }

  async publish(topic: string, messages: BusMessage[]): Promise<void> {
    if (this.stopped) throw new ChainscopeError('bus is shut down', true);
    if (messages.length === 0) return;
    const slot = this.producerSlot();
    const send = (async () => {
      await this.ensureTopic(topic);
      await slot.ready;
      await slot.producer.send({
        topic,
        acks: -1,
        timeout: this.settings.requestTimeoutMs,
        compression: this.settings.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None,
        messages: messages.map(toKafkaMessage),
      });
    })();
    // Count the send until kafkajs has really finished with it, not until our deadline: a producer
    // disconnected under a running send is reconnected by that send's retries and never closed.
    slot.inflight++;
    send
      .finally(() => {
        slot.inflight--;
        if (slot.retired && slot.inflight === 0) this.disconnectQuietly(slot);
      })
      .catch(() => undefined);
    try {
      await withDeadline(send, this.settings.requestTimeoutMs, `publish to ${topic}`);
    } catch (err) {
      const mapped = toBusError(err, `publish to ${topic}`, this.settings.maxMessageBytes);
      if (mapped.retriable) {
        // Kafka trouble: the next publish (and topic check) starts on fresh connections.
        this.retire(slot);
        this.retireAdmin();
      }
      this.warn.warn(`publish:${topic}`, mapped.message);
      throw mapped;
    }
  }

  async subscribe(topic: string, group: string, handler: BatchHandler): Promise<KafkaSubscription> {
    if (this.stopped) throw new ChainscopeError('bus is shut down', true);
    try {
      await withDeadline(this.ensureTopic(topic), this.settings.joinTimeoutMs, `create topic ${topic}`);
      if (!topic.endsWith('_dlq')) {
        await withDeadline(this.ensureTopic(deadLetterTopic(topic)), this.settings.joinTimeoutMs, `create topic ${deadLetterTopic(topic)}`);
      }
    } catch (err) {
      throw toBusError(err, `subscribe to ${topic}`);
    }
    const subscription = new KafkaSubscription(this.kafka, topic, group, handler, this.settings, this.warn, () =>
      this.subscriptions.delete(subscription),
    );
    this.subscriptions.add(subscription);
    try {
      await subscription.start();
    } catch (err) {
      await subscription.close();
      throw err;
    }
    return subscription;
  }

  /**
   * Stops consumers (each after its batch in flight; uncommitted work is
   * redelivered to the group later), waits for publishes in flight, then
   * disconnects. Messages on Kafka are durable, so there is nothing to drain.
   */
  shutdown(): Promise<void> {
    this.shutdownPromise ??= this.doShutdown();
    return this.shutdownPromise;
  }

  private async doShutdown(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    const deadline = Date.now() + this.settings.requestTimeoutMs;
    for (const slot of [...this.slots]) this.retire(slot);
    // Retired producers disconnect once their sends settle; wait for that, bounded.
    while (this.slots.size > 0 && Date.now() < deadline) await sleep(10);
    await Promise.all([...this.slots].map((slot) => slot.producer.disconnect().catch(() => undefined)));
    this.retireAdmin();
  }

  private producerSlot(): ProducerSlot {
    if (this.slot && !this.slot.retired) return this.slot;
    const producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
      retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1_000 },
    });
    const slot: ProducerSlot = { producer, ready: producer.connect(), inflight: 0, retired: false };
    this.slots.add(slot);
    // A failed connect is answered through publish(); here it only retires the slot.
    slot.ready.catch(() => this.retire(slot));
    this.slot = slot;
    return slot;
  }

  /** The next publish gets a new producer (fresh connections and idempotence state); this one goes once idle. */
  private retire(slot: ProducerSlot): void {
    if (slot.retired) return;
    slot.retired = true;
    if (this.slot === slot) this.slot = null;
    if (slot.inflight === 0) this.disconnectQuietly(slot);
  }

  private disconnectQuietly(slot: ProducerSlot): void {
    this.slots.delete(slot);
    slot.producer.disconnect().catch(() => undefined);
  }

  private adminClient(): { client: Admin; ready: Promise<void> } {
    if (this.admin) return this.admin;
    const client = this.kafka.admin();
    const admin = { client, ready: client.connect() };
    admin.ready.catch(() => {
      if (this.admin === admin) this.admin = null;
      client.disconnect().catch(() => undefined);
    });
    this.admin = admin;
    return admin;
  }

  /** After a failed admin request start over with fresh connections (a half-open socket otherwise only times out). */
  private retireAdmin(): void {
    const admin = this.admin;
    this.admin = null;
    admin?.client.disconnect().catch(() => undefined);
  }

  /** Creates the topic if it is missing (once per bus; a failure is tried again next time). */
  private ensureTopic(topic: string): Promise<void> {
    let ready = this.topicsReady.get(topic);
    if (!ready) {
      ready = (async () => {
        const admin = this.adminClient();
        await admin.ready;
        // A topic another process is creating at the same moment can answer "does not host this
        // topic-partition" until its leaders are known everywhere (seen on a busy box): try again
        // while that is all it is, within the join deadline the caller puts around this.
        const deadline = Date.now() + this.settings.joinTimeoutMs;
        for (let attempt = 0; ; attempt++) {
          try {
            await admin.client.createTopics({
              topics: [{ topic, numPartitions: this.settings.numPartitions, replicationFactor: this.settings.replicationFactor }],
              waitForLeaders: true,
              timeout: this.settings.requestTimeoutMs,
            });
            return;
          } catch (err) {
            if (!(err as { retriable?: boolean }).retriable || Date.now() > deadline) throw err;
            await sleep(backoffDelayMs(attempt, 100, 2_000));
          }
        }
      })();
      ready.catch(() => {
        this.topicsReady.delete(topic);
        this.retireAdmin();
      });
      this.topicsReady.set(topic, ready);
    }
    return ready;
  }
}

/**
 * One kafkajs consumer in one group on one topic. See KafkaBus for the
 * delivery semantics.
 */
export class KafkaSubscription implements Subscription {
  private consumer: Consumer | null = null;
  private readonly stopController = new AbortController();
  private closePromise: Promise<void> | null = null;
  private assignment: number[] = [];
  private restartAttempt = 0;
  /** Batches handed back for redelivery because the handler rejected. */
  handlerFailures = 0;
  /** Times the consumer joined its group (1 + rebalances). */
  joins = 0;

  constructor(
    private readonly kafka: Kafka,
    readonly topic: string,
    readonly group: string,
    private readonly handler: BatchHandler,
    private readonly settings: Settings,
    private readonly warn: RateLimitedLog,
    private readonly onClosed: () => void,
  ) {}

  /** Partitions of the topic this member holds since its last join. */
  assignedPartitions(): number[] {
    return [...this.assignment];
  }

  /** Resolves once the consumer joined its group; rejects with BackendUnavailableError if it cannot within joinTimeoutMs. */
  async start(): Promise<void> {
    const joined = this.launch();
    try {
      await withDeadline(joined, this.settings.joinTimeoutMs, `join group ${this.group} on ${this.topic}`);
    } catch (err) {
      throw toBusError(err, `subscribe to ${this.topic} in group ${this.group}`);
    }
  }

  /** Stops delivery after the batch in flight; its uncommitted messages go to whichever member gets the partition. */
  close(): Promise<void> {
    this.closePromise ??= (async () => {
      this.stopController.abort();
      const consumer = this.consumer;
      this.consumer = null;
      if (consumer) await consumer.disconnect().catch(() => undefined);
      this.assignment = [];
      this.onClosed();
    })();
    return this.closePromise;
  }

  private get closing(): boolean {
    return this.stopController.signal.aborted;
  }

  /** Creates and runs a consumer; the promise settles on its first join (or a failure before it). */
  private launch(): Promise<void> {
    const { settings } = this;
    const consumer = this.kafka.consumer({
      groupId: this.group,
      sessionTimeout: settings.sessionTimeoutMs,
      heartbeatInterval: settings.heartbeatIntervalMs,
      rebalanceTimeout: Math.max(60_000, settings.sessionTimeoutMs),
      allowAutoTopicCreation: false,
      // Short long-polls: kafkajs heartbeats between fetches, so a member notices a rebalance (and a
      // closing member finishes) within about this long instead of the 5 s default.
      maxWaitTimeInMs: 1_000,
      // Large fetches make large store writes: one ~1 MB message per partition per fetch (kafkajs'
      // default) meant a ClickHouse insert per 2,000 spans, and the round trips capped ingest.
      maxBytesPerPartition: settings.maxFetchBytesPerPartition,
      maxBytes: settings.maxFetchBytesPerPartition * 4,
      // One group holds consumers of different topics (ingest: spans and logs). kafkajs'
      // round robin stays second so a group with workers of an older version can still form.
      partitionAssigners: [subscriptionAwareRoundRobin, PartitionAssigners.roundRobin],
      retry: {
        retries: 5,
        initialRetryTime: 300,
        maxRetryTime: 10_000,
        // kafkajs asks only for retriable failures; always restart, the crash is logged below.
        restartOnFailure: async () => !this.closing,
      },
    });
    this.consumer = consumer;
    let settle: { resolve: () => void; reject: (err: unknown) => void } | null = null;
    const joined = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    joined.catch(() => undefined);

    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.joins++;
      this.restartAttempt = 0;
      this.assignment = [...(payload.memberAssignment[this.topic] ?? [])].sort((a, b) => a - b);
      settle?.resolve();
      settle = null;
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      const { error, restart } = payload;
      this.warn.warn(
        `crash:${this.topic}/${this.group}`,
        `kafka: consumer ${this.topic}/${this.group} crashed (${error.name}: ${error.message}); ${restart ? 'kafkajs restarts it' : 'restarting it'}`,
      );
      if (!restart && !this.closing) {
        if (settle) {
          settle.reject(error);
          settle = null;
        } else {
          void this.restartAfterFatal(consumer);
        }
      }
    });

    (async () => {
      await consumer.connect();
      await consumer.subscribe({ topics: [this.topic], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        // Batches of different partitions in flight together: decoding one overlaps the store write of another.
        partitionsConsumedConcurrently: settings.partitionsConsumedConcurrently,
        eachBatch: (payload) => this.eachBatch(payload),
      });
    })().catch((err) => {
      settle?.reject(err);
      settle = null;
    });
    return joined;
  }

  /** A crash kafkajs does not restart from (non-retriable): start a fresh consumer after a backoff. */
  private async restartAfterFatal(old: Consumer): Promise<void> {
    await old.disconnect().catch(() => undefined);
    await sleep(backoffDelayMs(this.restartAttempt++, 1_000, 30_000) + 500, this.stopController.signal);
    if (this.closing || this.consumer !== old) return;
    this.launch().catch((err) => {
      this.warn.warn(`restart:${this.topic}/${this.group}`, `kafka: consumer ${this.topic}/${this.group} restart failed: ${(err as Error).message}`);
    });
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, commitOffsetsIfNecessary } = payload;
    for (const piece of chunks(batch.messages, this.settings.maxBatchMessages)) {
      const outcome = await this.deliver(batch, piece.map(fromKafkaMessage), payload);
      // Closing or the partition moved on: leave the offsets alone, the group redelivers from the last commit.
      if (!outcome.handled) return;
      const last = piece[piece.length - 1].offset;
      // Commit first, resolve after: if the commit fails, kafkajs fetches these messages again.
      await commitOffsetsIfNecessary({
        topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: nextOffset(last) }] }],
      });
      resolveOffset(last);
      // The group started rebalancing while the handler ran: hand kafkajs the error so it re-joins.
      if (outcome.rebalance) throw outcome.rebalance;
      await payload.heartbeat();
    }
  }

  /**
   * Calls the handler until it resolves (handled) or delivery should stop
   * (not handled). Heartbeats while the handler runs and while backing off.
   * A rebalance seen by a heartbeat is reported once the handler has settled:
   * after a success the caller commits first and then throws it so kafkajs
   * re-joins; after a failure it is thrown at once.
   */
  private async deliver(batch: Batch, messages: BusMessage[], payload: EachBatchPayload): Promise<{ handled: boolean; rebalance?: unknown }> {
    let attempt = 0;
    for (;;) {
      if (this.closing || !payload.isRunning() || payload.isStale()) return { handled: false };
      const pending = { rebalance: null as unknown };
      const beat = () => {
        payload.heartbeat().catch((err) => {
          if (isRebalanceError(err)) pending.rebalance ??= err;
          else this.warn.warn(`heartbeat:${this.topic}/${this.group}`, `kafka: heartbeat for ${this.topic}/${this.group} failed: ${(err as Error).message}`);
        });
      };
      const timer = setInterval(beat, this.settings.heartbeatIntervalMs);
      timer.unref();
      let failure: unknown = null;
      try {
        await this.handler(messages);
      } catch (err) {
        failure = err ?? new Error('handler rejected');
      } finally {
        clearInterval(timer);
      }
      if (failure === null) return { handled: true, rebalance: pending.rebalance ?? undefined };
      if (pending.rebalance) throw pending.rebalance;
      this.handlerFailures++;
      const delay = backoffDelayMs(attempt++, this.settings.handlerRetryBaseMs, this.settings.handlerRetryCapMs);
      this.warn.warn(
        `handler:${this.topic}/${this.group}`,
        `kafka: handler for ${this.topic}/${this.group} failed on partition ${batch.partition} (${messages.length} message(s)), redelivering in ${Math.round(delay)} ms: ${(failure as Error)?.message ?? failure}`,
      );
      await this.backoff(delay, payload);
    }
  }

  /** Sleeps `ms`, heartbeating on the way; a rebalance ends the wait by throwing it to kafkajs. */
  private async backoff(ms: number, payload: EachBatchPayload): Promise<void> {
    const until = Date.now() + ms;
    while (!this.closing && Date.now() < until) {
      await sleep(Math.min(this.settings.heartbeatIntervalMs, until - Date.now()), this.stopController.signal);
      try {
        await payload.heartbeat();
      } catch (err) {
        if (isRebalanceError(err)) throw err;
      }
    }
  }
}

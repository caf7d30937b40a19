import dgram from 'node:dgram';
import net from 'node:net';
import { isRetriable } from '../../core/errors';
import type { Counters } from '../../core/metrics';
import type { LogRecord } from '../../core/model';
import { RateLimitedLog } from '../../core/util/rate-limited-log';
import type { OtlpPublisher } from '../publisher';
import { SyslogFramer } from './framing';
import { isParseError, parseSyslog } from './parse';
import { syslogToLogRecord } from './to-log-record';
import { DEFAULT_TENANT } from '../../core/security/tenants';

export interface SyslogReceiverOptions {
  host: string;
  /** null: no TCP listener; 0: a free port. */
  tcpPort: number | null;
  /** null: no UDP listener; 0: a free port. */
  udpPort: number | null;
  maxMessageBytes: number;
  maxConnections: number;
  idleTimeoutMs: number;
  defaultService: string;
  /** SD param names copied to top-level attributes (the configured business keys). */
  promotedKeys?: readonly string[];
  publisher: OtlpPublisher;
  counters: Counters;
  log?: (line: string) => void;
  /** Records per publish, at most (default 1000). */
  maxBatchRecords?: number;
  /** A partial batch waits this long for more records (default 50 ms). */
  flushIntervalMs?: number;
  /** Parsed-but-unpublished records held at most: TCP reading pauses there, UDP drops (default 20,000). */
  maxPendingRecords?: number;
}

export const SYSLOG_COUNTERS = {
  chainscope_syslog_messages_received_total: 'Syslog messages received (TCP frames and UDP datagrams)',
  chainscope_syslog_messages_malformed_total: 'Syslog messages that could not be parsed (dropped)',
  chainscope_syslog_messages_oversized_total: 'Syslog messages over SYSLOG_MAX_MESSAGE_BYTES (dropped)',
  chainscope_syslog_messages_dropped_total: 'Syslog UDP messages dropped because the pipeline was full, or records refused for good by the bus',
  chainscope_syslog_logs_published_total: 'Log records from syslog published on the bus',
  chainscope_syslog_connections_refused_total: 'Syslog TCP connections closed at once (SYSLOG_MAX_CONNECTIONS reached)',
  chainscope_syslog_connections_idle_closed_total: 'Syslog TCP connections closed after SYSLOG_IDLE_TIMEOUT_MS of silence',
  chainscope_syslog_publish_retries_total: 'Syslog batches retried after a retriable bus error',
} as const;

type CounterName = keyof typeof SYSLOG_COUNTERS;

/**
 * Syslog receiver: RFC 5424 and RFC 3164 over TCP (RFC 6587 octet counting or
 * newline framing) and UDP. Records are batched and published like OTLP logs.
 * When the bus is slow or full, TCP sockets stop being read (the senders'
 * buffers fill: back-pressure) and UDP datagrams are dropped and counted.
 */
export class SyslogReceiver {
  private tcp: net.Server | null = null;
  private udp: dgram.Socket | null = null;
  private readonly sockets = new Set<net.Socket>();
  private pending: LogRecord[] = [];
  private paused = false;
  private flushing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private backoffMs = 0;
  private stopping = false;
  private readonly warn: RateLimitedLog;
  private readonly maxBatch: number;
  private readonly flushIntervalMs: number;
  private readonly maxPending: number;

  constructor(private readonly options: SyslogReceiverOptions) {
    this.warn = new RateLimitedLog(options.log);
    this.maxBatch = options.maxBatchRecords ?? 1000;
    this.flushIntervalMs = options.flushIntervalMs ?? 50;
    this.maxPending = Math.max(options.maxPendingRecords ?? 20_000, this.maxBatch);
    for (const [name, help] of Object.entries(SYSLOG_COUNTERS)) options.counters.describe(name, help);
  }

  /** Starts the configured listeners; resolves with their ports (null when off). */
  async start(): Promise<{ tcpPort: number | null; udpPort: number | null }> {
    const { host, tcpPort, udpPort } = this.options;
    let tcp: number | null = null;
    let udp: number | null = null;
    if (tcpPort !== null) tcp = await this.startTcp(host, tcpPort);
    if (udpPort !== null) udp = await this.startUdp(host, udpPort);
    return { tcpPort: tcp, udpPort: udp };
  }

  /** Stops listening, closes connections (their complete messages kept), publishes what is pending (for a few seconds at most). */
  async shutdown(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const tcp = this.tcp;
    this.tcp = null;
    const closed = tcp ? new Promise<void>((resolve) => tcp.close(() => resolve())) : Promise.resolve();
    for (const socket of this.sockets) socket.end();
    const sockets = [...this.sockets];
    await Promise.race([
      Promise.all(sockets.map((s) => new Promise<void>((resolve) => (s.destroyed ? resolve() : s.once('close', () => resolve()))))),
      delay(1000),
    ]);
    for (const s of this.sockets) s.destroy();
    await closed;
    if (this.udp) {
      const udp = this.udp;
      this.udp = null;
      await new Promise<void>((resolve) => udp.close(() => resolve()));
    }
    const deadline = Date.now() + 5000;
    while (this.pending.length > 0 && Date.now() < deadline) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      await this.flush();
      if (this.pending.length > 0) await delay(Math.min(this.backoffMs || 50, 500));
    }
    if (this.pending.length > 0) {
      this.count('chainscope_syslog_messages_dropped_total', this.pending.length);
      this.warn.warn('shutdown', `syslog: ${this.pending.length} record(s) not published at shutdown (bus unavailable)`);
      this.pending = [];
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flushing;
  }

  private startTcp(host: string, port: number): Promise<number> {
    const server = net.createServer((socket) => this.accept(socket));
    server.maxConnections = this.options.maxConnections + 1; // our own check below counts and answers first
    this.tcp = server;
    return listenOn(server, host, port);
  }

  private startUdp(host: string, port: number): Promise<number> {
    const socket = dgram.createSocket({ type: net.isIPv6(host) ? 'udp6' : 'udp4' });
    this.udp = socket;
    socket.on('message', (msg, rinfo) => this.receive(msg, rinfo.address, 'udp'));
    socket.on('error', (err) => this.warn.warn('udp', `syslog: UDP socket error: ${err.message}`));
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, host, () => {
        socket.off('error', reject);
        try {
          socket.setRecvBufferSize(4 * 1024 * 1024);
        } catch {
          // the OS may cap it; the default buffer still works
        }
        resolve(socket.address().port);
      });
    });
  }

  private accept(socket: net.Socket): void {
    if (this.stopping || this.sockets.size >= this.options.maxConnections) {
      this.count('chainscope_syslog_connections_refused_total');
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    const framer = new SyslogFramer(this.options.maxMessageBytes);
    const peer = socket.remoteAddress ?? '';
    socket.setTimeout(this.options.idleTimeoutMs);
    if (this.paused) socket.pause();
    socket.on('data', (chunk: Buffer) => {
      const frames = framer.push(chunk);
      if (framer.oversized > 0) {
        this.count('chainscope_syslog_messages_received_total', framer.oversized);
        this.count('chainscope_syslog_messages_oversized_total', framer.oversized);
        framer.oversized = 0;
      }
      for (const frame of frames) this.receive(frame, peer, 'tcp');
      if (this.paused) socket.pause();
    });
    socket.on('end', () => {
      for (const frame of framer.end()) this.receive(frame, peer, 'tcp');
      socket.end();
    });
    socket.on('timeout', () => {
      // Paused by back-pressure is not idle.
      if (this.paused) return;
      this.count('chainscope_syslog_connections_idle_closed_total');
      socket.destroy();
    });
    socket.on('error', (err) => this.warn.warn('tcp', `syslog: connection from ${peer}: ${err.message}`));
    socket.on('close', () => this.sockets.delete(socket));
  }

  private receive(bytes: Buffer, peer: string, transport: 'tcp' | 'udp'): void {
    this.count('chainscope_syslog_messages_received_total');
    if (bytes.length > this.options.maxMessageBytes) {
      this.count('chainscope_syslog_messages_oversized_total');
      return;
    }
    if (transport === 'udp' && this.pending.length >= this.maxPending) {
      this.count('chainscope_syslog_messages_dropped_total');
      return;
    }
    const now = new Date();
    const parsed = parseSyslog(bytes.toString('utf8'), { now });
    if (isParseError(parsed)) {
      this.count('chainscope_syslog_messages_malformed_total');
      this.warn.warn('malformed', `syslog: malformed message from ${peer} (${transport}): ${parsed.error}`);
      return;
    }
    this.pending.push(
      syslogToLogRecord(parsed, {
        defaultService: this.options.defaultService,
        receivedUs: now.getTime() * 1000,
        promotedKeys: this.options.promotedKeys,
        peer,
        transport,
      }),
    );
    if (this.pending.length >= this.maxPending) this.pause();
    this.schedule();
  }

  private pause(): void {
    if (this.paused) return;
    this.paused = true;
    for (const s of this.sockets) s.pause();
  }

  private resume(): void {
    if (!this.paused) return;
    this.paused = false;
    for (const s of this.sockets) s.resume();
  }

  private schedule(): void {
    if (this.flushing || this.timer) return;
    const wait = this.backoffMs > 0 ? this.backoffMs : this.pending.length >= this.maxBatch ? 0 : this.flushIntervalMs;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, wait);
    this.timer.unref();
  }

  /** Publishes one batch; a retriable failure keeps it (backing off), a permanent one drops and counts it. */
  private flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (this.pending.length === 0) return Promise.resolve();
    const batch = this.pending.slice(0, this.maxBatch);
    const run = (async () => {
      try {
        // syslog has no credential: its lines are the default tenant's
        await this.options.publisher.publishLogs(DEFAULT_TENANT, batch);
        this.pending.splice(0, batch.length);
        this.backoffMs = 0;
        this.count('chainscope_syslog_logs_published_total', batch.length);
      } catch (err) {
        if (isRetriable(err)) {
          this.count('chainscope_syslog_publish_retries_total');
          this.backoffMs = Math.min(Math.max(this.backoffMs * 2, 100), 5000) * (0.75 + Math.random() * 0.5);
          this.warn.warn('publish', `syslog: bus busy or unavailable, retrying: ${(err as Error)?.message ?? err}`);
        } else {
          this.pending.splice(0, batch.length);
          this.count('chainscope_syslog_messages_dropped_total', batch.length);
          this.warn.warn('publish-failed', `syslog: ${batch.length} record(s) refused by the bus: ${(err as Error)?.message ?? err}`);
        }
      }
    })();
    this.flushing = run.finally(() => {
      this.flushing = null;
      if (this.pending.length < this.maxPending / 2) this.resume();
      if (this.pending.length > 0 && !this.stopping) this.schedule();
    });
    return this.flushing;
  }

  private count(name: CounterName, n = 1): void {
    this.options.counters.add(name, n);
  }
}

function listenOn(server: net.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

import type { TailDroppedEvent } from '../../../core/wire';
import { logApi, type LogLine, type Query } from '../api';

/** Lines kept while paused; older ones are counted, not kept. */
const MAX_PAUSED = 1000;

export interface TailEvents {
  onLines(lines: LogLine[]): void;
  onStatus(text: string, state: 'live' | 'paused' | 'connecting' | 'stopped'): void;
}

/** Live tail over Server-Sent Events; paused lines wait in a bounded buffer. */
export class LogTail {
  private source: EventSource | null = null;
  private paused = false;
  private buffer: LogLine[] = [];
  private skipped = 0;
  private received = 0;

  constructor(private readonly query: Query, private readonly events: TailEvents) {}

  start(): void {
    this.stop();
    const source = new EventSource(logApi.tailUrl(this.query));
    this.source = source;
    this.events.onStatus('Connecting…', 'connecting');
    source.addEventListener('open', () => this.status());
    source.addEventListener('log', (ev) => {
      let line: LogLine;
      try {
        line = JSON.parse((ev as MessageEvent<string>).data) as LogLine;
      } catch {
        return;
      }
      this.received++;
      if (this.paused) {
        this.buffer.push(line);
        if (this.buffer.length > MAX_PAUSED) {
          this.buffer.shift();
          this.skipped++;
        }
        this.status();
      } else {
        this.events.onLines([line]);
        this.status();
      }
    });
    source.addEventListener('dropped', (ev) => {
      try {
        const { count } = JSON.parse((ev as MessageEvent<string>).data) as TailDroppedEvent;
        this.skipped += count;
      } catch {
        // ignore a malformed notice
      }
      this.status();
    });
    source.addEventListener('error', () => {
      // EventSource reconnects by itself unless the server refused (then it is CLOSED).
      if (source.readyState === EventSource.CLOSED) this.events.onStatus('Live tail refused or ended', 'stopped');
      else this.events.onStatus('Reconnecting…', 'connecting');
    });
  }

  pause(): void {
    this.paused = true;
    this.status();
  }

  resume(): void {
    this.paused = false;
    const lines = this.buffer;
    this.buffer = [];
    if (lines.length) this.events.onLines(lines);
    this.status();
  }

  get isPaused(): boolean {
    return this.paused;
  }

  stop(): void {
    this.source?.close();
    this.source = null;
  }

  private status(): void {
    const skipped = this.skipped ? ` · ${this.skipped} skipped` : '';
    if (this.paused) this.events.onStatus(`Paused · ${this.buffer.length} waiting${skipped}`, 'paused');
    else this.events.onStatus(`Live · ${this.received} new${skipped}`, 'live');
  }
}

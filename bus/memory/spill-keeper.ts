import type { BusMessage } from '../../core/contracts/bus';
import type { MemoryBus } from './memory-bus';
import type { SpilledBatch, SpillStore } from './spill-store';

/**
 * Carries the in-process bus's unhandled messages across a restart: at start
 * it reads what the last shutdown kept and makes sure the reserve is there
 * (`open`), hands the kept messages back to the bus once its consumers are
 * subscribed (`restore`) and deletes each file when its messages are handled;
 * at shutdown the bus calls `spill` with what it could not hand over.
 */
export class SpillKeeper {
  private loaded: SpilledBatch[] = [];
  /** Files loaded at start whose messages are not handled yet. */
  private readonly waiting = new Map<string, SpilledBatch>();

  constructor(
    private readonly store: SpillStore,
    private readonly log: (line: string) => void,
  ) {}

  /** Throws CannotStartError when the disk has no room for the reserve. */
  open(): void {
    this.loaded = this.store.load();
    for (const batch of this.loaded) this.waiting.set(batch.file, batch);
    this.store.ensureReserve();
  }

  restore(bus: MemoryBus): void {
    for (const batch of this.loaded) {
      this.log(`chainscope: writing ${batch.messages.length} ${batch.topic} messages kept at the last shutdown`);
      bus.restore(batch.topic, batch.messages).then(
        () => {
          this.waiting.delete(batch.file);
          this.store.remove(batch.file);
        },
        (err) => this.log(`chainscope: cannot restore ${batch.file} (kept for the next start): ${(err as Error)?.message ?? err}`),
      );
    }
    this.loaded = [];
  }

  /** The bus's `spill` option. The files loaded at start for this topic go once the new one is safe: their unhandled messages are in it. */
  readonly spill = async (topic: string, messages: BusMessage[]): Promise<void> => {
    const file = this.store.write(topic, messages);
    for (const [old, batch] of this.waiting) {
      if (batch.topic !== topic) continue;
      this.store.remove(old);
      this.waiting.delete(old);
    }
    this.log(`chainscope: kept ${messages.length} unwritten ${topic} messages in ${file}; the next start writes them`);
  };

  /** For /api/health: kept messages still waiting to be written. */
  waitingMessages(): number {
    let n = 0;
    for (const batch of this.waiting.values()) n += batch.messages.length;
    return n;
  }
}

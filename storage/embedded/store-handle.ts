import { closedError, storageError, type EmbeddedDatabase } from './database';

/**
 * What the embedded span and log stores share: a reference on the database
 * file taken at construction and given back once at shutdown, and every
 * operation run only while open with its errors mapped to store errors.
 */
export abstract class EmbeddedStoreHandle {
  private closed = false;

  protected constructor(
    protected readonly edb: EmbeddedDatabase,
    private readonly label: string,
  ) {
    edb.acquire();
  }

  async start(): Promise<void> {
    this.ensureOpen();
  }

  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.edb.release();
  }

  protected ensureOpen(): void {
    if (this.closed || !this.edb.isOpen) throw closedError(this.label);
  }

  protected run<T>(what: string, fn: () => T): T {
    this.ensureOpen();
    try {
      return fn();
    } catch (err) {
      throw storageError(`${this.label} ${what}`, err);
    }
  }
}

import type { DataDeleter, DeletionOutcome } from '../../core/contracts/data-deletion';
import type { StatusReporter, StoreStatus } from '../../core/contracts/store-status';
import { closedError, storageError, type EmbeddedDatabase } from './database';
import { EmbeddedRetention } from './retention';
import { EmbeddedStatusReader } from './store-status';

/**
 * What the embedded span and log stores share: a reference on the database
 * file taken at construction and given back once at shutdown, and every
 * operation run only while open with its errors mapped to store errors;
 * the file's status (both stores report the same file) and its retention,
 * which the first write starts.
 */
export abstract class EmbeddedStoreHandle implements StatusReporter, DataDeleter {
  private closed = false;
  private readonly retention: EmbeddedRetention;
  private readonly statusReader: EmbeddedStatusReader;

  /** `retention`: shared by the stores of one connection; absent: nothing is deleted. */
  protected constructor(
    protected readonly edb: EmbeddedDatabase,
    private readonly label: string,
    retention?: EmbeddedRetention,
  ) {
    edb.acquire();
    this.retention = retention ?? new EmbeddedRetention(edb);
    this.statusReader = new EmbeddedStatusReader(edb, this.retention);
  }

  async status(): Promise<StoreStatus> {
    return this.run('status', () => this.statusReader.status());
  }

  async start(): Promise<void> {
    this.ensureOpen();
  }

  /** The file: its span, log and metric stores delete one body of data. */
  get dataUnit(): object {
    return this.edb;
  }

  /**
   * Deletes the file's data (spans, logs and metric points alike: the span,
   * log and metric stores of one file are one tenant's) before `beforeUs`, or
   * all of it, exactly, through the retention's bounded steps.
   */
  async deleteData(beforeUs: number | null): Promise<DeletionOutcome> {
    this.ensureOpen();
    let report;
    try {
      report = await this.retention.eraseBefore(beforeUs ?? Number.MAX_SAFE_INTEGER);
    } catch (err) {
      throw storageError(`${this.label} deleteData`, err);
    }
    return {
      backend: 'embedded',
      granularity: 'exact',
      deleted: { traces: report.deletedTraces, spans: report.deletedSpans, logs: report.deletedLogs, timeRows: report.deletedTimeRows },
    };
  }

  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.edb.release();
  }

  protected ensureOpen(): void {
    if (this.closed || !this.edb.isOpen) throw closedError(this.label);
  }

  /** A write: also starts retention on this connection (only writers delete). */
  protected runWrite(what: string, fn: () => void): void {
    this.run(what, fn);
    this.retention.noteWrite();
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

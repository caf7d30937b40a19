import type {
  BurstLimits,
  FacetField,
  FacetValue,
  HistogramBucket,
  LogBatch,
  LogFilterQuery,
  LogQuery,
  LogSearchResult,
  LogStore,
  LogStoreCapabilities,
  ServiceBurst,
} from '../../core/contracts/log-store';
import type { LogRecord } from '../../core/model';
import { EmbeddedStoreHandle } from './store-handle';
import type { EmbeddedDatabase } from './database';
import type { EmbeddedRetention } from './retention';
import { LogReader } from './log-reader';
import { LogWriter } from './log-writer';

/** LogStore on the embedded SQLite database, full text through FTS5 (unicode61, diacritics folded). */
export class EmbeddedLogStore extends EmbeddedStoreHandle implements LogStore {
  readonly capabilities: LogStoreCapabilities = { backend: 'embedded', fullText: true };
  private readonly writer: LogWriter;
  private readonly reader: LogReader;

  constructor(edb: EmbeddedDatabase, retention?: EmbeddedRetention) {
    super(edb, 'embedded log store', retention);
    this.writer = new LogWriter(edb);
    this.reader = new LogReader(edb);
  }

  async writeLogs(batch: LogBatch): Promise<void> {
    this.runWrite('writeLogs', () => this.writer.write(batch));
  }

  async search(query: LogQuery): Promise<LogSearchResult> {
    return this.run('search', () => this.reader.search(query));
  }

  async histogram(query: LogFilterQuery, intervalUs: number): Promise<HistogramBucket[]> {
    return this.run('histogram', () => this.reader.histogram(query, intervalUs));
  }

  async facets(query: LogFilterQuery, field: FacetField, limit: number): Promise<FacetValue[]> {
    return this.run('facets', () => this.reader.facets(query, field, limit));
  }

  async bursts(query: LogFilterQuery, intervalUs: number, limits: BurstLimits): Promise<ServiceBurst[]> {
    return this.run('bursts', () => this.reader.bursts(query, intervalUs, limits));
  }

  async byTrace(traceId: string, limit: number, spanId?: string): Promise<LogRecord[]> {
    return this.run('byTrace', () => this.reader.byTrace(traceId, limit, spanId));
  }

  async context(logId: string, before: number, after: number): Promise<LogRecord[] | null> {
    return this.run('context', () => this.reader.context(logId, before, after));
  }
}

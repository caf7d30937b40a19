import type { Config } from '../../core/config';
import type { LogStore } from '../../core/contracts/log-store';
import type { SpanStore } from '../../core/contracts/span-store';
import type { Counters } from '../../core/metrics';
import { StoreBatchProcessor, type StoreBatchProcessorOptions } from '../../ingest/batch-processor';
import { compileBodyPatterns } from '../../ingest/business-keys';

/** The keys the batch processor is built from. */
export const PROCESSOR_KEYS = ['businessKeys', 'businessKeyPatterns', 'kafkaEncoding', 'ingestBatchSize', 'jsonLogsMapping', 'spanMetricsMaxSeries'] as const satisfies readonly (keyof Config)[];
export type ProcessorSettings = Pick<Config, (typeof PROCESSOR_KEYS)[number]>;

/** How batches are decoded and written to the stores: the one place its options are built (main thread and ingest threads). */
export function storeBatchProcessor(
  settings: ProcessorSettings,
  stores: { spanStore: SpanStore; logStore: LogStore },
  counters: Counters,
  observers: Pick<StoreBatchProcessorOptions, 'observeSpans' | 'countSpans'> = {},
): StoreBatchProcessor {
  const options: StoreBatchProcessorOptions = {
    ...stores,
    businessKeys: { attributeNames: settings.businessKeys, bodyPatterns: compileBodyPatterns(settings.businessKeyPatterns) },
    payloadEncoding: settings.kafkaEncoding,
    batchSize: settings.ingestBatchSize,
    jsonLogsMapping: settings.jsonLogsMapping,
    counters,
    ...observers,
  };
  return new StoreBatchProcessor(options);
}

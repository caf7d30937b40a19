import type { SpanStore, TraceQuery } from '../../core/contracts/span-store';
import { NotFoundError } from '../../core/errors';
import type { Span, TraceSummary } from '../../core/model';

/** Trace reads for the API: thin over the span store, with "not found" as a domain error. */
export class TraceService {
  constructor(private readonly spans: SpanStore) {}

  async trace(traceId: string): Promise<{ traceId: string; spans: Span[] }> {
    const spans = await this.spans.getTrace(traceId);
    if (spans.length === 0) throw new NotFoundError(`trace ${traceId} not found`);
    return { traceId, spans };
  }

  findTraces(query: TraceQuery): Promise<TraceSummary[]> {
    return this.spans.findTraces(query);
  }

  services(): Promise<string[]> {
    return this.spans.services();
  }

  operations(service: string): Promise<string[]> {
    return this.spans.operations(service);
  }
}

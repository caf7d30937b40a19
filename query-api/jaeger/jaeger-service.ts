import type { SpanStore } from '../../core/contracts/span-store';
import { NotFoundError } from '../../core/errors';
import { mapLimited } from '../../core/util/map-limited';
import { requireAttributeSearch } from '../services/store-capabilities';
import { toJaegerTrace, type JaegerTrace } from './jaeger-format';
import type { JaegerTraceSearch } from './jaeger-params';

/** Traces read at once while answering a search (each is one store read). */
const TRACE_READS_AT_ONCE = 8;

/**
 * The reads behind the Jaeger query API, over the same span store as /api:
 * services, operations, traces (by id or by search, each in Jaeger's model)
 * and the service dependencies of a window (the topology's service-to-service
 * edges; calls into uninstrumented peers have no Jaeger counterpart).
 */
export class JaegerService {
  constructor(private readonly spans: SpanStore) {}

  services(): Promise<string[]> {
    return this.spans.services();
  }

  operations(service: string): Promise<string[]> {
    return this.spans.operations(service);
  }

  async trace(traceId: string): Promise<JaegerTrace> {
    const spans = await this.spans.getTrace(traceId);
    if (spans.length === 0) throw new NotFoundError('trace not found');
    return toJaegerTrace(traceId, spans);
  }

  requireAttributeSearch(): void {
    requireAttributeSearch(this.spans, 'tags');
  }

  /** Traces by id (those not found are left out, as jaeger-query does) or by search, newest first. */
  async findTraces(search: JaegerTraceSearch): Promise<JaegerTrace[]> {
    const ids = 'traceIds' in search ? search.traceIds : (await this.spans.findTraces(search.query)).map((t) => t.traceId);
    const traces = await mapLimited(ids, TRACE_READS_AT_ONCE, async (id) => {
      const spans = await this.spans.getTrace(id);
      return spans.length > 0 ? toJaegerTrace(id, spans) : null;
    });
    return traces.filter((t): t is JaegerTrace => t !== null);
  }

  async dependencies(window: { startUs: number; endUs: number }): Promise<{ parent: string; child: string; callCount: number }[]> {
    const topology = await this.spans.topology(window);
    const services = new Set(topology.nodes.filter((n) => n.kind === 'service').map((n) => n.id));
    return topology.edges
      .filter((e) => services.has(e.source) && services.has(e.target))
      .map((e) => ({ parent: e.source, child: e.target, callCount: e.calls }));
  }
}

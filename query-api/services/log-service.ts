import type { BurstLimits, FacetField, HistogramBucket, LogFilterQuery, LogQuery, LogStore, ServiceBurst } from '../../core/contracts/log-store';
import { ValidationError } from '../../core/errors';
import { FIELD_NAME, highlightTerms } from '../../core/logql';
import { MIN_TIME_US } from '../../core/limits';
import { encodeLogCursor } from '../log-cursor';
import { requireFullText } from './store-capabilities';
import type { LogRecord } from '../../core/model';
import type { LogFacetsView, LogHistogramView, LogSearchView, LogView } from '../../core/wire';

export type { LogSearchView, LogView } from '../../core/wire';

/** What the API shows of a log record. */
export function logView(log: LogRecord): LogView {
  return {
    id: log.id,
    timeUs: log.timeUs,
    service: log.service,
    severity: log.severityText,
    severityText: log.severityText,
    severityNumber: log.severityNumber,
    body: log.body,
    traceId: log.traceId,
    spanId: log.spanId,
    attributes: log.attributes,
    resource: log.resource,
  };
}

export const MAX_HISTOGRAM_BUCKETS = 2_000;
const NICE_STEPS_US = [1, 2, 5, 10, 15, 30].map((s) => s * 1_000_000).concat([1, 2, 5, 10, 15, 30].map((m) => m * 60_000_000), [1, 2, 3, 6, 12].map((h) => h * 3_600_000_000), [1, 2, 7].map((d) => d * 86_400_000_000));

/** The smallest nice interval giving at most ~60 buckets (1 ms steps below a second). */
export function autoInterval(spanUs: number): number {
  const target = spanUs / 60;
  if (target <= 1_000_000) {
    for (const ms of [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]) if (ms * 1000 >= target) return ms * 1000;
  }
  for (const step of NICE_STEPS_US) if (step >= target) return step;
  return Math.ceil(target / 86_400_000_000) * 86_400_000_000;
}

/** Longest attribute name a facet may ask for. */
const MAX_FACET_NAME_LENGTH = 256;

export function facetField(name: string): FacetField {
  const lower = name.toLowerCase();
  if (lower === 'service') return { kind: 'service' };
  if (lower === 'severity' || lower === 'level') return { kind: 'severity' };
  if (lower === 'host' || lower === 'host.name') return { kind: 'host' };
  // the query language's own rule: a value picked from a facet must be writable as field:value
  if (!FIELD_NAME.test(name) || name.length > MAX_FACET_NAME_LENGTH) {
    throw new ValidationError('field must be service, severity, host or an attribute name (letters, digits, _ . - / @)', 'field');
  }
  return { kind: 'attribute', name };
}

/** The window and buckets of a histogram read (defaults: the last hour up to `nowUs`, about 60 buckets). */
interface HistogramFrame {
  startUs: number;
  endUs: number;
  intervalUs: number;
  /** Start of the first bucket. */
  firstUs: number;
  buckets: number;
}

function histogramFrame(query: LogFilterQuery, intervalUs: number | undefined, nowUs: number): HistogramFrame {
  const endUs = query.endUs ?? nowUs;
  const startUs = query.startUs ?? Math.max(MIN_TIME_US, endUs - 3_600_000_000);
  const interval = intervalUs ?? autoInterval(Math.max(1, endUs - startUs));
  // Bucket i starts at first + i·interval; the count is known before any loop, so no window/interval pair can make it run away.
  const buckets = Math.floor(endUs / interval) - Math.floor(startUs / interval) + 1;
  if (!(buckets <= MAX_HISTOGRAM_BUCKETS)) {
    throw new ValidationError(`interval is too small for the time range: ${buckets} buckets, at most ${MAX_HISTOGRAM_BUCKETS}`, 'interval');
  }
  return { startUs, endUs, intervalUs: interval, firstUs: Math.floor(startUs / interval) * interval, buckets };
}

/** Every bucket of the frame, oldest first: the found ones, empty ones in between (so the UI can draw the axis). */
function everyBucket(found: readonly HistogramBucket[], frame: HistogramFrame): HistogramBucket[] {
  const byStart = new Map(found.map((b) => [b.tUs, b]));
  const buckets: HistogramBucket[] = [];
  for (let i = 0; i < frame.buckets; i++) {
    const t = frame.firstUs + i * frame.intervalUs;
    buckets.push(byStart.get(t) ?? { tUs: t, total: 0, counts: {} });
  }
  return buckets;
}

export class LogService {
  constructor(private readonly logs: LogStore) {}

  async search(query: LogQuery): Promise<LogSearchView> {
    requireFullText(this.logs, query);
    const result = await this.logs.search(query);
    return {
      total: result.total,
      totalIsLowerBound: result.totalIsLowerBound ?? false,
      logs: result.logs.map(logView),
      nextCursor: result.nextCursor ? encodeLogCursor(result.nextCursor) : null,
      highlight: highlightTerms(query.filter),
    };
  }

  /**
   * Counts per interval and severity group over [start, end] (default: the
   * last hour up to now). `intervalUs` undefined = auto, about 60 buckets on a
   * 1-2-5 ladder. Empty buckets are filled in, so the UI can draw the axis.
   */
  async histogram(query: LogFilterQuery, intervalUs: number | undefined, nowUs = Date.now() * 1000): Promise<LogHistogramView> {
    requireFullText(this.logs, query);
    const frame = histogramFrame(query, intervalUs, nowUs);
    const found = await this.logs.histogram({ ...query, startUs: frame.startUs, endUs: frame.endUs }, frame.intervalUs);
    return { intervalUs: frame.intervalUs, buckets: everyBucket(found, frame) };
  }

  /**
   * Per service, in one store read: the top `limits.services` services of the matching records over
   * [start, end] (defaults as `histogram`), each with its counts per interval (empty buckets filled in)
   * and its top `limits.messages` messages.
   */
  async bursts(query: LogFilterQuery, intervalUs: number, limits: BurstLimits, nowUs = Date.now() * 1000): Promise<{ intervalUs: number; bursts: ServiceBurst[] }> {
    requireFullText(this.logs, query);
    const frame = histogramFrame(query, intervalUs, nowUs);
    const found = await this.logs.bursts({ ...query, startUs: frame.startUs, endUs: frame.endUs }, frame.intervalUs, limits);
    return { intervalUs: frame.intervalUs, bursts: found.map((b) => ({ ...b, buckets: everyBucket(b.buckets, frame) })) };
  }

  async facets(query: LogFilterQuery, field: string, limit: number): Promise<LogFacetsView> {
    requireFullText(this.logs, query);
    return { field, values: await this.logs.facets(query, facetField(field), limit) };
  }
}

import type { LogQuery, LogStore } from '../../core/contracts/log-store';
import type { LogRecord } from '../../core/model';

/** What the API shows of a log record. */
export interface LogView {
  id: string;
  timeUs: number;
  service: string;
  severity: string;
  severityText: string;
  severityNumber: number;
  body: string;
  traceId: string;
  spanId: string;
  attributes: LogRecord['attributes'];
  resource: LogRecord['resource'];
}

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

export class LogService {
  constructor(private readonly logs: LogStore) {}

  async search(query: LogQuery): Promise<{ total: number; totalIsLowerBound: boolean; logs: LogView[] }> {
    const result = await this.logs.search(query);
    return { total: result.total, totalIsLowerBound: result.totalIsLowerBound ?? false, logs: result.logs.map(logView) };
  }
}

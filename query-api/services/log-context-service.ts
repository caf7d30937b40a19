import type { LogStore } from '../../core/contracts/log-store';
import { NotFoundError } from '../../core/errors';
import type { LogContextView } from '../../core/wire';
import { logView } from './log-service';

/** Neighbouring lines from the same source around one record. */
export class LogContextService {
  constructor(private readonly logs: LogStore) {}

  /** Oldest first, the anchor included; NotFoundError for an unknown id. */
  async context(logId: string, before: number, after: number): Promise<LogContextView> {
    const found = await this.logs.context(logId, before, after);
    if (found === null) throw new NotFoundError(`no log record with id ${logId}`);
    return { anchorId: logId, logs: found.map(logView) };
  }
}

import type { SpanStore } from '../../core/contracts/span-store';
import { ValidationError } from '../../core/errors';
import type { ServiceStats, Topology } from '../../core/topology';

export const TOPOLOGY_DEFAULT_WINDOW_US = 15 * 60_000_000;
export const TOPOLOGY_MAX_WINDOW_US = 7 * 24 * 3_600_000_000;
export const STATS_MAX_POINTS = 1_440;
/** A default step gives about this many points. */
const STATS_DEFAULT_POINTS = 60;
const MINUTE_US = 60_000_000;

export interface WindowInput {
  startUs?: number;
  endUs?: number;
}

/** Topology and service health for the API: window defaults and caps; the numbers come from the store's roll-ups. */
export class TopologyService {
  constructor(
    private readonly spans: SpanStore,
    private readonly nowUs: () => number = () => Date.now() * 1000,
  ) {}

  /** Fills a missing end with now and a missing start with end − 15 min; refuses windows over 7 days. */
  window(input: WindowInput): { startUs: number; endUs: number } {
    const endUs = input.endUs ?? (input.startUs !== undefined ? Math.max(input.startUs, this.nowUs()) : this.nowUs());
    const startUs = input.startUs ?? Math.max(0, endUs - TOPOLOGY_DEFAULT_WINDOW_US);
    if (startUs > endUs) throw new ValidationError('start must not be after end', 'start');
    if (endUs - startUs > TOPOLOGY_MAX_WINDOW_US) {
      throw new ValidationError(`the window may span at most ${TOPOLOGY_MAX_WINDOW_US / 86_400_000_000} days`, 'start');
    }
    return { startUs, endUs };
  }

  topology(input: WindowInput): Promise<Topology> {
    return this.spans.topology(this.window(input));
  }

  /** `stepUs` undefined: a whole number of minutes giving about 60 points. */
  serviceStats(service: string, input: WindowInput, stepUs: number | undefined): Promise<ServiceStats> {
    const window = this.window(input);
    const span = window.endUs - window.startUs;
    const step = stepUs ?? Math.max(1, Math.ceil(span / STATS_DEFAULT_POINTS / MINUTE_US)) * MINUTE_US;
    if (step % MINUTE_US !== 0 || step <= 0) {
      throw new ValidationError('step must be a whole number of minutes (60s, 5m, 1h, or seconds)', 'step');
    }
    const points = Math.floor(window.endUs / step) - Math.floor(window.startUs / step) + 1;
    if (points > STATS_MAX_POINTS) {
      throw new ValidationError(`step gives ${points} points over the window, at most ${STATS_MAX_POINTS} allowed: use a larger step`, 'step');
    }
    return this.spans.serviceStats(service, window, step);
  }
}

/** `60s`, `5m`, `1h` or plain seconds → microseconds; undefined when absent. */
export function parseStep(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(s|m|h)?\s*$/.exec(raw);
  if (!m) throw new ValidationError(`step must look like 60s, 5m, 1h or a number of seconds, got "${raw}"`, 'step');
  const unit = m[2] === 'h' ? 3600 : m[2] === 'm' ? 60 : 1;
  const us = Math.round(Number(m[1]) * unit * 1_000_000);
  if (!Number.isSafeInteger(us) || us <= 0) throw new ValidationError(`step must be positive, got "${raw}"`, 'step');
  return us;
}

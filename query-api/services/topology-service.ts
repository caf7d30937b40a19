import type { LatencyBucketCount } from '../../core/analysis/latency-heatmap';
import type { SpanStore } from '../../core/contracts/span-store';
import { ValidationError } from '../../core/errors';
import { rateReadWindow, rateWindow, withRates } from '../../core/analysis/topology-rates';
import type { RatedTopology, ServiceStats, ServiceSummary, ServicesOverview } from '../../core/topology';

export const TOPOLOGY_DEFAULT_WINDOW_US = 15 * 60_000_000;
export const TOPOLOGY_MAX_WINDOW_US = 7 * 24 * 3_600_000_000;
export const STATS_MAX_POINTS = 1_440;
/** A default step gives about this many points. */
const STATS_DEFAULT_POINTS = 60;
const MINUTE_US = 60_000_000;
/** Rates are calls per second over this many whole minutes (docs/topology.md, "Rates"); `rateMinutes` may ask for 1..60. */
export const DEFAULT_RATE_MINUTES = 5;
export const MAX_RATE_MINUTES = 60;
/** GET /api/services/stats answers for at most this many services (the busiest). */
export const SERVICES_OVERVIEW_MAX = 100;

export interface WindowInput {
  startUs?: number;
  endUs?: number;
}

/** Topology and service health for the API: window defaults and caps; the numbers come from the store's roll-ups. */
export class TopologyService {
  /** The services each kind of topologyWithStats read chose last time (at most SERVICES_OVERVIEW_MAX each). */
  private readonly lastChosen = new Map<string, string[]>();

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

  /** The window's topology, each node and edge with its calls per second over the last `rateMinutes` whole minutes. */
  async topology(input: WindowInput, rateMinutes = DEFAULT_RATE_MINUTES): Promise<RatedTopology> {
    const window = this.window(input);
    const rate = rateWindow(window, rateMinutes);
    const [topology, recent] = await Promise.all([this.spans.topology(window), this.spans.topology(rateReadWindow(rate))]);
    return withRates(topology, recent, rate);
  }

  /** Entry-span calls per minute and latency bucket of one service or of all, for a latency heatmap. */
  latencyMinutes(input: WindowInput, service?: string): Promise<LatencyBucketCount[]> {
    return this.spans.latencyMinutes(this.window(input), service);
  }

  /** `stepUs` undefined: a whole number of minutes giving about 60 points. */
  serviceStats(service: string, input: WindowInput, stepUs: number | undefined): Promise<ServiceStats> {
    const window = this.window(input);
    return this.spans.serviceStats(service, window, this.step(window, stepUs));
  }

  /**
   * Every service of the window (the busiest SERVICES_OVERVIEW_MAX): its entry
   * calls, errors and latency over the window (from the topology roll-ups),
   * its rate over the rate window, and its series for sparklines.
   */
  async servicesOverview(input: WindowInput, stepUs: number | undefined, rateMinutes = DEFAULT_RATE_MINUTES): Promise<ServicesOverview> {
    const window = this.window(input);
    const step = this.step(window, stepUs);
    let services: RatedTopology['nodes'] = [];
    const { topology, stats } = await this.topologyWithStats('overview', window, step, rateMinutes, (t) => {
      services = t.nodes.filter((n) => n.kind === 'service').sort((a, b) => b.calls - a.calls || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      return services.slice(0, SERVICES_OVERVIEW_MAX).map((n) => n.id);
    });
    const rows: ServiceSummary[] = services.slice(0, SERVICES_OVERVIEW_MAX).map((n) => ({
      service: n.id,
      calls: n.calls,
      errors: Math.round(n.errorRate * n.calls),
      errorRate: n.errorRate,
      ratePerSec: n.ratePerSec,
      p50Ms: n.p50Ms,
      p95Ms: n.p95Ms,
      p99Ms: n.p99Ms,
      series: stats.get(n.id)!.series,
    }));
    return { stepUs: step, rate: topology.rate, services: rows, truncated: services.length > SERVICES_OVERVIEW_MAX };
  }

  /**
   * The window's topology and serviceStats (with `stepUs`) of the services `choose` picks from it (at most
   * SERVICES_OVERVIEW_MAX), all in one store read (`servicesStats`). The services this `kind` of read chose last
   * time are read while the topology is, so a screen refreshing the same list waits for one round of reads, not
   * two; the services chosen now and not then are read after the topology (a second read), one read before and
   * not chosen now is dropped.
   */
  async topologyWithStats(
    kind: string,
    input: WindowInput,
    stepUs: number,
    rateMinutes: number,
    choose: (topology: RatedTopology) => string[],
  ): Promise<{ topology: RatedTopology; stats: Map<string, ServiceStats> }> {
    const window = this.window(input);
    const step = this.step(window, stepUs);
    const read = async (ids: readonly string[]) => (ids.length === 0 ? [] : (await this.spans.servicesStats(ids, window, step)).map((s, i) => [ids[i], s] as const));
    const early = read(this.lastChosen.get(kind) ?? []);
    // a read that failed early is read again below if it is still chosen; one no longer chosen must not go unhandled
    early.catch(() => undefined);
    const topology = await this.topology(window, rateMinutes);
    const chosen = choose(topology).slice(0, SERVICES_OVERVIEW_MAX);
    this.lastChosen.set(kind, chosen);
    const readEarly = new Map<string, ServiceStats>(await early.catch(() => []));
    const readNow = new Map(await read(chosen.filter((id) => !readEarly.has(id))));
    return { topology, stats: new Map(chosen.map((id) => [id, readEarly.get(id) ?? readNow.get(id)!])) };
  }

  /** The step of a series over the window: given (whole minutes), or whole minutes giving about 60 points; at most STATS_MAX_POINTS points. */
  private step(window: { startUs: number; endUs: number }, stepUs: number | undefined): number {
    const span = window.endUs - window.startUs;
    const step = stepUs ?? Math.max(1, Math.ceil(span / STATS_DEFAULT_POINTS / MINUTE_US)) * MINUTE_US;
    if (step % MINUTE_US !== 0 || step <= 0) {
      throw new ValidationError('step must be a whole number of minutes (60s, 5m, 1h, or seconds)', 'step');
    }
    const points = Math.floor(window.endUs / step) - Math.floor(window.startUs / step) + 1;
    if (points > STATS_MAX_POINTS) {
      throw new ValidationError(`step gives ${points} points over the window, at most ${STATS_MAX_POINTS} allowed: use a larger step`, 'step');
    }
    return step;
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

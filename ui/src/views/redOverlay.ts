import { incidentApi, isAbort } from '../api';
import { incidentSpans, serviceAnomalies } from './incidentText';
import type { RedOverlay } from './redCharts';

/**
 * What the RED charts of a service draw over its lines: the incidents about
 * it that overlap [startMs, endMs], and its anomalies of the last whole
 * minutes (GET /api/anomalies' default window). Either read failing (no
 * evaluator, a store hiccup) leaves that part out: the charts still draw.
 */
export async function redOverlay(service: string, startMs: number, endMs: number, signal: AbortSignal): Promise<RedOverlay> {
  const quietly = <T>(read: Promise<T>, fallback: T) =>
    read.catch((err: unknown) => {
      if (isAbort(err)) throw err;
      return fallback;
    });
  const [incidents, report] = await Promise.all([
    quietly(incidentApi.incidents(signal), { evaluating: false, incidents: [] }),
    quietly(incidentApi.anomalies({}, signal), null),
  ]);
  return {
    incidents: incidentSpans(incidents.incidents, service, startMs, endMs, Date.now()),
    anomalies: report ? serviceAnomalies(report.anomalies, service) : new Map(),
    window: report ? { startUs: report.startUs, endUs: report.endUs } : null,
  };
}

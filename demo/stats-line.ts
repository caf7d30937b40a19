import type { DemoStats } from './services';

/** The demo's one-line summary of its counters (start-up, periodic and shutdown lines). */
export function formatStats(s: DemoStats): string {
  return (
    `${s.ordersSubmitted} submitted, ${s.ordersAccepted} accepted, ${s.ordersRejected} rejected, ${s.ordersFailed} failed, ` +
    `${s.fulfilled} fulfilled, ${s.jobsCompleted} completed, ${s.ordersSkipped} skipped (overload), ` +
    `${s.eventsDropped} events / ${s.jobsDropped} jobs dropped` +
    (s.logLinesWritten || s.logLinesDropped ? `, ${s.logLinesWritten} log lines written to files, ${s.logLinesDropped} dropped` : '')
  );
}

import type { SeriesRef } from '../anomaly';

/**
 * The services a series is about: a service or an operation its service, an
 * edge both ends, any other series (a business KPI, or none: a log rate) none.
 * Pure and free of Node APIs: the UI bundles it (which incidents a service's
 * charts shade) as the server uses it (where an incident's topology centres).
 */
export function seriesServices(series: SeriesRef | null): string[] {
  switch (series?.kind) {
    case 'service':
    case 'operation':
      return [series.service];
    case 'edge':
      return [series.source, series.target];
    default:
      return [];
  }
}

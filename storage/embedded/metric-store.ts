import { MAX_SERIES_READ, type MetricLabel, type MetricNameInfo, type MetricStore, type StoredSeries } from '../../core/contracts/metric-store';
import type { MetricPoint } from '../../core/metric-point';
import type { EmbeddedDatabase } from './database';
import { MetricReader } from './metric-reader';
import { MetricWriter } from './metric-writer';
import type { EmbeddedRetention } from './retention';
import { EmbeddedStoreHandle } from './store-handle';

/** MetricStore on the embedded SQLite database, sharing the file (and retention) with the span and log stores. */
export class EmbeddedMetricStore extends EmbeddedStoreHandle implements MetricStore {
  private readonly writer: MetricWriter;
  private readonly reader: MetricReader;

  constructor(edb: EmbeddedDatabase, retention?: EmbeddedRetention) {
    super(edb, 'embedded metric store', retention);
    this.writer = new MetricWriter(edb);
    this.reader = new MetricReader(edb);
  }

  async writeMetricPoints(points: readonly MetricPoint[]): Promise<void> {
    if (points.length === 0) return;
    this.runWrite('writeMetricPoints', () => this.writer.write(points));
  }

  async metricNames(limit: number): Promise<MetricNameInfo[]> {
    return this.run('metricNames', () => this.reader.metricNames(limit));
  }

  async metricLabels(name: string, maxSeries: number, maxValues: number): Promise<MetricLabel[]> {
    return this.run('metricLabels', () => this.reader.metricLabels(name, maxSeries, maxValues));
  }

  async seriesPoints(name: string, startUs: number, endUs: number, maxPoints: number): Promise<{ series: StoredSeries[]; truncated: boolean }> {
    return this.run('seriesPoints', () => this.reader.seriesPoints(name, startUs, endUs, maxPoints, MAX_SERIES_READ));
  }
}

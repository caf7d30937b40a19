import { DATA_TABLES } from '../../../../storage/clickhouse/schema';
import { METRIC_TABLES, metricSchemaFor } from '../../../../storage/clickhouse/metric-schema';
import { parseServerVersion } from '../../../../storage/clickhouse/version';

const V18 = parseServerVersion('18.16.1');
const V24 = parseServerVersion('24.8.4.13');

describe('metricSchemaFor', () => {
  it('on 24.x: TTL on the points by day when a retention is given, LowCardinality and codecs', () => {
    const [series, points] = metricSchemaFor(V24, { database: 'db', retentionDays: 3 });
    expect(points).toContain('TTL day + INTERVAL 3 DAY');
    expect(points).toContain('ttl_only_drop_parts = 1');
    expect(points).toContain('name LowCardinality(String)');
    expect(points).toContain('CODEC(ZSTD(1))');
    // a series row never expires: one small row per label set
    expect(series).not.toContain('TTL');
    expect(series).not.toContain('PARTITION BY');
  });

  it('on 18.16: none of TTL, LowCardinality, codecs; the points partitioned by day for the span store sweep', () => {
    for (const ddl of metricSchemaFor(V18, { database: 'db', retentionDays: 3 })) {
      expect(ddl).not.toMatch(/TTL|LowCardinality|CODEC/);
    }
    expect(metricSchemaFor(V18, { database: 'db' })[1]).toContain('PARTITION BY day');
    expect(DATA_TABLES).toContain(METRIC_TABLES.points);
    expect(DATA_TABLES).not.toContain(METRIC_TABLES.series);
  });

  it('without a retention no TTL even where the server has it', () => {
    expect(metricSchemaFor(V24, { database: 'db' }).join('\n')).not.toContain('TTL');
  });
});

import { DATA_TABLES, schemaFor, TABLES } from '../../../../storage/clickhouse/schema';
import { SUMMED_TABLES } from '../../../../storage/clickhouse/order-rollup-schema';
import { featuresFor, parseServerVersion } from '../../../../storage/clickhouse/version';

const V18 = parseServerVersion('18.16.1');
const V24 = parseServerVersion('24.8.4.13');

const NEW_ONLY = [/\bTTL\b/, /\bINDEX\b/, /\bCODEC\(/, /LowCardinality/, /DateTime64/, /ttl_only_drop_parts/, /\{\w+:\w+\}/];

describe('parseServerVersion', () => {
  it('reads major.minor.patch', () => {
    expect(V18).toEqual({ major: 18, minor: 16, patch: 1, text: '18.16.1' });
    expect(V24).toMatchObject({ major: 24, minor: 8, patch: 4 });
    expect(parseServerVersion('25.3')).toMatchObject({ major: 25, minor: 3, patch: 0 });
  });
  it('refuses text without a version', () => {
    expect(() => parseServerVersion('unknown')).toThrow();
  });
});

describe('featuresFor', () => {
  it('turns everything off on 18.16 and on for 24.8', () => {
    expect(Object.values(featuresFor(V18)).some(Boolean)).toBe(false);
    expect(Object.values(featuresFor(V24)).every(Boolean)).toBe(true);
  });
  it('switches by version boundary', () => {
    expect(featuresFor(parseServerVersion('19.16.3')).ttl).toBe(false);
    expect(featuresFor(parseServerVersion('20.3.1')).ttl).toBe(true);
    expect(featuresFor(parseServerVersion('20.3.1')).dateTime64).toBe(false);
    expect(featuresFor(parseServerVersion('21.1.1')).dateTime64).toBe(true);
  });
});

describe('schemaFor', () => {
  const ddl18 = schemaFor(V18, { database: 'cs', retentionDays: 7 });
  const ddl24 = schemaFor(V24, { database: 'cs', retentionDays: 7 });

  it('creates the database and every table idempotently, in the same order on both versions', () => {
    for (const ddl of [ddl18, ddl24]) {
      expect(ddl[0]).toBe('CREATE DATABASE IF NOT EXISTS `cs`');
      for (const s of ddl.slice(1)) expect(s).toMatch(/^CREATE (TABLE|MATERIALIZED VIEW) IF NOT EXISTS `cs`\.`\w+`/);
      for (const table of [...DATA_TABLES, TABLES.traceSummariesView]) {
        expect(ddl.some((s) => s.includes(`\`cs\`.\`${table}\` `))).toBe(true);
      }
    }
    expect(ddl24.length).toBe(ddl18.length);
  });

  it('uses none of the new-only features on 18.16, even with retention asked for', () => {
    const all = ddl18.join('\n');
    for (const re of NEW_ONLY) expect(all).not.toMatch(re);
  });

  it('partitions by day and orders spans by identity on both versions', () => {
    for (const ddl of [ddl18, ddl24]) {
      const spans = ddl.find((s) => s.includes('`spans` ('))!;
      expect(spans).toMatch(/ENGINE = ReplacingMergeTree\nPARTITION BY toDate\(start_time\)\nORDER BY \(trace_id, span_id\)/);
      expect(spans).toContain('start_us UInt64');
      expect(spans).toContain('start_time DateTime MATERIALIZED');
      expect(spans).toMatch(/attr_keys Array\(String\)/);
      const summary = ddl.find((s) => s.includes('`trace_summaries` ('))!;
      expect(summary).toContain('ENGINE = AggregatingMergeTree');
      expect(summary).toContain('AggregateFunction(uniqExact, String)');
    }
  });

  it('uses TTL, skip indexes, codecs, LowCardinality and DateTime64 on 24.8', () => {
    const spans = ddl24.find((s) => s.includes('`spans` ('))!;
    expect(spans).toContain('TTL start_time + INTERVAL 7 DAY');
    expect(spans).toContain('ttl_only_drop_parts = 1');
    expect(spans).toMatch(/INDEX idx_attr_values attr_values TYPE bloom_filter/);
    expect(spans).toContain('service LowCardinality(String)');
    expect(spans).toContain('CODEC(ZSTD(1))');
    expect(spans).toContain('DateTime64(6)');
    for (const table of DATA_TABLES.filter((t) => t !== TABLES.spans)) {
      expect(ddl24.find((s) => s.includes(`\`${table}\` (`))).toContain('TTL day + INTERVAL 7 DAY');
    }
  });

  it('leaves TTL out without retention', () => {
    const all = schemaFor(V24, { database: 'cs' }).join('\n');
    expect(all).not.toMatch(/\bTTL\b/);
    expect(all).toContain('LowCardinality');
  });

  it('keeps the view states independent of LowCardinality', () => {
    const view = ddl24.find((s) => s.startsWith('CREATE MATERIALIZED VIEW'))!;
    expect(view).toContain('groupUniqArrayState(CAST(service AS String))');
    expect(view).toContain('TO `cs`.`trace_summaries`');
  });

  it('refuses a database name that is not a plain identifier', () => {
    expect(() => schemaFor(V18, { database: 'x`; DROP' })).toThrow();
  });
});

describe('tables an insert may be sent to twice', () => {
  const engines = new Map(
    schemaFor(V18, { database: 'cs' })
      .map((s) => /^CREATE TABLE IF NOT EXISTS `cs`\.`(\w+)`[\s\S]*?\bENGINE = (\w+)/.exec(s))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1], m[2]] as const),
  );

  it('lists every table whose rows add up (never resent on a stale socket) and no other', () => {
    const adding = [...engines].filter(([, engine]) => engine === 'SummingMergeTree' || engine === 'MergeTree').map(([name]) => name);
    expect(adding).toEqual(['order_minutes']);
    expect([...SUMMED_TABLES].sort()).toEqual(adding.sort());
  });

  it('keeps every other table collapsing copies (a resent insert changes no answer)', () => {
    for (const [name, engine] of engines) {
      if (SUMMED_TABLES.has(name)) continue;
      expect([name, engine]).toEqual([name, expect.stringMatching(/^(Replacing|Aggregating)MergeTree$/)]);
    }
    expect(engines.size).toBeGreaterThan(20);
  });
});

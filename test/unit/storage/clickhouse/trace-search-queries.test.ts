import { ValidationError } from '../../../../core/errors';
import { carryingSpansSql, findTracesSql, matchingSpansSql } from '../../../../storage/clickhouse/queries';

/** The SQL of trace search's status, span duration, sort and cursor: every value quoted, the right table per rule. */
describe('trace search queries', () => {
  it('reads spans only for a status or span-duration filter; error alone is the summary error count', () => {
    expect(findTracesSql('db', { status: 'error', limit: 5 }, 5)).not.toContain('`spans`');
    expect(findTracesSql('db', { status: 'error', limit: 5 }, 5)).toContain('HAVING error_count > 0');
    expect(findTracesSql('db', { service: 's', limit: 5 }, 5)).not.toContain('`spans`');
    const spanLevel = findTracesSql('db', { service: "pay'", operation: 'fraud check', status: 'ok', minDurationUs: 1_000_000, startUs: 3_000_000, limit: 5 }, 5);
    expect(spanLevel).toContain(
      "`spans` WHERE service = 'pay\\'' AND name = 'fraud check' AND status_code = 'ok' AND duration_us >= 1000000 AND start_time >= toDateTime(3) AND start_us >= 3000000",
    );
    // the duration is the span's, not the trace's, when an operation is given
    expect(spanLevel).not.toContain('trace_end_us - trace_start_us >=');
    expect(findTracesSql('db', { service: 's', minDurationUs: 7, limit: 5 }, 5)).toContain('trace_end_us - trace_start_us >= 7');
  });

  it.each([
    ['newest', 'trace_start_us', 'DESC', '<'],
    ['oldest', 'trace_start_us', 'ASC', '>'],
    ['longest', '(trace_end_us - trace_start_us)', 'DESC', '<'],
    ['shortest', '(trace_end_us - trace_start_us)', 'ASC', '>'],
  ] as const)('sort %s orders by its key and trace id, and pages after a quoted cursor', (sort, key, dir, cmp) => {
    const sql = findTracesSql('db', { sort, after: { key: 42, traceId: "a'b" }, limit: 5 }, 5);
    expect(sql).toContain(`ORDER BY ${key} ${dir}, trace_id ${dir}`);
    expect(sql).toContain(`(${key} ${cmp} 42 OR (${key} = 42 AND trace_id ${cmp} 'a\\'b'))`);
  });

  it('refuses a cursor key that is not a non-negative integer', () => {
    expect(() => findTracesSql('db', { after: { key: -1, traceId: 'a' }, limit: 5 }, 5)).toThrow(ValidationError);
    expect(() => findTracesSql('db', { after: { key: 1.5, traceId: 'a' }, limit: 5 }, 5)).toThrow(ValidationError);
  });

  it('reads the matching spans of the hits, a bounded few per trace', () => {
    const sql = matchingSpansSql('db', ["t'1", 't2'], { service: 's', status: 'error' });
    expect(sql).toContain("trace_id IN ('t\\'1', 't2') AND service = 's' AND status_code = 'error'");
    expect(sql).toContain('LIMIT 3 BY trace_id');
    const carrying = carryingSpansSql('db', ['t1'], [{ key: "k'", value: 'v\\' }, { key: 'a', value: 'b' }]);
    expect(carrying).toContain("(arrayExists((k, v) -> k = 'k\\'' AND v = 'v\\\\', attr_keys, attr_values) OR arrayExists((k, v) -> k = 'a' AND v = 'b', attr_keys, attr_values))");
  });
});

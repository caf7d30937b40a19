import { BackendUnavailableError, ChainscopeError } from '../../../../core/errors';
import { toStoreError } from '../../../../storage/clickhouse/errors';
import { findTracesSql, tracesByBusinessKeySql, tracesSpansSql } from '../../../../storage/clickhouse/queries';
import { batchRows, pairMessages, rowToSpan, spanToRow } from '../../../../storage/clickhouse/rows';
import type { MessageRow } from '../../../../storage/clickhouse/rows';
import { BASE_US, makeSpan, makeTrace, spanBatch } from '../../../contract/fixtures';

describe('rows', () => {
  it('round-trips a span through its row (64-bit numbers arrive as strings)', () => {
    const span = makeSpan({
      attributes: { s: 'x', n: 2 ** 52 + 1, b: true, nil: null, list: [1] },
      events: [{ timeUs: BASE_US, name: 'e', attributes: {} }],
    });
    const row = spanToRow(span);
    expect(row.attr_keys).toEqual(['s', 'n', 'b', 'service.name']);
    expect(row.attr_values).toEqual(['x', String(2 ** 52 + 1), 'true', 'svc']);
    expect(rowToSpan({ ...row, start_us: String(row.start_us), duration_us: String(row.duration_us) })).toEqual(span);
  });

  it('derives one deduplicated index row per key within a batch, with the earliest time', () => {
    const spans = makeTrace({ spans: 3, overrides: () => ({ attributes: { k: 'v' } }) });
    const rows = batchRows(spanBatch([...spans, ...spans]));
    expect(rows.spans).toHaveLength(6); // the store's identity, not the batch, dedupes spans
    expect(rows.trace_attrs.filter((r) => r.key === 'k')).toEqual([
      { key: 'k', value: 'v', trace_id: spans[0].traceId, start_us: spans[0].startUs },
    ]);
    expect(rows.trace_ops).toHaveLength(3);
    expect(rows.operations).toHaveLength(3);
  });

  it('writes a link under both of its traces', () => {
    const link = { fromTraceId: 'a', fromSpanId: '1', toTraceId: 'b', toSpanId: '2', kind: 'link' as const, timeUs: 5 };
    expect(batchRows(spanBatch([], { traceLinks: [link, link] })).trace_links.map((r) => r.trace_id)).toEqual(['a', 'b']);
  });

  it('pairs producers with consumers in other traces touching the asked ones', () => {
    const rows: MessageRow[] = [
      { message_id: 'm', side: 'producer', trace_id: 'p', span_id: '1', time_us: '10' },
      { message_id: 'm', side: 'consumer', trace_id: 'c1', span_id: '2', time_us: '11' },
      { message_id: 'm', side: 'consumer', trace_id: 'c2', span_id: '3', time_us: '12' },
      { message_id: 'm', side: 'consumer', trace_id: 'p', span_id: '4', time_us: '13' },
    ];
    expect(pairMessages(rows, new Set(['c1'])).map((l) => l.toTraceId)).toEqual(['c1']);
    expect(pairMessages(rows, new Set(['p'])).map((l) => [l.toTraceId, l.timeUs])).toEqual([
      ['c1', 10],
      ['c2', 10],
    ]);
    expect(pairMessages(rows.slice(1), new Set(['c1']))).toEqual([]);
  });
});

describe('queries', () => {
  it('quotes every value', () => {
    expect(tracesSpansSql('db', ["x'y"])).toContain("PREWHERE trace_id IN ('x\\'y')");
    const sql = findTracesSql('db', { service: "s'", attributes: [{ key: 'k\\', value: '\n' }], startUs: 5, limit: 3 }, 3);
    expect(sql).toContain("service = 's\\''");
    expect(sql).toContain("key = 'k\\\\' AND value = '\\n'");
    expect(sql).toContain('LIMIT 3');
  });

  it('narrows candidates only by the window start, and filters on merged summaries', () => {
    const sql = findTracesSql('db', { service: 's', startUs: 5, endUs: 9, minDurationUs: 1, limit: 10 }, 10);
    expect(sql).toMatch(/trace_ops` WHERE service = 's' AND day >= .* AND start_us >= 5\)/);
    expect(sql).not.toMatch(/start_us <= 9\)/);
    expect(sql).toContain('HAVING trace_start_us >= 5 AND trace_start_us <= 9 AND trace_end_us - trace_start_us >= 1');
    expect(sql).toContain('ORDER BY trace_start_us DESC');
  });

  it('has no candidate subquery when nothing narrows the search', () => {
    expect(findTracesSql('db', { limit: 1 }, 1)).not.toContain(' IN (');
  });

  it('takes the earliest occurrence of a business key', () => {
    const sql = tracesByBusinessKeySql('db', 'order.id', 'O', { startUs: 1 }, 5);
    expect(sql).toContain('min(time_us) AS first_us');
    expect(sql).toContain('HAVING first_us >= 1');
  });
});

describe('toStoreError', () => {
  it('maps connection failures and overload to retriable, query errors to permanent', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(toStoreError('x', refused)).toBeInstanceOf(BackendUnavailableError);
    expect(toStoreError('x', new Error('Timeout error.'))).toBeInstanceOf(BackendUnavailableError);
    expect(toStoreError('x', new Error('<html>502 Bad Gateway</html>'))).toBeInstanceOf(BackendUnavailableError);
    const overloaded = new Error('Code: 202, e.displayText() = DB::Exception: Too many simultaneous queries');
    expect(toStoreError('x', overloaded).retriable).toBe(true);
    const syntax = new Error('Code: 62, e.displayText() = DB::Exception: Syntax error');
    const err = toStoreError('x', syntax);
    expect(err).toBeInstanceOf(ChainscopeError);
    expect(err.retriable).toBe(false);
    const modern = Object.assign(new Error('Unknown table'), { code: '60' });
    expect(toStoreError('x', modern).retriable).toBe(false);
    expect(toStoreError('x', new TypeError('bug')).retriable).toBe(false);
  });
});

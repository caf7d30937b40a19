import { mergeTail } from '../../../ui/src/screens/logTail';

const row = (id: string, timeUs: number) => ({ id, timeUs, service: 's', severity: 'ERROR', severityNumber: 17, body: id, traceId: null });

describe('mergeTail', () => {
  it('adds the new records on top, keeps limit rows newest first, and says which are new', () => {
    const first = mergeTail([], [row('b', 20), row('a', 10)], 3);
    expect(first.rows.map((r) => r.id)).toEqual(['b', 'a']);
    const next = mergeTail(first.rows, [row('d', 40), row('c', 30), row('b', 20)], 3);
    expect(next.rows.map((r) => r.id)).toEqual(['d', 'c', 'b']);
    expect([...next.fresh].sort()).toEqual(['c', 'd']);
  });

  it('keeps what it showed when a push has fewer records (the window slid past them)', () => {
    const next = mergeTail([row('b', 20), row('a', 10)], [row('c', 30)], 5);
    expect(next.rows.map((r) => r.id)).toEqual(['c', 'b', 'a']);
  });

  it('a new record older than every kept one past the limit is not shown and not new', () => {
    const next = mergeTail([row('c', 30), row('b', 20)], [row('old', 1)], 2);
    expect(next.rows.map((r) => r.id)).toEqual(['c', 'b']);
    expect(next.fresh.size).toBe(0);
  });

  it('ties by time are ordered by id, so rows never swap between pushes', () => {
    expect(mergeTail([], [row('y', 5), row('x', 5)], 5).rows.map((r) => r.id)).toEqual(['x', 'y']);
    expect(mergeTail([row('x', 5), row('y', 5)], [row('y', 5), row('x', 5)], 5).rows.map((r) => r.id)).toEqual(['x', 'y']);
  });
});

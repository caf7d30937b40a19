import { firstInOrder } from '../../../../core/util/first-in-order';

describe('firstInOrder: a bounded top-n over a stream', () => {
  const byValue = (a: number, b: number) => a - b;

  it.each([0, 1, 3, 100, 1_500, 5_000])('gives what a full sort would, for n = %i of 4,000 shuffled numbers', (n) => {
    const items = Array.from({ length: 4_000 }, (_, i) => (i * 7_919) % 4_001);
    expect(firstInOrder(items, n, byValue)).toEqual([...items].sort(byValue).slice(0, n));
  });

  it('trims as it goes over a stream far longer than its bound, and still gives the first n', () => {
    function* descending(): Generator<{ v: number; id: string }> {
      for (let i = 100_000; i > 0; i--) yield { v: i % 50_000, id: `s${i}` };
    }
    const out = firstInOrder(descending(), 3, (a, b) => a.v - b.v || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    expect(out).toEqual([{ v: 0, id: 's100000' }, { v: 0, id: 's50000' }, { v: 1, id: 's1' }]);
  });
});

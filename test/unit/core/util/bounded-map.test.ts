import { setBounded } from '../../../../core/util/bounded-map';

describe('setBounded', () => {
  it('keeps at most max entries, dropping the oldest inserted first', () => {
    const map = new Map<string, number>();
    for (let i = 0; i < 5; i++) setBounded(map, `k${i}`, i, 3);
    expect([...map]).toEqual([
      ['k2', 2],
      ['k3', 3],
      ['k4', 4],
    ]);
  });

  it('updating a kept key drops nothing and keeps its place', () => {
    const map = new Map([
      ['a', 1],
      ['b', 2],
    ]);
    setBounded(map, 'a', 10, 2);
    expect([...map]).toEqual([
      ['a', 10],
      ['b', 2],
    ]);
    setBounded(map, 'c', 3, 2);
    expect([...map.keys()]).toEqual(['b', 'c']);
  });
});

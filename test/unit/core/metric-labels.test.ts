import { inLabelOrder, labelValues, seriesLabels } from '../../../core/metric-labels';

describe('seriesLabels', () => {
  it('gives attributes as strings, nested values as JSON text, and service; a bad JSON text reads as no attributes', () => {
    expect(seriesLabels('checkout', '{"a":"x","n":1,"l":[1,"b"],"service":"shadowed"}')).toEqual({ a: 'x', n: '1', l: '[1,"b"]', service: 'checkout' });
    expect(seriesLabels('checkout', '{not json')).toEqual({ service: 'checkout' });
  });
});

describe('labelValues', () => {
  it('sorts keys and values and keeps the first maxValues values seen per key', () => {
    const series = [{ b: '3', a: 'z' }, { b: '1' }, { b: '2', a: 'y' }];
    expect(labelValues(series, 2)).toEqual([
      { key: 'a', values: ['y', 'z'] },
      { key: 'b', values: ['1', '3'] },
    ]);
  });
});

describe('inLabelOrder', () => {
  const s = (labels: Record<string, string>, id: number) => ({ labels, id });
  it.each([
    ['by value', [s({ r: 'us' }, 1), s({ r: 'eu' }, 2)], [2, 1]],
    ['by key before value', [s({ b: 'a' }, 1), s({ a: 'z' }, 2)], [2, 1]],
    ['a prefix label set first', [s({ a: '1', b: '2' }, 1), s({ a: '1' }, 2)], [2, 1]],
    ['keys compared in sorted order, not insertion order', [s({ z: '1', a: '2' }, 1), s({ a: '1', z: '9' }, 2)], [2, 1]],
    ['equal labels keep their order', [s({ a: '1' }, 1), s({ a: '1' }, 2), s({ a: '0' }, 3)], [3, 1, 2]],
    ['code-unit order, no locale', [s({ a: 'é' }, 1), s({ a: 'z' }, 2), s({ a: 'Z' }, 3)], [3, 2, 1]],
  ])('%s', (_name, input, ids) => {
    expect(inLabelOrder(input).map((x) => x.id)).toEqual(ids);
  });
});

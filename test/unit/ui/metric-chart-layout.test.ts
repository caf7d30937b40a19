import { formatValue, seriesName, valueCaption, yTop } from '../../../ui/src/views/metricChartLayout';

describe('metric chart layout', () => {
  it('names a series by its group labels, an empty value as ∅, one ungrouped series by the metric', () => {
    expect(seriesName({ labels: { region: 'eu', service: '' } }, 'm')).toBe('region=eu, service=∅');
    expect(seriesName({ labels: {} }, 'http.server.requests')).toBe('http.server.requests');
  });

  it.each([
    [0, '0'],
    [0.012345, '0.0123'],
    [6, '6'],
    [62.5, '62.5'],
    [1234, '1.23k'],
    [5_600_000, '5.6M'],
    [-2500, '-2.5k'],
    [3e9, '3G'],
    [null, '–'],
    [NaN, '–'],
  ])('formats %p as %p', (value, text) => {
    expect(formatValue(value)).toBe(text);
  });

  it('says what the values are', () => {
    expect(valueCaption({ fn: 'rate', name: 'x' }, 0.95)).toBe('rate of x (per second)');
    expect(valueCaption({ fn: 'quantile', name: 'x' }, 0.995)).toBe('p99.5 of x');
    expect(valueCaption({ fn: 'avg', name: 'x' }, 0.95)).toBe('average of x');
    expect(valueCaption({ fn: 'value', name: 'x' }, 0.95)).toBe('x');
  });

  it('puts the y top 10 % above the largest value, 1 without any', () => {
    expect(yTop([{ points: [{ timeUs: 1, value: 10 }, { timeUs: 2, value: null }] }, { points: [{ timeUs: 1, value: 4 }] }])).toBeCloseTo(11);
    expect(yTop([{ points: [{ timeUs: 1, value: null }] }])).toBe(1);
  });
});

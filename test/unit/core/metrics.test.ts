import { Counters, seriesName } from '../../../core/metrics';

describe('Counters.toPrometheus', () => {
  it('prints families in name order, a histogram per label set with buckets by bound, then _sum and _count', () => {
    const counters = new Counters();
    counters.describe('lat', 'Latency', 'histogram');
    for (const le of ['10', '+Inf', '2']) counters.add(seriesName('lat_bucket', { a: 'x', le }), 1);
    counters.add(seriesName('lat_count', { a: 'x' }), 1);
    counters.add(seriesName('lat_sum', { a: 'x' }), 0.5);
    counters.add('b_total', 2);
    counters.add('a_total', 1);
    expect(counters.toPrometheus().split('\n')).toEqual([
      '# TYPE a_total counter',
      'a_total 1',
      '# TYPE b_total counter',
      'b_total 2',
      '# HELP lat Latency',
      '# TYPE lat histogram',
      'lat_bucket{a="x",le="2"} 1',
      'lat_bucket{a="x",le="10"} 1',
      'lat_bucket{a="x",le="+Inf"} 1',
      'lat_sum{a="x"} 0.5',
      'lat_count{a="x"} 1',
      '',
    ]);
  });

  it('shows the current values, new series and new descriptions on every page', () => {
    const counters = new Counters();
    counters.add('b_total', 1);
    expect(counters.toPrometheus()).toBe('# TYPE b_total counter\nb_total 1\n');
    counters.add('b_total', 2);
    expect(counters.toPrometheus()).toBe('# TYPE b_total counter\nb_total 3\n');
    counters.add('a_total', 5);
    expect(counters.toPrometheus()).toBe('# TYPE a_total counter\na_total 5\n# TYPE b_total counter\nb_total 3\n');
    counters.describe('b_total', 'Bees');
    counters.add('a_total', 1);
    expect(counters.toPrometheus()).toBe('# TYPE a_total counter\na_total 6\n# HELP b_total Bees\n# TYPE b_total counter\nb_total 3\n');
  });
});

import { latencyHeatmap } from '../../core/analysis/latency-heatmap';
import { bucketOf } from '../../core/analysis/topology-histogram';
import { MINUTE_US } from '../../core/topology';

/** A heatmap panel's first minute and box in the unit tests of its layout and painting. */
export const T0 = 28_333_334 * MINUTE_US;
export const box = { width: 464, height: 222, left: 64, bottom: 22 };

/** Four minutes: 100 fast and one slow call, 10 fast calls, an empty minute, 4 middling calls. */
export function sampleHeatmap() {
  return latencyHeatmap(
    [
      { minute: T0, bucket: bucketOf(10_000), count: 100 },
      { minute: T0, bucket: bucketOf(800_000), count: 1 },
      { minute: T0 + MINUTE_US, bucket: bucketOf(10_000), count: 10 },
      { minute: T0 + 3 * MINUTE_US, bucket: bucketOf(100_000), count: 4 },
    ],
    { startUs: T0, endUs: T0 + 3 * MINUTE_US },
  );
}

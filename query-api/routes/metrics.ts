import { Router } from 'express';
import { SERIES_FUNCTIONS } from '../../core/analysis/metric-series';
import { ValidationError } from '../../core/errors';
import { optionalEnum, optionalNumber, optionalString, optionalTimeUs, requiredString, stringList, type Query } from '../params';
import { parseStep } from '../services/topology-service';
import type { MetricService } from '../services/metric-service';

/** Longest metric name or label key asked for. */
export const MAX_METRIC_NAME_LENGTH = 1024;
export const MAX_GROUP_BY = 10;
const DEFAULT_WINDOW_US = 3_600_000_000;
/** `auto`: rate for counters and histograms, value for gauges (core/analysis/metric-series.ts). */
const FUNCTION_CHOICES = ['auto', ...SERIES_FUNCTIONS] as const;

export function metricsRouter(metrics: MetricService): Router {
  const router = Router();

  // without name: the metric names; with name: that metric's label keys and values
  router.get('/metrics', async (req, res) => {
    const name = optionalString(req.query as Query, 'name', MAX_METRIC_NAME_LENGTH);
    res.json(name === undefined ? await metrics.names() : await metrics.labels(name));
  });

  router.get('/metrics/series', async (req, res) => {
    const query = req.query as Query;
    const name = requiredString(query, 'name', MAX_METRIC_NAME_LENGTH, 'the metric name');
    const endUs = optionalTimeUs(query, 'end') ?? Date.now() * 1000;
    const startUs = optionalTimeUs(query, 'start') ?? endUs - DEFAULT_WINDOW_US;
    if (!(startUs < endUs)) throw new ValidationError('start must be before end', 'start');
    const stepUs = parseStep(optionalString(query, 'step'));
    const fn = optionalEnum(query, 'fn', FUNCTION_CHOICES, 'auto');
    const quantile = optionalNumber(query, 'quantile', 0, 1);
    // groupBy=a,b or groupBy=a&groupBy=b
    const groupBy = [...new Set(stringList(query, 'groupBy', MAX_GROUP_BY).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== ''))];
    if (groupBy.length > MAX_GROUP_BY) throw new ValidationError(`groupBy may name at most ${MAX_GROUP_BY} labels`, 'groupBy');
    res.json(await metrics.series({ name, startUs, endUs, stepUs, fn: fn === 'auto' ? undefined : fn, quantile, groupBy }));
  });

  return router;
}

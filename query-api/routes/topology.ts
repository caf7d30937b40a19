import { Router } from 'express';
import { optionalString, pathName, timeWindow, wholeNumber, type Query } from '../params';
import { DEFAULT_RATE_MINUTES, MAX_RATE_MINUTES, parseStep, type TopologyService } from '../services/topology-service';

const rateMinutes = (query: Query) => wholeNumber(query, 'rateMinutes', DEFAULT_RATE_MINUTES, 1, MAX_RATE_MINUTES);

export function topologyRouter(topology: TopologyService): Router {
  const router = Router();

  router.get('/topology', async (req, res) => {
    const query = req.query as Query;
    res.json(await topology.topology(timeWindow(query), rateMinutes(query)));
  });

  router.get('/services/stats', async (req, res) => {
    const query = req.query as Query;
    res.json(await topology.servicesOverview(timeWindow(query), parseStep(optionalString(query, 'step')), rateMinutes(query)));
  });

  router.get('/services/:service/stats', async (req, res) => {
    const query = req.query as Query;
    res.json(await topology.serviceStats(pathName(req.params.service, 'service'), timeWindow(query), parseStep(optionalString(query, 'step'))));
  });

  return router;
}

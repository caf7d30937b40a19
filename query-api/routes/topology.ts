import { Router } from 'express';
import { optionalString, pathName, timeWindow, type Query } from '../params';
import { parseStep, type TopologyService } from '../services/topology-service';

export function topologyRouter(topology: TopologyService): Router {
  const router = Router();

  router.get('/topology', async (req, res) => {
    res.json(await topology.topology(timeWindow(req.query as Query)));
  });

  router.get('/services/:service/stats', async (req, res) => {
    const query = req.query as Query;
    res.json(await topology.serviceStats(pathName(req.params.service, 'service'), timeWindow(query), parseStep(optionalString(query, 'step'))));
  });

  return router;
}

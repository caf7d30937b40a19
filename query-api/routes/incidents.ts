import { Router } from 'express';
import type { IncidentService } from '../services/incident-service';

export function incidentsRouter(incidents: IncidentService): Router {
  const router = Router();
  router.get('/incidents', (_req, res) => {
    res.json(incidents.list());
  });
  router.get('/incidents/:id', async (req, res) => {
    // the service checks the id's form (a 400 naming `incident`)
    res.json(await incidents.evidence(req.params.id));
  });
  return router;
}

import { Router } from 'express';
import { openApiDocument } from '../openapi/document';
import { CHAIN_DEFAULTS } from '../services/chain-service';

/** GET /openapi.json: the OpenAPI 3.1 description of this API, built once; `businessKeys` as the chain service is configured, `access` with AUTH=tokens. */
export function openApiRouter(businessKeys: readonly string[] = CHAIN_DEFAULTS.businessKeys, access = false): Router {
  const body = JSON.stringify(openApiDocument(businessKeys, { access }));
  const router = Router();
  router.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(body);
  });
  return router;
}

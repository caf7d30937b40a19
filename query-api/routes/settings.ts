import { Router } from 'express';
import type { SettingsView } from '../../core/wire';

/** GET /settings: fixed at start-up (configuration is read once), so built once. */
export function settingsRouter(settings: SettingsView): Router {
  const router = Router();
  router.get('/settings', (_req, res) => {
    res.json(settings);
  });
  return router;
}

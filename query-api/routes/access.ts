import express, { Router } from 'express';
import { actorOf, principalOf } from '../../core/security/access-guard';
import { sessionIdOf } from '../../core/security/sessions';
import type { AccessService } from '../services/access-service';

const SMALL_JSON = express.json({ limit: '4kb' });

/**
 * /session (login exchange, open: the guard lets it through) and /admin/tokens
 * (the guard asks for role admin). With AUTH=none there are none: nothing to log in to.
 */
export function accessRouter(access: AccessService | undefined): Router {
  const router = Router();
  if (!access) return router;
  router.get('/session', async (req, res) => {
    const verdict = await access.authenticator.check(req, 'read');
    if (!verdict.ok) return void res.status(401).json({ auth: 'tokens', error: verdict.message });
    res.json(access.whoami(verdict.principal));
  });
  router.post('/session', SMALL_JSON, async (req, res) => {
    // HTTPS here or at a proxy in front (X-Forwarded-Proto): the cookie is then never sent over plain HTTP
    const secure = req.secure || req.headers['x-forwarded-proto'] === 'https';
    const opened = await access.login((req.body as { token?: unknown } | undefined)?.token, secure);
    if (!opened.ok) return void res.status(opened.status).json({ error: opened.message });
    res.setHeader('Set-Cookie', opened.cookie);
    res.setHeader('Cache-Control', 'no-store');
    res.json({ role: opened.session.role, tenant: opened.session.tenant, csrfToken: opened.session.csrfToken });
  });
  router.delete('/session', (req, res) => {
    res.setHeader('Set-Cookie', access.logout(sessionIdOf(req.headers.cookie)));
    res.status(204).end();
  });
  router.get('/admin/tokens', (_req, res) => void res.json({ tokens: access.listTokens() }));
  router.post('/admin/tokens', SMALL_JSON, (req, res) => {
    const body = (req.body ?? {}) as { name?: unknown; role?: unknown; tenant?: unknown };
    const created = access.createToken(body.name, body.role, body.tenant ?? undefined, actorOf(req));
    res.setHeader('Cache-Control', 'no-store');
    res.status(201).json({ ...created.record, token: created.token, by: principalOf(req)?.tokenId });
  });
  router.delete('/admin/tokens/:id', (req, res) => void res.json(access.revokeToken(req.params.id, actorOf(req))));
  return router;
}

import { Router } from 'express';
import { actorOf } from '../../core/security/access-guard';
import { AUDIT_READ_MAX, isAuditAction, type AuditLog } from '../../core/security/audit-log';
import { ValidationError } from '../../core/errors';
import { limit, optionalString, optionalTimeUs, requiredString } from '../params';
import type { DataDeletionService } from '../services/data-deletion-service';

/**
 * /admin/audit (the audit log, newest first) and /admin/data (deleting a
 * tenant's data); the guard asks for role admin. With AUTH=none there are
 * none (use `chainscope data delete` and read the file).
 */
export function adminDataRouter(admin: { audit: AuditLog; deletion: DataDeletionService } | undefined): Router {
  const router = Router();
  if (!admin) return router;
  router.get('/admin/audit', (req, res) => {
    const n = limit(req.query, 'limit', 100, AUDIT_READ_MAX);
    const action = optionalString(req.query, 'action', 40);
    if (action !== undefined && !isAuditAction(action)) throw new ValidationError(`action must be token.created, token.revoked or data.deleted, got "${action}"`, 'action');
    res.setHeader('Cache-Control', 'no-store');
    res.json({ entries: admin.audit.read(n, action) });
  });
  router.delete('/admin/data', async (req, res) => {
    const tenant = requiredString(req.query, 'tenant', 63);
    const before = optionalTimeUs(req.query, 'before');
    res.json(await admin.deletion.delete(tenant, before ?? null, actorOf(req)));
  });
  return router;
}

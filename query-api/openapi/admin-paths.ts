import { AUDIT_READ_MAX } from '../../core/security/audit-log';
import { TENANT_NAME_PATTERN } from '../../core/security/tenants';
import { limitParam, start, type Parameter, type Schema } from './parameters';
import { ref } from './schemas';

/**
 * The admin API's data routes (query-api/routes/admin-data.ts): the audit log
 * and deleting a tenant's data. Like the access paths they exist with
 * AUTH=tokens only; the document adds the guard's 401/403 to them.
 */
const json = (schema: Schema) => ({ 'application/json': { schema } });
const answer = (description: string, schema: Schema = ref('Error')) => ({ description, content: json(schema) });
const object = (properties: Record<string, unknown>, required = Object.keys(properties)): Schema => ({ type: 'object', required, properties });
// Node's HTTP server answers this itself, before any route, for a request line plus headers over 16 KiB
const HEADERS_TOO_LARGE = { 431: { description: 'Request line or headers too large' } };

const tenant: Parameter = {
  name: 'tenant',
  in: 'query',
  required: true,
  description: 'Whose data: a tenant name ("default" for single-tenant installs).',
  schema: { type: 'string', pattern: TENANT_NAME_PATTERN.source, maxLength: 63 },
};
const before: Parameter = {
  ...start,
  name: 'before',
  description: "Delete only what is older than this (absent: all of the tenant's data), as epoch milliseconds or ISO-8601 between 1970 and 2200; anything else is a 400 naming the parameter.",
};
const action: Parameter = { name: 'action', in: 'query', description: 'Only entries of this action.', schema: { type: 'string', enum: ['token.created', 'token.revoked', 'data.deleted'] } };

export const ADMIN_SCHEMAS: Record<string, Schema> = {
  AuditEntry: object({ at: { type: 'string', format: 'date-time' }, action: { type: 'string' }, actor: { type: 'string' }, detail: { type: 'object' } }),
  DataDeletion: object({
    tenant: { type: 'string' },
    before: { type: ['string', 'null'] },
    stores: { type: 'array', items: object({ backend: { type: 'string' }, granularity: { type: 'string', enum: ['exact', 'day'] }, deleted: { type: 'object', additionalProperties: { type: 'integer' } } }) },
  }),
};

export function adminPaths(): Record<string, unknown> {
  return {
    '/api/admin/audit': {
      get: {
        operationId: 'auditLog',
        summary: 'The audit log (role admin), newest first: tokens created and revoked, data deleted; who, when and what',
        parameters: [limitParam(100, AUDIT_READ_MAX), action],
        responses: {
          200: answer('The entries; Cache-Control: no-store', object({ entries: { type: 'array', items: ref('AuditEntry') } })),
          400: answer('limit or action is malformed; `parameter` names it'),
          ...HEADERS_TOO_LARGE,
        },
      },
    },
    '/api/admin/data': {
      delete: {
        operationId: 'deleteData',
        summary: "Deletes a tenant's data (role admin), all of it or what is older than `before`, on every store; written to the audit log",
        parameters: [tenant, before],
        responses: {
          200: answer('What each store deleted', ref('DataDeletion')),
          400: answer('tenant or before is missing or malformed; `parameter` names it'),
          501: answer('A configured store cannot delete data'),
          503: { description: 'A store is unavailable; try again after Retry-After seconds', headers: { 'Retry-After': { schema: { type: 'integer' } } }, content: json(ref('Error')) },
          ...HEADERS_TOO_LARGE,
        },
      },
    },
  };
}

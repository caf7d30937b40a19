import { loadConfig } from '../core/config';
import { ChainscopeError } from '../core/errors';
import { Counters } from '../core/metrics';
import { AuditLog, auditFileBeside } from '../core/security/audit-log';
import { tenantNameOf } from '../core/security/tenants';
import { tokensFileOf } from '../core/security/token-store';
import { optionalTimeUs } from '../query-api/params';
import { deleteTenantData } from '../query-api/services/data-deletion-service';
import { pick } from './components/pick';
import { STORE_KEYS } from './backends';
import { cliActor } from './cli-actor';
import { parseFlags, UsageError } from './cli-flags';
import { openStoreSet, storeSettingsForTenant } from './tenant-stores';

export const DATA_USAGE = `usage: chainscope data delete --tenant TENANT [--before TIME]

  delete --tenant TENANT [--before TIME]
      deletes TENANT's data on every configured store (embedded, ClickHouse,
      OpenSearch/Elasticsearch): all of it, or only what is older than TIME
      (ISO-8601 or epoch milliseconds). The embedded store deletes exactly;
      ClickHouse and the search engines delete whole days (the day TIME falls
      in is kept). Written to the audit log beside the tokens file.
      Single-tenant installs: the tenant is "default".

The stores are the ones the configuration names (environment, CONFIG_FILE), as the server roles read them.
A running all-in-one may keep running: the embedded file takes the deletes between its writes. See docs/security.md.
`;

/** `chainscope data …`: what to print and the exit code (the entry point writes and exits). */
export async function runDataCommand(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ out: string; err: string; code: number }> {
  const [command, ...rest] = args;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') return { out: DATA_USAGE, err: '', code: command === undefined ? 2 : 0 };
  try {
    if (command !== 'delete') throw new UsageError(`unknown data command "${command}"`);
    const flags = parseFlags(rest, ['--tenant', '--before']);
    if (!flags['--tenant']) throw new UsageError('data delete needs --tenant (single-tenant installs: --tenant default)');
    const tenant = tenantNameOf(flags['--tenant'], '--tenant');
    const beforeUs = optionalTimeUs({ '--before': flags['--before'] }, '--before') ?? null;
    const config = loadConfig(env);
    const settings = storeSettingsForTenant(pick(config, STORE_KEYS), tenant);
    const stores = await openStoreSet(settings, { spansAndLogs: true, counters: new Counters(), ingestThreads: true });
    try {
      const audit = new AuditLog(auditFileBeside(tokensFileOf(config)));
      const deletion = await deleteTenantData(stores, tenant, beforeUs, audit, cliActor());
      return { out: JSON.stringify(deletion, null, 2) + '\n', err: `chainscope: deleted ${beforeUs === null ? 'all' : `before ${deletion.before}`} of tenant ${tenant}'s data; written to ${audit.file}\n`, code: 0 };
    } finally {
      await stores.shutdown();
    }
  } catch (err) {
    if (err instanceof UsageError) return { out: '', err: `chainscope data: ${err.message}\n${DATA_USAGE}`, code: 2 };
    const message = err instanceof ChainscopeError || err instanceof Error ? err.message : String(err);
    return { out: '', err: `chainscope data: ${message}\n`, code: 1 };
  }
}

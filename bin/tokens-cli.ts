import { loadConfig } from '../core/config';
import { ChainscopeError } from '../core/errors';
import { DEFAULT_TENANT } from '../core/security/tenants';
import { TokenStore, tokensFileOf, type TokenView } from '../core/security/token-store';
import { parseFlags, UsageError } from './cli-flags';
import { cliActor } from './cli-actor';

export const TOKENS_USAGE = `usage: chainscope tokens <command>

  create --role ingest|read|admin [--name NAME] [--tenant TENANT]
                                                  makes a token and prints it once (only its SHA-256 is kept);
                                                  its tenant (default "default") is whose data it writes and reads
  list                                            id, tenant, role, created, state, name
  revoke ID                                       the token stops working within a second, its UI sessions too

The tokens file is TOKENS_FILE, or DATA_DIR/security/tokens.json (default ./data/security/tokens.json).
Roles: ingest writes telemetry (OTLP, Zipkin), read uses the UI and the query API, admin does both and manages tokens.
A token is sent as Authorization: Bearer <token>; AUTH=tokens makes every port ask for one. See docs/security.md.
`;

/** `chainscope tokens …`: what to print and the exit code (the entry point writes and exits). */
export function runTokensCommand(args: string[], env: NodeJS.ProcessEnv = process.env): { out: string; err: string; code: number } {
  const [command, ...rest] = args;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') return { out: TOKENS_USAGE, err: '', code: command === undefined ? 2 : 0 };
  let store: TokenStore;
  try {
    store = new TokenStore(tokensFileOf(loadConfig(env)));
    switch (command) {
      case 'create': {
        const flags = parseFlags(rest, ['--role', '--name', '--tenant']);
        if (!flags['--role']) return usageError('tokens create needs --role ingest|read|admin');
        const { token, record } = store.create(flags['--name'] ?? `${flags['--role']} token`, flags['--role'], flags['--tenant'] ?? DEFAULT_TENANT, cliActor());
        return {
          out: `${token}\n`,
          err: `chainscope: token ${record.id} (${record.role}, tenant ${record.tenant}, "${record.name}") created in ${store.file}; it is shown only now\n`,
          code: 0,
        };
      }
      case 'list':
        if (rest.length > 0) return usageError(`tokens list takes no argument, got "${rest[0]}"`);
        return { out: table(store.list()), err: '', code: 0 };
      case 'revoke': {
        if (rest.length !== 1) return usageError('tokens revoke takes one token id (see chainscope tokens list)');
        const record = store.revoke(rest[0], cliActor());
        return { out: '', err: `chainscope: token ${record.id} ("${record.name}") revoked at ${record.revokedAt}\n`, code: 0 };
      }
      default:
        return usageError(`unknown tokens command "${command}"`);
    }
  } catch (err) {
    if (err instanceof UsageError) return usageError(err.message);
    const message = err instanceof ChainscopeError || err instanceof Error ? err.message : String(err);
    return { out: '', err: `chainscope tokens: ${message}\n`, code: 1 };
  }
}

function usageError(message: string) {
  return { out: '', err: `chainscope tokens: ${message}\n${TOKENS_USAGE}`, code: 2 };
}

function table(tokens: TokenView[]): string {
  if (tokens.length === 0) return 'no tokens\n';
  const rows = tokens.map((t) => [t.id, t.tenant, t.role, t.createdAt, t.revokedAt ? `revoked ${t.revokedAt}` : 'live', t.name]);
  return ['id\ttenant\trole\tcreated\tstate\tname', ...rows.map((r) => r.join('\t'))].join('\n') + '\n';
}

#!/usr/bin/env node
import { CannotStartError, ValidationError } from '../core/errors';
import { ROLES, startRole, type Role } from './run-role';
import { startShip } from '../collector/shipper/start-ship';

const USAGE = `usage: chainscope <role>

roles:
  all-in-one   collector + ingest + stores + query API + UI (+ demo) in one process (default)
  collector    OTLP/HTTP receiver publishing to Kafka
  ingest       Kafka consumer writing spans and logs to the stores
  query        query API + UI over the stores
  ship         tail log files and send them to a collector (chainscope ship --help)

Configuration: environment variables and an optional CONFIG_FILE (JSON); see docs/configuration.md.
`;

/** The one entry point: the only place that calls process.exit. */
async function main(argv: string[]): Promise<void> {
  const role = argv[0] ?? 'all-in-one';
  if (role === '--help' || role === '-h' || role === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  if (role === 'ship') {
    const shipping = await startShip(argv.slice(1));
    if (shipping === 'exit') process.exit(process.exitCode ?? 0);
    stopOnSignals(shipping);
    return;
  }
  if (!(ROLES as readonly string[]).includes(role)) {
    process.stderr.write(`chainscope: unknown role "${role}"\n${USAGE}`);
    process.exit(2);
  }
  let running: Awaited<ReturnType<typeof startRole>>;
  try {
    running = await startRole(role as Role);
  } catch (err) {
    if (err instanceof ValidationError) {
      process.stderr.write(`chainscope: bad configuration: ${err.message}\n`);
      process.exit(2);
    }
    if (err instanceof CannotStartError) {
      process.stderr.write(`chainscope: cannot start: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  stopOnSignals(running);
}

function stopOnSignals(running: { stop(): Promise<void> }): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`chainscope: ${signal} received, flushing and stopping`);
    running.stop().then(
      () => {
        console.log('chainscope: stopped');
        process.exit(0);
      },
      (err) => {
        console.error(`chainscope: failed to stop cleanly: ${err}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

main(process.argv.slice(2)).catch((err) => {
  console.error(`chainscope: ${(err as Error)?.stack ?? err}`);
  process.exit(1);
});

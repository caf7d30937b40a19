#!/usr/bin/env node
import { CannotStartError, ValidationError } from '../core/errors';
import { ROLES, startRole, type Role } from './run-role';
import { startShip } from '../collector/shipper/start-ship';
import { ROLE_HELP, USAGE, versionLine } from './usage';
import { runTokensCommand } from './tokens-cli';
import { runDataCommand } from './data-cli';

/** The one entry point: the only place that calls process.exit. */
async function main(argv: string[]): Promise<void> {
  const role = argv[0] === undefined || argv[0].startsWith('-') ? 'all-in-one' : argv[0];
  const flags = argv[0] === role ? argv.slice(1) : argv;
  if (role === 'help' || (argv[0] !== role && flags.some(isHelp))) {
    process.stdout.write(USAGE);
    return;
  }
  if (flags.includes('--version') || flags.includes('-v')) {
    process.stdout.write(versionLine());
    return;
  }
  if (role === 'tokens') {
    const result = runTokensCommand(argv.slice(1));
    process.stdout.write(result.out);
    process.stderr.write(result.err);
    process.exit(result.code);
  }
  if (role === 'data') {
    const result = await runDataCommand(argv.slice(1));
    process.stdout.write(result.out);
    process.stderr.write(result.err);
    process.exit(result.code);
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
  if (flags.some(isHelp)) {
    process.stdout.write(ROLE_HELP[role as Role]);
    return;
  }
  if (flags.length > 0) {
    process.stderr.write(`chainscope ${role}: unknown argument "${flags[0]}" (settings come from the environment and CONFIG_FILE)\n${ROLE_HELP[role as Role]}`);
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

function isHelp(arg: string): boolean {
  return arg === '--help' || arg === '-h';
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

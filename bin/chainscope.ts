#!/usr/bin/env node
import { ValidationError } from '../core/errors';
import { startAllInOne } from './all-in-one';

const USAGE = `usage: chainscope <role>

roles:
  all-in-one   collector + ingest + embedded store + query API + UI (+ demo) in one process
`;

/** The one entry point: the only place that calls process.exit. */
async function main(argv: string[]): Promise<void> {
  const role = argv[0] ?? 'all-in-one';
  if (role === '--help' || role === '-h' || role === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  if (role !== 'all-in-one') {
    process.stderr.write(`chainscope: unknown role "${role}"\n${USAGE}`);
    process.exit(2);
  }
  let running: Awaited<ReturnType<typeof startAllInOne>>;
  try {
    running = await startAllInOne();
  } catch (err) {
    if (err instanceof ValidationError) {
      process.stderr.write(`chainscope: bad configuration: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
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

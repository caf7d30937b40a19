import { parseShipArgs, Shipper, SHIP_USAGE, ShipUsageError } from './index';

/**
 * `chainscope ship`: parses the command line, starts the shipper. Returns
 * 'exit' (with process.exitCode set) for --help and usage errors; the entry
 * point does the exiting.
 */
export async function startShip(argv: string[]): Promise<{ stop(): Promise<void> } | 'exit'> {
  let options;
  try {
    options = parseShipArgs(argv);
  } catch (err) {
    if (!(err instanceof ShipUsageError)) throw err;
    process.stderr.write(`chainscope ship: ${err.message}\n\n${SHIP_USAGE}`);
    process.exitCode = 2;
    return 'exit';
  }
  if (options === 'help') {
    process.stdout.write(SHIP_USAGE);
    return 'exit';
  }
  // from the environment, not a flag: a token on the command line shows in ps
  if (process.env.CHAINSCOPE_TOKEN) options.authorization = `Bearer ${process.env.CHAINSCOPE_TOKEN}`;
  const shipper = new Shipper(options);
  await shipper.start();
  const files = options.sources.flatMap((s) => s.paths).join(' ');
  process.stderr.write(`chainscope ship: following ${files} -> ${options.endpoint}/v1/logs (checkpoints in ${options.stateDir})\n`);
  // the shipper's own timers are unref'd; this one keeps the process alive until stopped
  const keepAlive = setInterval(() => undefined, 1 << 30);
  return {
    stop: async () => {
      await shipper.shutdown();
      clearInterval(keepAlive);
    },
  };
}

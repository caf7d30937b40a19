#!/usr/bin/env node
/**
 * Run the demo order center standalone:
 *   node dist/demo/main.js --endpoint http://127.0.0.1:4318 --rate 2
 *   node dist/demo/main.js --log-dir /tmp/demo-logs   # logs as JSON lines in <dir>/<service>.log, for `chainscope ship`
 *   node dist/demo/main.js --processes                 # each service in its own process
 *   DEMO_FAULTS='[{"kind":"latency","service":"inventory","operation":"POST /inventory/reservations","addedMs":1500}]' \
 *     node dist/demo/main.js --ground-truth /tmp/faults.jsonl --no-natural-faults
 * Faults can also be switched at run time: POST/DELETE http://127.0.0.1:<service port>/_demo/faults.
 */
import { faultsFromEnv } from './faults';
import { startDemo } from './index';

function usage(): never {
  process.stderr.write(
    'usage: main.js [--endpoint http://127.0.0.1:4318] [--rate 2] [--duration seconds] [--log-dir DIR] [--processes]\n' +
      '               [--ground-truth FILE] [--no-natural-faults]   (env DEMO_FAULTS: JSON fault specs, see demo/README.md)\n',
  );
  process.exit(2);
}

interface Args {
  endpoint: string;
  rate: number;
  duration: number;
  logDir?: string;
  processes: boolean;
  groundTruth?: string;
  naturalFaults: boolean;
}

function parseArgs(argv: string[]): Args {
  const out: Args = {
    endpoint: process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'http://127.0.0.1:4318',
    rate: 2,
    duration: 0,
    processes: false,
    groundTruth: process.env.DEMO_GROUND_TRUTH || undefined,
    naturalFaults: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i] ?? usage();
    switch (flag) {
      case '--endpoint':
        out.endpoint = value();
        break;
      case '--rate':
        out.rate = Number(value());
        break;
      case '--duration':
        out.duration = Number(value());
        break;
      case '--log-dir':
        out.logDir = value();
        break;
      case '--processes':
        out.processes = true;
        break;
      case '--ground-truth':
        out.groundTruth = value();
        break;
      case '--no-natural-faults':
        out.naturalFaults = false;
        break;
      case '-h':
      case '--help':
        usage();
        break;
      default:
        process.stderr.write(`unknown argument: ${argv[i]}\n`);
        usage();
    }
  }
  if (!(out.rate > 0)) usage();
  if (!(out.duration >= 0)) usage();
  return out;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
  const demo = await startDemo({
    otlpEndpoint: args.endpoint,
    ordersPerSecond: args.rate,
    logger: log,
    statsIntervalMs: 30000,
    logDir: args.logDir,
    processes: args.processes,
    faults: faultsFromEnv(process.env.DEMO_FAULTS),
    groundTruthFile: args.groundTruth,
    naturalFaults: args.naturalFaults,
  });
  log(`demo ports (faults control at /_demo/faults): ${JSON.stringify(demo.ports)}`);
  // Services' servers and timers are unref'd; this interval keeps the CLI alive until told to stop.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  let stopping = false;
  const shutdown = async (why: string) => {
    if (stopping) return;
    stopping = true;
    log(`stopping (${why})`);
    await demo.stop();
    clearInterval(keepAlive);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  if (args.duration > 0) setTimeout(() => void shutdown(`--duration ${args.duration}s elapsed`), args.duration * 1000).unref();
}

main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});

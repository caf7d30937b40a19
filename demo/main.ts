#!/usr/bin/env node
/**
 * Run the demo order center standalone:
 *   node dist/demo/main.js --endpoint http://127.0.0.1:4318 --rate 2
 *   node dist/demo/main.js --log-dir /tmp/demo-logs   # logs as JSON lines in <dir>/<service>.log, for `chainscope ship`
 */
import { startDemo } from './index';

function usage(): never {
  process.stderr.write('usage: main.js [--endpoint http://127.0.0.1:4318] [--rate 2] [--duration seconds] [--log-dir DIR]\n');
  process.exit(2);
}

function parseArgs(argv: string[]): { endpoint: string; rate: number; duration: number; logDir?: string } {
  const out: { endpoint: string; rate: number; duration: number; logDir?: string } = {
    endpoint: process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'http://127.0.0.1:4318',
    rate: 2,
    duration: 0,
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
  const demo = await startDemo({ otlpEndpoint: args.endpoint, ordersPerSecond: args.rate, logger: log, statsIntervalMs: 30000, logDir: args.logDir });
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

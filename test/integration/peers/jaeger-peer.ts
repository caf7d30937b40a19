import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { waitFor } from '../../helpers/wait';
import { freePort } from '../../helpers/free-port';

const JAEGER_VERSION = process.env.JAEGER_VERSION ?? '1.75.0';
const CACHE_ROOT = process.env.CHAINSCOPE_CACHE ?? path.join(os.homedir(), '.cache', 'chainscope');

/**
 * `describe` for suites that race a real Jaeger v2: skipped when it is not installed, except
 * under REQUIRE_ENGINES=1 (CI installs it with scripts/peers/install), where a missing
 * binary fails the suite instead of skipping it.
 */
export function describeWithJaeger(title: string, body: (binary: string) => void): void {
  const binary = installedJaeger();
  if (binary) {
    describe(title, () => body(binary));
  } else if (process.env.REQUIRE_ENGINES === '1') {
    describe(title, () => {
      it('needs Jaeger v2', () => {
        throw new Error('Jaeger v2 is not installed (REQUIRE_ENGINES=1): run scripts/peers/install jaeger');
      });
    });
  } else {
    describe.skip(`${title} [skipped: Jaeger v2 not installed; scripts/peers/install jaeger]`, () => body(''));
  }
}

/** The Jaeger v2 binary scripts/peers/install builds, or undefined when it has not been installed. */
export function installedJaeger(): string | undefined {
  const dir = path.join(CACHE_ROOT, `jaeger-${JAEGER_VERSION}`);
  const binary = path.join(dir, 'jaeger');
  return fs.existsSync(path.join(dir, '.chainscope-complete')) && fs.existsSync(binary) ? binary : undefined;
}

export interface RunningJaeger {
  /** OTLP/HTTP receiver, e.g. http://127.0.0.1:4318 (POST /v1/traces, /v1/logs). */
  otlpHttpUrl: string;
  /** Jaeger's query API (the /api/... of Jaeger UI). */
  queryUrl: string;
  stop(): Promise<void>;
}


/** Where the collector's `kafka` exporter writes: plain `otlp_proto` messages, one export request each. */
export interface JaegerKafkaExport {
  brokers: string;
  tracesTopic: string;
  logsTopic: string;
}

/**
 * Jaeger v2 as an OpenTelemetry Collector: OTLP/HTTP in, traces kept in its
 * in-memory store (answered by its query API) and, with `forwardGrpc`, traces
 * and logs forwarded by its `otlp` exporter over gRPC (gzip) — the set-up of a
 * user whose collector forwards to Chainscope; with `kafka`, traces and logs
 * written by its `kafka` exporter (`otlp_proto`) to the topics Chainscope's
 * ingest reads.
 */
export async function startJaeger(binary: string, forwardGrpc?: string, kafka?: JaegerKafkaExport): Promise<RunningJaeger> {
  const ports = { otlpHttp: await freePort(), queryHttp: await freePort(), queryGrpc: await freePort(), metrics: await freePort() };
  const forward = forwardGrpc?.replace(/^https?:\/\//, '');
  const logExporters = [...(forward ? ['otlp'] : []), ...(kafka ? ['kafka'] : [])];
  const traceExporters = ['jaeger_storage_exporter', ...logExporters];
  const yaml = [
    'service:',
    '  extensions: [jaeger_storage, jaeger_query]',
    '  pipelines:',
    '    traces:',
    '      receivers: [otlp]',
    '      processors: [batch]',
    `      exporters: [${traceExporters.join(', ')}]`,
    ...(logExporters.length > 0 ? ['    logs:', '      receivers: [otlp]', '      processors: [batch]', `      exporters: [${logExporters.join(', ')}]`] : []),
    '  telemetry:',
    '    resource:',
    '      service.name: jaeger',
    '    metrics:',
    '      level: basic',
    '      readers:',
    '        - pull:',
    '            exporter:',
    '              prometheus:',
    '                host: 127.0.0.1',
    `                port: ${ports.metrics}`,
    '    logs:',
    '      level: warn',
    'extensions:',
    '  jaeger_query:',
    '    enable_tracing: false',
    '    storage:',
    '      traces: test_store',
    '    http:',
    `      endpoint: 127.0.0.1:${ports.queryHttp}`,
    '    grpc:',
    `      endpoint: 127.0.0.1:${ports.queryGrpc}`,
    '  jaeger_storage:',
    '    backends:',
    '      test_store:',
    '        memory:',
    '          max_traces: 100000',
    'receivers:',
    '  otlp:',
    '    protocols:',
    '      http:',
    `        endpoint: 127.0.0.1:${ports.otlpHttp}`,
    'processors:',
    '  batch:',
    '    timeout: 100ms',
    'exporters:',
    '  jaeger_storage_exporter:',
    '    trace_storage: test_store',
    ...(forward ? ['  otlp:', `    endpoint: ${forward}`, '    tls:', '      insecure: true', '    compression: gzip'] : []),
    ...(kafka
      ? ['  kafka:', `    brokers: [${kafka.brokers}]`, '    traces:', `      topic: ${kafka.tracesTopic}`, '      encoding: otlp_proto', '    logs:', `      topic: ${kafka.logsTopic}`, '      encoding: otlp_proto']
      : []),
    '',
  ].join('\n');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-jaeger-'));
  const configFile = path.join(dir, 'config.yaml');
  fs.writeFileSync(configFile, yaml);
  const child: ChildProcess = spawn(binary, ['--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (d: Buffer) => void (output = (output + d.toString()).slice(-8192));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(kill);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const queryUrl = `http://127.0.0.1:${ports.queryHttp}`;
  try {
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`jaeger exited with ${child.exitCode}: ${output}`);
      return (await fetch(`${queryUrl}/api/services`).catch(() => null))?.ok;
    }, 'Jaeger v2 to serve its query API', 60_000, 100);
  } catch (err) {
    await stop();
    throw err;
  }
  return { otlpHttpUrl: `http://127.0.0.1:${ports.otlpHttp}`, queryUrl, stop };
}

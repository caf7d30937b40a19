import fs from 'node:fs';
import path from 'node:path';
import { cachedPeerFiles, describeWithPeer, peerFolder, startPeerProcess } from '../../helpers/cached-peer';
import { freePort } from '../../helpers/free-port';

const JAEGER_VERSION = process.env.JAEGER_VERSION ?? '1.75.0';

/** `describe` for suites that race a real Jaeger v2 (see describeWithPeer). */
export function describeWithJaeger(title: string, body: (binary: string) => void): void {
  describeWithPeer({ name: 'Jaeger v2', install: 'scripts/peers/install jaeger', find: installedJaeger, placeholder: '' }, title, body);
}

/** The Jaeger v2 binary scripts/peers/install builds, or undefined when it has not been installed. */
export function installedJaeger(): string | undefined {
  return cachedPeerFiles(`jaeger-${JAEGER_VERSION}`, ['jaeger'])?.[0];
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
  const folder = peerFolder('jaeger');
  const configFile = path.join(folder, 'config.yaml');
  fs.writeFileSync(configFile, yaml);
  const queryUrl = `http://127.0.0.1:${ports.queryHttp}`;
  const { stop } = await startPeerProcess({
    name: 'Jaeger v2',
    binary,
    args: ['--config', configFile],
    folder,
    ready: async () => (await fetch(`${queryUrl}/api/services`).catch(() => null))?.ok,
    timeoutMs: 60_000,
  });
  return { otlpHttpUrl: `http://127.0.0.1:${ports.otlpHttp}`, queryUrl, stop };
}

/** Where a Jaeger v2 process listens; every port of its default config is moved or left out. */
export interface JaegerPorts {
  otlpHttp: number;
  queryHttp: number;
  queryGrpc: number;
  metrics: number;
}

export type JaegerStorage = { kind: 'memory'; maxTraces: number } | { kind: 'badger'; directory: string };

function storageBlock(storage: JaegerStorage): string[] {
  if (storage.kind === 'memory') return ['        memory:', `          max_traces: ${storage.maxTraces}`];
  const dir = JSON.stringify(storage.directory);
  return [
    '        badger:',
    '          directories:',
    `            keys: ${dir}`,
    `            values: ${dir}`,
    '          ephemeral: false',
    '          ttl:',
    '            spans: 48h',
  ];
}

/**
 * A Jaeger v2 config (YAML) modelled on its `cmd/jaeger/config*.yaml`, cut to
 * what the race needs: OTLP/HTTP in (no gRPC, Jaeger or Zipkin receivers, no
 * remote sampling, health check or pprof), the batch processor, one storage
 * backend, the query API on loopback with its self-tracing off, and the
 * collector's own metrics on a port of ours instead of 8888.
 */
export function jaegerConfigYaml(ports: JaegerPorts, storage: JaegerStorage): string {
  return [
    'service:',
    '  extensions: [jaeger_storage, jaeger_query]',
    '  pipelines:',
    '    traces:',
    '      receivers: [otlp]',
    '      processors: [batch]',
    '      exporters: [jaeger_storage_exporter]',
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
    '      traces: bench_store',
    '    http:',
    `      endpoint: 127.0.0.1:${ports.queryHttp}`,
    '    grpc:',
    `      endpoint: 127.0.0.1:${ports.queryGrpc}`,
    '  jaeger_storage:',
    '    backends:',
    '      bench_store:',
    ...storageBlock(storage),
    'receivers:',
    '  otlp:',
    '    protocols:',
    '      http:',
    `        endpoint: 127.0.0.1:${ports.otlpHttp}`,
    'processors:',
    '  batch:',
    'exporters:',
    '  jaeger_storage_exporter:',
    '    trace_storage: bench_store',
    '',
  ].join('\n');
}

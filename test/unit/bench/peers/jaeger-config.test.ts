import { jaegerConfigYaml } from '../../../../bench/peers/jaeger-config';

const ports = { otlpHttp: 41001, queryHttp: 41002, queryGrpc: 41003, metrics: 41004 };
// every port Jaeger v2's own configs listen on: OTLP, query, health, metrics, pprof, zpages, sampling, Jaeger and Zipkin receivers
const DEFAULT_PORTS = [4317, 4318, 16686, 16685, 13133, 8888, 1777, 55679, 5778, 5779, 14250, 14268, 6831, 6832, 9411];

describe('jaegerConfigYaml', () => {
  it('moves every port to ours, on loopback, and listens on no default one', () => {
    const yaml = jaegerConfigYaml(ports, { kind: 'memory', maxTraces: 500_000 });
    expect(yaml).toContain('endpoint: 127.0.0.1:41001');
    expect(yaml).toContain('endpoint: 127.0.0.1:41002');
    expect(yaml).toContain('endpoint: 127.0.0.1:41003');
    expect(yaml).toMatch(/host: 127\.0\.0\.1\n\s+port: 41004/);
    for (const port of DEFAULT_PORTS) expect(yaml).not.toMatch(new RegExp(`\\b${port}\\b`));
    expect(yaml).not.toContain('0.0.0.0');
    expect(yaml).not.toMatch(/grpc:\n\s+http:/); // no OTLP gRPC receiver on 4317 by default
  });

  it('turns the query service self-tracing off and wires one store through', () => {
    const yaml = jaegerConfigYaml(ports, { kind: 'memory', maxTraces: 500_000 });
    expect(yaml).toContain('enable_tracing: false');
    expect(yaml).toMatch(/memory:\n\s+max_traces: 500000/);
    expect(yaml.match(/bench_store/g)).toHaveLength(3);
    expect(yaml).not.toContain('\t');
  });

  it('puts Badger keys and values in the given folder, quoted', () => {
    const yaml = jaegerConfigYaml(ports, { kind: 'badger', directory: '/tmp/a b/badger' });
    expect(yaml).toContain('keys: "/tmp/a b/badger"');
    expect(yaml).toContain('values: "/tmp/a b/badger"');
    expect(yaml).toContain('ephemeral: false');
    expect(yaml).not.toContain('memory:');
  });
});

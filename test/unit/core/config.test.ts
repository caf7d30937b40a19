import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_CONFIG, loadConfig } from '../../../core/config';
import { ValidationError } from '../../../core/errors';

function failure(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return err as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

function configFile(content: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cs-config-')), 'chainscope.json');
  fs.writeFileSync(file, content);
  return file;
}

describe('config', () => {
  it('defaults with no environment', () => {
    expect(loadConfig({})).toEqual(DEFAULT_CONFIG);
  });

  it('reads typed values from environment variables', () => {
    const c = loadConfig({
      PORT: '9090',
      DEMO: '0',
      BUSINESS_KEYS: 'order.id, ticket.id',
      BUS: 'kafka',
      KAFKA_BROKERS: 'k1:9092,k2:9092',
      SPAN_STORE: 'ClickHouse',
      CLICKHOUSE_URL: 'http://ch:8123/',
    });
    expect(c).toMatchObject({
      port: 9090,
      demo: false,
      businessKeys: ['order.id', 'ticket.id'],
      bus: 'kafka',
      kafkaBrokers: ['k1:9092', 'k2:9092'],
      spanStore: 'clickhouse',
      clickhouseUrl: 'http://ch:8123',
    });
    expect(loadConfig({ INGEST_THREAD_CACHE_MIB: '24' }).ingestThreadCacheMiB).toBe(24);
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['DEMO', 'maybe'],
    ['BUS', 'rabbitmq'],
    ['LOG_STORE', 'loki'],
    ['KAFKA_BROKERS', 'no-port'],
    ['CLICKHOUSE_URL', 'ftp://x'],
    ['CLICKHOUSE_DATABASE', 'a;drop'],
    ['KAFKA_SPANS_TOPIC', 'bad topic'],
    ['DEMO_RATE', '-1'],
    ['INGEST_THREAD_CACHE_MIB', '0'],
    ['INGEST_THREAD_CACHE_MIB', '2048'],
  ])('refuses %s=%s naming the variable', (name, value) => {
    const err = failure(() => loadConfig({ [name]: value }));
    expect(err.parameter).toBe(name);
    expect(err.message).toContain(name);
  });

  it('OTLP_GRPC_PORT and ZIPKIN_PORT: 4317 and 9411, off, and free ports when OTLP_HTTP_PORT is 0 unless given', () => {
    expect(loadConfig({})).toMatchObject({ otlpGrpcPort: 4317, zipkinPort: 9411 });
    expect(loadConfig({ OTLP_GRPC_PORT: 'off', ZIPKIN_PORT: '19411' })).toMatchObject({ otlpGrpcPort: null, zipkinPort: 19411 });
    expect(loadConfig({ OTLP_HTTP_PORT: '0' })).toMatchObject({ otlpGrpcPort: 0, zipkinPort: 0 });
    expect(loadConfig({ OTLP_HTTP_PORT: '0', OTLP_GRPC_PORT: '4317', ZIPKIN_PORT: 'off' })).toMatchObject({ otlpGrpcPort: 4317, zipkinPort: null });
    expect(loadConfig({}, { otlpHttpPort: 0, zipkinPort: null })).toMatchObject({ otlpGrpcPort: 0, zipkinPort: null });
    expect(failure(() => loadConfig({ OTLP_GRPC_PORT: '70000' })).parameter).toBe('OTLP_GRPC_PORT');
  });

  it('DEMO_LOG_DIR: a folder, or off (the demo sends its logs over OTLP); default empty = under DATA_DIR', () => {
    expect(loadConfig({}).demoLogDir).toBe('');
    expect(loadConfig({ DEMO_LOG_DIR: '/var/log/demo' }).demoLogDir).toBe('/var/log/demo');
    for (const off of ['off', 'OFF', 'none', '-']) expect(loadConfig({ DEMO_LOG_DIR: off }).demoLogDir).toBeNull();
    expect(loadConfig({ CONFIG_FILE: configFile('{"demoLogDir": null}') }).demoLogDir).toBeNull();
  });

  it('LOG_SERVICE_FROM: field:<name> and file rules, comma-separated, in order; LOG_SERVICE bounded', () => {
    expect(loadConfig({}).logServiceFrom).toEqual([]);
    expect(loadConfig({ LOG_SERVICE_FROM: 'field:service, file' }).logServiceFrom).toEqual(['field:service', 'file']);
    expect(loadConfig({ CONFIG_FILE: configFile('{"logServiceFrom": ["field:app"]}') }).logServiceFrom).toEqual(['field:app']);
    expect(loadConfig({ CONFIG_FILE: configFile('{"logServiceFrom": []}') }).logServiceFrom).toEqual([]);
    const bad = failure(() => loadConfig({ LOG_SERVICE_FROM: 'field:service,filename' }));
    expect(bad.parameter).toBe('LOG_SERVICE_FROM');
    expect(bad.message).toBe('LOG_SERVICE_FROM must be field:<name> or file, got "filename"'); // the shipper's words: one grammar (core/log-source-spec.ts)
    expect(failure(() => loadConfig({ LOG_SERVICE_FROM: 'field:' })).message).toContain('"field:"');
    expect(failure(() => loadConfig({ LOG_SERVICE: 'x'.repeat(257) })).message).toBe('LOG_SERVICE must be at most 256 characters, got 257');
  });

  it('reads a JSON config file under the environment', () => {
    const file = configFile(JSON.stringify({ port: 7070, otlpHttpPort: 7071, logStore: 'opensearch', businessKeys: ['order.id'] }));
    expect(loadConfig({ CONFIG_FILE: file, OTLP_HTTP_PORT: '6061' })).toMatchObject({
      port: 7070,
      otlpHttpPort: 6061,
      logStore: 'opensearch',
      businessKeys: ['order.id'],
    });
  });

  it('refuses unknown keys and bad values in the config file', () => {
    expect(failure(() => loadConfig({ CONFIG_FILE: configFile('{"prot": 1}') })).message).toMatch(/unknown key\(s\) prot/);
    expect(failure(() => loadConfig({ CONFIG_FILE: configFile('{"port": "x"}') })).parameter).toBe('port');
    expect(failure(() => loadConfig({ CONFIG_FILE: configFile('[1]') })).parameter).toBe('CONFIG_FILE');
    expect(failure(() => loadConfig({ CONFIG_FILE: '/no/such/file.json' })).parameter).toBe('CONFIG_FILE');
  });
});

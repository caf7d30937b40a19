import fs from 'node:fs';
import path from 'node:path';
import { jaegerConfigYaml, type JaegerStorage } from './jaeger-config';
import { freePort, makeTempDir, removeTempDir, spawnPeer, waitUntilServing, type PeerProcess } from './processes';

/** One server in the race, started and serving, with how to ask it the race's questions. */
export interface Contender {
  name: string;
  process: PeerProcess;
  /** Where the load goes, and which encoding of it. */
  ingestUrl: string;
  load: 'otlp' | 'zipkinJson';
  contentType: string;
  traceUrl(traceId: string): string;
  /** Spans in a by-id answer (0 for a 404). */
  spansInTrace(status: number, body: unknown): number;
  /** A search for the root service's traces carrying `order.id` = `orderId`. */
  tagSearchUrl(orderId: string): string;
  hitsInSearch(body: unknown): number;
  /** Stops the server and removes its files. */
  stop(): Promise<void>;
}

export type ContenderName = 'chainscope' | 'jaeger-memory' | 'jaeger-badger' | 'zipkin';
export const CONTENDER_NAMES: ContenderName[] = ['chainscope', 'jaeger-memory', 'jaeger-badger', 'zipkin'];

export interface PeerBinaries {
  jaeger: string;
  zipkinJar: string;
}

/** Sizes and the time window of the load, which the servers' limits and searches must cover. */
export interface LoadShape {
  spans: number;
  rootService: string;
  startUs: number;
}

/** Stops the process whatever happens, then removes its folder. */
function stopper(peer: PeerProcess, dir: string): () => Promise<void> {
  return async () => {
    try {
      await peer.stop();
    } finally {
      removeTempDir(dir);
    }
  };
}

async function startChainscope(shape: LoadShape): Promise<Contender> {
  const dir = makeTempDir('chainscope');
  const [apiPort, otlpPort] = [await freePort(), await freePort()];
  const entry = path.resolve(__dirname, '..', '..', 'bin', 'chainscope.js');
  const peer = spawnPeer('chainscope', process.execPath, [entry, 'all-in-one'], {
    DEMO: '0',
    HOST: '127.0.0.1',
    PORT: String(apiPort),
    OTLP_HTTP_PORT: String(otlpPort),
    // the race speaks OTLP/HTTP only: no fixed default ports (4317, 9411) to collide with
    OTLP_GRPC_PORT: 'off',
    ZIPKIN_PORT: 'off',
    DATA_DIR: dir,
  });
  const api = `http://127.0.0.1:${apiPort}`;
  const stop = stopper(peer, dir);
  try {
    await waitUntilServing(peer, `${api}/metrics`);
    await waitUntilServing(peer, `http://127.0.0.1:${otlpPort}/v1/traces`, true);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    name: 'chainscope',
    process: peer,
    ingestUrl: `http://127.0.0.1:${otlpPort}/v1/traces`,
    load: 'otlp',
    contentType: 'application/x-protobuf',
    traceUrl: (id) => `${api}/api/traces/${id}`,
    spansInTrace: (status, body) => (status === 200 ? ((body as { spans?: unknown[] }).spans?.length ?? 0) : 0),
    tagSearchUrl: (orderId) =>
      `${api}/api/traces?service=${shape.rootService}&tags=${encodeURIComponent(JSON.stringify({ 'order.id': orderId }))}&limit=20`,
    hitsInSearch: (body) => (body as { traces?: unknown[] }).traces?.length ?? 0,
    stop,
  };
}

async function startJaeger(binary: string, storageKind: JaegerStorage['kind'], shape: LoadShape): Promise<Contender> {
  const dir = makeTempDir(`jaeger-${storageKind}`);
  const ports = { otlpHttp: await freePort(), queryHttp: await freePort(), queryGrpc: await freePort(), metrics: await freePort() };
  const storage: JaegerStorage =
    storageKind === 'memory' ? { kind: 'memory', maxTraces: Math.max(100_000, shape.spans) } : { kind: 'badger', directory: path.join(dir, 'badger') };
  const configFile = path.join(dir, 'config.yaml');
  fs.writeFileSync(configFile, jaegerConfigYaml(ports, storage));
  // the SDK variables keep any OpenTelemetry SDK in the process from exporting to the default localhost:4317
  const peer = spawnPeer(`jaeger-${storageKind}`, binary, ['--config', configFile], { OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'none' }, dir);
  const query = `http://127.0.0.1:${ports.queryHttp}`;
  const stop = stopper(peer, dir);
  try {
    await waitUntilServing(peer, `${query}/api/services`);
    await waitUntilServing(peer, `http://127.0.0.1:${ports.otlpHttp}/v1/traces`, true);
  } catch (err) {
    await stop();
    throw err;
  }
  // Jaeger's search window is start/end in µs; wide enough for the whole load
  const window = `start=${shape.startUs - 60_000_000}&end=${Date.now() * 1000 + 3_600_000_000}`;
  return {
    name: `jaeger-${storageKind}`,
    process: peer,
    ingestUrl: `http://127.0.0.1:${ports.otlpHttp}/v1/traces`,
    load: 'otlp',
    contentType: 'application/x-protobuf',
    traceUrl: (id) => `${query}/api/traces/${id}`,
    spansInTrace: (status, body) => {
      if (status !== 200) return 0;
      const data = (body as { data?: { spans?: unknown[] }[] }).data ?? [];
      return data.reduce((n, t) => n + (t.spans?.length ?? 0), 0);
    },
    tagSearchUrl: (orderId) =>
      `${query}/api/traces?service=${shape.rootService}&tags=${encodeURIComponent(JSON.stringify({ 'order.id': orderId }))}&${window}&limit=20`,
    hitsInSearch: (body) => (body as { data?: unknown[] }).data?.length ?? 0,
    stop,
  };
}

async function startZipkin(jar: string, shape: LoadShape): Promise<Contender> {
  const dir = makeTempDir('zipkin');
  const port = await freePort();
  const peer = spawnPeer(
    'zipkin',
    'java',
    ['-jar', jar, `--armeria.ports[0].port=${port}`, '--armeria.ports[0].ip=127.0.0.1', '--armeria.ports[0].protocols[0]=http'],
    // in-memory storage keeps MEM_MAX_SPANS (500,000 by default) and drops the oldest beyond
    { STORAGE_TYPE: 'mem', MEM_MAX_SPANS: String(Math.max(500_000, shape.spans * 2)), QUERY_PORT: String(port), SELF_TRACING_ENABLED: 'false' },
    dir,
  );
  const base = `http://127.0.0.1:${port}`;
  const stop = stopper(peer, dir);
  try {
    await waitUntilServing(peer, `${base}/health`);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    name: 'zipkin',
    process: peer,
    ingestUrl: `${base}/api/v2/spans`,
    load: 'zipkinJson',
    contentType: 'application/json',
    traceUrl: (id) => `${base}/api/v2/trace/${id}`,
    spansInTrace: (status, body) => (status === 200 && Array.isArray(body) ? body.length : 0),
    tagSearchUrl: (orderId) =>
      `${base}/api/v2/traces?serviceName=${shape.rootService}&annotationQuery=${encodeURIComponent(`order.id=${orderId}`)}&limit=20`,
    hitsInSearch: (body) => (Array.isArray(body) ? body.length : 0),
    stop,
  };
}

/** Starts one contender in a fresh folder on free ports; resolves once it serves. */
export async function startContender(name: ContenderName, binaries: Partial<PeerBinaries>, shape: LoadShape): Promise<Contender> {
  if (name === 'chainscope') return startChainscope(shape);
  const binary = name === 'zipkin' ? binaries.zipkinJar : binaries.jaeger;
  if (!binary) throw new Error(`${name} needs scripts/peers/install`);
  if (name === 'zipkin') return startZipkin(binary, shape);
  return startJaeger(binary, name === 'jaeger-memory' ? 'memory' : 'badger', shape);
}

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { TENANT_HEADER } from '../../../core/contracts/bus';
import { encodeTraceRequestProto } from '../../../core/otlp';
import type { Span } from '../../../core/model';
import { DEFAULT_TENANT } from '../../../core/security/tenants';
import { TokenStore } from '../../../core/security/token-store';
import { DEAD_LETTER_REASON_HEADER, DEAD_LETTER_SOURCE_HEADER } from '../../../ingest/batch-processor';
import { describeWithEngines } from '../../helpers/engines';
import { waitFor } from '../../helpers/wait';
import { Harness, logStream, roleEnv, runNames, sharedEngines, spanStream, type LogStream, type SpanStream, readFromStart, type StartedRole } from './helpers';

/**
 * Two tenants through the distributed roles (AUTH=tokens on the collector and
 * the query API, one shared TOKENS_FILE; Kafka bus, ClickHouse spans,
 * OpenSearch logs): the collector stamps each message with the tenant of the
 * verified ingest token, ingest writes it to that tenant's stores, and each
 * tenant's read token finds its own traces and logs and nothing of the other's,
 * although both use the same service name. A message put on the topic without
 * the tenant header is the default tenant's whatever its payload says; one
 * whose header is not a tenant name goes to the dead-letter topic
 * (docs/security.md, "Tenants").
 */
const TENANTS = ['acme', 'globex-2'] as const;
type Tenant = (typeof TENANTS)[number];
const READERS = [...TENANTS, DEFAULT_TENANT] as const;
type Reader = (typeof READERS)[number];

const DEAD_LETTERED = 'chainscope_ingest_dead_lettered_total';

const sorted = (ids: Iterable<string>) => [...ids].sort();

interface Written {
  spans: SpanStream;
  logs: LogStream;
}

async function api(queryUrl: string, pathAndQuery: string, token: string): Promise<{ status: number; json: any }> {
  const res = await fetch(`${queryUrl}${pathAndQuery}`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(20_000) });
  const text = await res.text();
  return { status: res.status, json: res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
}

async function postOtlp(otlpUrl: string, signal: 'traces' | 'logs', body: Buffer, token?: string): Promise<number> {
  const headers: Record<string, string> = { 'content-type': 'application/x-protobuf' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${otlpUrl}/v1/${signal}`, { method: 'POST', body, headers, signal: AbortSignal.timeout(20_000) });
  await res.arrayBuffer();
  return res.status;
}

/** The trace ids GET /api/traces?service= answers for `token`. */
async function tracesOfService(queryUrl: string, service: string, token: string): Promise<string[]> {
  const { status, json } = await api(queryUrl, `/api/traces?service=${encodeURIComponent(service)}&limit=100`, token);
  expect(status).toBe(200);
  return (json.traces as { traceId: string }[]).map((t) => t.traceId).sort();
}

/** The log ids GET /api/logs?service= answers for `token`. */
async function logsOfService(queryUrl: string, service: string, token: string): Promise<string[]> {
  const { status, json } = await api(queryUrl, `/api/logs?service=${encodeURIComponent(service)}&limit=100`, token);
  expect(status).toBe(200);
  return (json.logs as { id: string }[]).map((l) => l.id).sort();
}

/** GET /api/traces/:id for `token`: the status and the span ids answered. */
async function spanIdsOfTrace(queryUrl: string, traceId: string, token: string): Promise<{ status: number; spanIds: string[] }> {
  const { status, json } = await api(queryUrl, `/api/traces/${traceId}`, token);
  return { status, spanIds: status === 200 ? sorted((json.spans as { spanId: string }[]).map((s) => s.spanId)) : [] };
}

/** Waits (with a deadline) until `read` answers `want`, then asserts it: a timeout fails with the difference. */
async function expectEventually<T>(read: () => Promise<T>, want: T, what: string): Promise<void> {
  await waitFor(async () => isDeepStrictEqual(await read(), want), what, 60_000).catch(() => undefined);
  expect(await read()).toEqual(want);
}

/** One trace of two spans whose payload claims tenant `claimed` everywhere a client could write it. */
function forgedTrace(service: string, claimed: string): { traceId: string; body: Buffer } {
  const traceId = crypto.randomBytes(16).toString('hex');
  const rootId = crypto.randomBytes(8).toString('hex');
  const startUs = Date.now() * 1000 - 30_000_000;
  const claims = { tenant: claimed, 'chainscope.tenant': claimed, [TENANT_HEADER]: claimed };
  const span = (spanId: string, parentSpanId: string, name: string): Span => ({
    traceId,
    spanId,
    parentSpanId,
    service,
    name,
    kind: 'server',
    startUs,
    durationUs: 1000,
    status: { code: 'unset', message: '' },
    attributes: claims,
    resource: { 'service.name': service, ...claims },
    events: [],
    links: [],
    scope: { name: 'chainscope-distributed-test', version: '1' },
  });
  return { traceId, body: Buffer.from(encodeTraceRequestProto([span(rootId, '', 'GET /forged'), span(crypto.randomBytes(8).toString('hex'), rootId, 'step')])) };
}


describeWithEngines(['kafka', 'clickhouse', 'opensearch'], 'distributed: two tenants, AUTH=tokens', () => {
  const harness = new Harness();
  afterAll(() => harness.dispose(), 120_000);

  it('each tenant reads only what its ingest token wrote; the tenant comes from the Kafka header only', harness.withOutputs(async () => {
    const engines = sharedEngines();
    const names = runNames('tenants');
    harness.cleanUpNames(names, engines, [...TENANTS]);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-dist-tenants-'));
    harness.onDispose('data dir', async () => fs.rmSync(dataDir, { recursive: true, force: true }));
    const tokensFile = path.join(dataDir, 'shared-tokens.json');
    const store = new TokenStore(tokensFile);
    const ingestToken = Object.fromEntries(TENANTS.map((t) => [t, store.create(`${t} ingest`, 'ingest', t).token])) as Record<Tenant, string>;
    const readToken = Object.fromEntries(READERS.map((t) => [t, store.create(`${t} read`, 'read', t).token])) as Record<Reader, string>;

    const env = roleEnv(names, engines, { DATA_DIR: dataDir });
    const withAuth = { ...env, AUTH: 'tokens', TOKENS_FILE: tokensFile };
    const [collector, ingest, query]: StartedRole[] = await Promise.all([
      harness.start('collector', withAuth),
      harness.start('ingest', env),
      harness.start('query', withAuth),
    ]);

    // the collector refuses a write without a token, or with a read token
    const probe = spanStream(names.service, 1, 1, 1).requests[0];
    expect(await postOtlp(collector.otlpUrl, 'traces', probe)).toBe(401);
    expect(await postOtlp(collector.otlpUrl, 'traces', probe, readToken.acme)).toBe(403);

    // both tenants write under the same service name: only the tenant keeps them apart
    const written = {} as Record<Tenant, Written>;
    for (const tenant of TENANTS) {
      written[tenant] = { spans: spanStream(names.service, 3, 4, 2), logs: logStream(names.service, 6, 2) };
      for (const body of written[tenant].spans.requests) expect(await postOtlp(collector.otlpUrl, 'traces', body, ingestToken[tenant])).toBe(200);
      for (const body of written[tenant].logs.requests) expect(await postOtlp(collector.otlpUrl, 'logs', body, ingestToken[tenant])).toBe(200);
    }

    // straight onto the spans topic: a payload naming acme without the header, and a header that is no tenant name
    const forged = forgedTrace(names.service, 'acme');
    const badHeader = forgedTrace(names.service, 'acme');
    const badTenant = 'Acme/../globex-2';
    const kafka = new Kafka({ clientId: 'chainscope-tenants-test', brokers: engines.kafka.split(','), logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      await producer.send({ topic: names.spansTopic, acks: -1, messages: [{ value: forged.body, headers: { origin: 'tenants-test' } }] });
      await producer.send({ topic: names.spansTopic, acks: -1, messages: [{ value: badHeader.body, headers: { [TENANT_HEADER]: badTenant } }] });
    } finally {
      await producer.disconnect();
    }

    // each tenant's search answers exactly its own traces and logs
    for (const tenant of TENANTS) {
      const own = written[tenant];
      const wantTraces = sorted(own.spans.expected.keys());
      const wantLogs = sorted(own.logs.ids);
      await expectEventually(() => tracesOfService(query.url, names.service, readToken[tenant]), wantTraces, `${tenant}'s traces by search`);
      await expectEventually(() => logsOfService(query.url, names.service, readToken[tenant]), wantLogs, `${tenant}'s logs by search`);
      for (const [traceId, spanIds] of own.spans.expected) {
        await expectEventually(() => spanIdsOfTrace(query.url, traceId, readToken[tenant]), { status: 200, spanIds: sorted(spanIds) }, `${tenant}'s trace ${traceId} by id`);
      }
    }

    // the message without a header is the default tenant's, whatever its payload claims
    await expectEventually(() => tracesOfService(query.url, names.service, readToken.default), [forged.traceId], 'the headerless message in the default tenant');
    expect((await spanIdsOfTrace(query.url, forged.traceId, readToken.default)).status).toBe(200);
    expect(await logsOfService(query.url, names.service, readToken.default)).toEqual([]);

    // the message whose header is no tenant name is dead-lettered, with the reason, and nobody reads it
    await waitFor(async () => (await ingest.counter(DEAD_LETTERED)) >= 1, 'the bad-header message dead-lettered', 60_000);
    expect(await ingest.counter(DEAD_LETTERED)).toBe(1);
    const [letter] = await readFromStart(engines.kafka, `${names.spansTopic}_dlq`, `${names.group}_dlq_reader`, 1);
    expect(Buffer.compare(letter.value, badHeader.body)).toBe(0);
    expect(letter.headers[DEAD_LETTER_REASON_HEADER]).toContain(TENANT_HEADER);
    expect(letter.headers[DEAD_LETTER_SOURCE_HEADER]).toBe(names.spansTopic);
    expect(letter.headers[TENANT_HEADER]).toBe(badTenant);

    // nobody reads another tenant's trace by id (404, as an unknown id), nor its logs or traces by search
    for (const reader of READERS) {
      const foreignTraces = [
        ...TENANTS.filter((t) => t !== reader).flatMap((t) => [...written[t].spans.expected.keys()]),
        ...(reader === DEFAULT_TENANT ? [] : [forged.traceId]),
        badHeader.traceId,
      ];
      for (const traceId of foreignTraces) {
        expect({ reader, traceId, status: (await api(query.url, `/api/traces/${traceId}`, readToken[reader])).status }).toEqual({ reader, traceId, status: 404 });
      }
      const foreignLogs = TENANTS.filter((t) => t !== reader).flatMap((t) => [...written[t].logs.ids]);
      const seenLogs = await logsOfService(query.url, names.service, readToken[reader]);
      expect(seenLogs.filter((id) => foreignLogs.includes(id))).toEqual([]);
      const seenTraces = await tracesOfService(query.url, names.service, readToken[reader]);
      expect(seenTraces.filter((id) => foreignTraces.includes(id))).toEqual([]);
    }
    expect([collector, ingest, query].every((r) => r.alive())).toBe(true);
  }), 240_000);
});

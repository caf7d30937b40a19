import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TENANT_HEADER, type BusMessage } from '../../../core/contracts/bus';
import { loadConfig } from '../../../core/config';
import { Counters } from '../../../core/metrics';
import { encodeTraceRequestProto } from '../../../core/otlp';
import { storeBatchProcessor } from '../../../bin/components/store-processor';
import { DEAD_LETTER_REASON_HEADER } from '../../../ingest/batch-processor';
import { TenantBatchProcessor } from '../../../ingest/tenant-batch-processor';
import { openEmbeddedStores, type EmbeddedStores } from '../../../storage/embedded';
import { makeTrace } from '../../contract/fixtures';

describe('TenantBatchProcessor', () => {
  let dir: string;
  const stores = new Map<string, EmbeddedStores>();
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-tenant-batch-'))));
  afterEach(() => {
    for (const s of stores.values()) s.database.close();
    stores.clear();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("writes each tenant's messages to that tenant's stores, in one bus batch, and dead-letters a message whose tenant header is not a tenant", async () => {
    const config = loadConfig({});
    const counters = new Counters();
    const processor = new TenantBatchProcessor(async (tenant) => {
      const own = openEmbeddedStores({ dataDir: path.join(dir, tenant) });
      stores.set(tenant, own);
      return storeBatchProcessor(config, { spanStore: own.spans, logStore: own.logs }, counters);
    });
    const traces = { acme: makeTrace(), globex: makeTrace(), none: makeTrace(), bad: makeTrace() };
    const message = (spans: ReturnType<typeof makeTrace>, tenant?: string): BusMessage => ({
      value: Buffer.from(encodeTraceRequestProto(spans)),
      headers: tenant === undefined ? undefined : { [TENANT_HEADER]: tenant },
    });
    const dead = await processor.process('spans', 'otlp_spans', [
      message(traces.acme, 'acme'),
      message(traces.none),
      message(traces.bad, 'Globex!'),
      message(traces.globex, 'globex'),
    ]);
    expect(dead).toHaveLength(1);
    expect(dead[0].headers?.[DEAD_LETTER_REASON_HEADER]).toMatch(/header chainscope-tenant must match/);
    expect([...stores.keys()].sort()).toEqual(['acme', 'default', 'globex']);
    const has = async (tenant: string, spans: ReturnType<typeof makeTrace>) => (await stores.get(tenant)!.spans.getTrace(spans[0].traceId)).length > 0;
    expect([await has('acme', traces.acme), await has('acme', traces.globex), await has('acme', traces.none)]).toEqual([true, false, false]);
    expect([await has('globex', traces.globex), await has('globex', traces.acme)]).toEqual([true, false]);
    expect([await has('default', traces.none), await has('default', traces.acme), await has('default', traces.bad)]).toEqual([true, false, false]);
    await processor.close();
  });
});

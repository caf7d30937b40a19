import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient, ClickHouseLogLevel } from '@clickhouse/client';
import { loadConfig, type Config } from '../../../core/config';
import { Counters } from '../../../core/metrics';
import { AuditLog } from '../../../core/security/audit-log';
import { STORE_KEYS, type StoreSettings } from '../../../bin/backends';
import { pick } from '../../../bin/components/pick';
import { openStoreSet, storeSettingsForTenant, type StoreSet } from '../../../bin/tenant-stores';
import { deleteTenantData } from '../../../query-api/services/data-deletion-service';
import type { SearchLogStore } from '../../../storage/search';
import { describeWithEngines, ENGINE_ADDRESSES, uniqueName } from '../../helpers/engines';
import { logBatch, makeLog, makeTrace, spanBatch, uniq } from '../../contract/fixtures';

/**
 * Tenants on every backend, through the stores the running roles open
 * (bin/tenant-stores.ts): what tenant A writes, tenant B's stores never
 * return, by id or by search; deleting A's data (older than a time, then all)
 * leaves B's untouched; the audit log gets the deletion.
 */
type OpenSet = StoreSet & { shutdown(): Promise<void> };
const DAY_US = 86_400_000_000;
const NOW_US = Date.now() * 1000;
const OLD_US = NOW_US - 3 * DAY_US;

interface Backend {
  name: string;
  settings: () => StoreSettings;
  cleanup: (settings: StoreSettings, tenants: string[]) => Promise<void>;
  /** What the store's deletion granularity is. */
  granularity: 'exact' | 'day';
  /** Makes written logs searchable now (the search engines refresh on their own within a second). */
  flush?: (set: StoreSet) => Promise<void>;
}

function baseSettings(overrides: Partial<Config>): StoreSettings {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-tenant-stores-'));
  return pick(loadConfig({}, { dataDir, ...overrides }), STORE_KEYS);
}

async function dropClickHouse(settings: StoreSettings, tenants: string[]): Promise<void> {
  const admin = createClient({ url: settings.clickhouseUrl, log: { level: ClickHouseLogLevel.OFF } });
  try {
    for (const tenant of tenants) await admin.command({ query: `DROP DATABASE IF EXISTS \`${storeSettingsForTenant(settings, tenant).clickhouseDatabase}\`` });
  } finally {
    await admin.close();
  }
}

const BACKENDS: { engines: ('clickhouse' | 'opensearch')[]; backend: Backend }[] = [
  {
    engines: [],
    backend: {
      name: 'embedded',
      granularity: 'exact',
      settings: () => baseSettings({}),
      cleanup: async (settings) => fs.rmSync(settings.dataDir, { recursive: true, force: true }),
    },
  },
  {
    engines: ['clickhouse', 'opensearch'],
    backend: {
      name: 'ClickHouse spans and metrics, OpenSearch logs',
      granularity: 'day',
      settings: () =>
        baseSettings({
          spanStore: 'clickhouse',
          logStore: 'opensearch',
          clickhouseUrl: ENGINE_ADDRESSES.clickhouse(),
          clickhouseDatabase: uniqueName('cs_tenants'),
          opensearchUrl: ENGINE_ADDRESSES.opensearch(),
          logIndexPrefix: uniqueName('cs_tenants'),
        }),
      cleanup: async (settings, tenants) => {
        await dropClickHouse(settings, tenants);
        fs.rmSync(settings.dataDir, { recursive: true, force: true });
      },
      flush: async (set) => (set.logStore as SearchLogStore).refresh(),
    },
  },
];

for (const { engines, backend } of BACKENDS) {
  const body = () => {
    const tenants = ['default', 'acme', 'acme-x'];
    let settings: StoreSettings;
    const sets = new Map<string, OpenSet>();
    const written = new Map<string, { oldTrace: string; newTrace: string; service: string; oldLog: string; newLog: string }>();

    beforeAll(async () => {
      settings = backend.settings();
      for (const tenant of tenants) {
        const set = await openStoreSet(storeSettingsForTenant(settings, tenant), { spansAndLogs: true, counters: new Counters(), ingestThreads: false });
        sets.set(tenant, set);
        const service = uniq(`svc-${tenant}`);
        const oldSpans = makeTrace({ service, startUs: OLD_US });
        const newSpans = makeTrace({ service, startUs: NOW_US - 60_000_000 });
        await set.spanStore!.writeSpans(spanBatch([...oldSpans, ...newSpans]));
        const oldLog = makeLog({ service, timeUs: OLD_US, traceId: oldSpans[0].traceId, body: `old line of ${tenant}` });
        const newLog = makeLog({ service, timeUs: NOW_US - 60_000_000, traceId: newSpans[0].traceId, body: `new line of ${tenant}` });
        await set.logStore!.writeLogs(logBatch([oldLog, newLog]));
        await backend.flush?.(set);
        written.set(tenant, { oldTrace: oldSpans[0].traceId, newTrace: newSpans[0].traceId, service, oldLog: oldLog.id, newLog: newLog.id });
      }
    }, 120_000);

    afterAll(async () => {
      for (const set of sets.values()) await set.shutdown().catch(() => undefined);
      for (const set of sets.values()) await (set.logStore as Partial<SearchLogStore>).uninstall?.().catch(() => undefined);
      await backend.cleanup(settings, tenants);
    }, 60_000);

    const traceIdsOf = async (set: StoreSet, service: string) =>
      (await set.spanStore!.findTraces({ service, startUs: OLD_US - DAY_US, endUs: NOW_US + DAY_US, limit: 20 })).map((h) => h.traceId).sort();

    it('each tenant finds its own data and none of the others, by id and by search', async () => {
      for (const reader of tenants) {
        const set = sets.get(reader)!;
        const services = await set.spanStore!.services();
        for (const owner of tenants) {
          const w = written.get(owner)!;
          const mine = reader === owner;
          expect([reader, owner, (await set.spanStore!.getTrace(w.newTrace)).length > 0]).toEqual([reader, owner, mine]);
          expect([reader, owner, services.includes(w.service)]).toEqual([reader, owner, mine]);
          expect(await traceIdsOf(set, w.service)).toEqual(mine ? [w.oldTrace, w.newTrace].sort() : []);
          expect((await set.logStore!.byTrace(w.newTrace, 10)).map((l) => l.id)).toEqual(mine ? [w.newLog] : []);
          expect(await set.logStore!.context(w.newLog, 1, 1)).toEqual(mine ? expect.any(Array) : null);
          const found = await set.logStore!.search({ service: w.service, startUs: OLD_US - DAY_US, endUs: NOW_US + DAY_US, limit: 10 });
          expect(found.logs.map((l) => l.id).sort()).toEqual(mine ? [w.oldLog, w.newLog].sort() : []);
        }
      }
    });

    it(`deleting acme's data older than a day (${backend.granularity}) keeps its new data and every other tenant's`, async () => {
      const audit = new AuditLog(path.join(settings.dataDir, 'security', 'audit.jsonl'));
      const acme = sets.get('acme')!;
      const deletion = await deleteTenantData(acme, 'acme', NOW_US - DAY_US, audit, 'test');
      expect(deletion.stores.map((s) => s.granularity)).toEqual(expect.arrayContaining([backend.granularity]));
      await backend.flush?.(acme);
      const w = written.get('acme')!;
      expect(await acme.spanStore!.getTrace(w.oldTrace)).toEqual([]);
      expect((await acme.spanStore!.getTrace(w.newTrace)).length).toBeGreaterThan(0);
      expect((await acme.logStore!.byTrace(w.oldTrace, 10)).length).toBe(0);
      expect((await acme.logStore!.byTrace(w.newTrace, 10)).length).toBe(1);
      for (const other of ['default', 'acme-x']) {
        const o = written.get(other)!;
        expect((await sets.get(other)!.spanStore!.getTrace(o.oldTrace)).length).toBeGreaterThan(0);
        expect((await sets.get(other)!.logStore!.byTrace(o.oldTrace, 10)).length).toBe(1);
      }
      expect(audit.read(5)[0]).toMatchObject({ action: 'data.deleted', actor: 'test', detail: { tenant: 'acme', before: new Date((NOW_US - DAY_US) / 1000).toISOString() } });
    }, 60_000);

    it("deleting all of acme-x's data leaves nothing of it and the others whole", async () => {
      const audit = new AuditLog(path.join(settings.dataDir, 'security', 'audit.jsonl'));
      const set = sets.get('acme-x')!;
      await deleteTenantData(set, 'acme-x', null, audit, 'test');
      await backend.flush?.(set);
      const w = written.get('acme-x')!;
      for (const id of [w.oldTrace, w.newTrace]) {
        expect(await set.spanStore!.getTrace(id)).toEqual([]);
        expect(await set.logStore!.byTrace(id, 10)).toEqual([]);
      }
      expect(await traceIdsOf(set, w.service)).toEqual([]);
      const d = written.get('default')!;
      expect((await sets.get('default')!.spanStore!.getTrace(d.newTrace)).length).toBeGreaterThan(0);
      expect((await sets.get('acme')!.spanStore!.getTrace(written.get('acme')!.newTrace)).length).toBeGreaterThan(0);
    }, 60_000);
  };
  if (engines.length === 0) describe(`tenant stores: ${backend.name}`, body);
  else describeWithEngines(engines, `tenant stores: ${backend.name}`, body);
}

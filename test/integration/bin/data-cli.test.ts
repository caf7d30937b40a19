import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runDataCommand } from '../../../bin/data-cli';
import { storeSettingsForTenant } from '../../../bin/tenant-stores';
import { AuditLog } from '../../../core/security/audit-log';
import { openEmbeddedStores } from '../../../storage/embedded';
import { logBatch, makeLog, makeTrace, spanBatch } from '../../contract/fixtures';

/** `chainscope data delete` on the embedded store of a data folder, as an operator runs it. */
describe('chainscope data delete', () => {
  let dataDir: string;
  const env = () => ({ DATA_DIR: dataDir });
  beforeEach(() => (dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-data-cli-'))));
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  async function write(tenant: string, startUs: number): Promise<string> {
    const stores = openEmbeddedStores({ dataDir: storeSettingsForTenant({ dataDir, clickhouseDatabase: 'c', logIndexPrefix: 'l' }, tenant).dataDir });
    try {
      const spans = makeTrace({ startUs });
      await stores.spans.writeSpans(spanBatch(spans));
      await stores.logs.writeLogs(logBatch([makeLog({ traceId: spans[0].traceId, timeUs: startUs })]));
      return spans[0].traceId;
    } finally {
      stores.database.close();
    }
  }

  async function traceCount(tenant: string, traceId: string): Promise<number> {
    const stores = openEmbeddedStores({ dataDir: storeSettingsForTenant({ dataDir, clickhouseDatabase: 'c', logIndexPrefix: 'l' }, tenant).dataDir });
    try {
      return (await stores.spans.getTrace(traceId)).length;
    } finally {
      stores.database.close();
    }
  }

  it("deletes one tenant's data older than a time, then all of it, leaving the default tenant's; prints what and writes the audit log", async () => {
    const dayUs = 86_400_000_000;
    const nowUs = Date.now() * 1000;
    const old = await write('acme', nowUs - 3 * dayUs);
    const recent = await write('acme', nowUs - 60_000_000);
    const mine = await write('default', nowUs - 3 * dayUs);

    const before = new Date(Date.now() - 86_400_000).toISOString();
    const first = await runDataCommand(['delete', '--tenant', 'acme', '--before', before], env());
    expect(first.code).toBe(0);
    expect(JSON.parse(first.out)).toMatchObject({ tenant: 'acme', before, stores: [{ backend: 'embedded', granularity: 'exact', deleted: { traces: 1, logs: 1 } }] });
    expect(first.err).toMatch(/deleted before .* of tenant acme's data; written to .*audit\.jsonl/);
    expect([await traceCount('acme', old), await traceCount('acme', recent), await traceCount('default', mine)]).toEqual([0, 3, 3]);

    const all = await runDataCommand(['delete', '--tenant', 'acme'], env());
    expect(all.code).toBe(0);
    expect([await traceCount('acme', recent), await traceCount('default', mine)]).toEqual([0, 3]);

    const entries = new AuditLog(path.join(dataDir, 'security', 'audit.jsonl')).read(10);
    expect(entries.map((e) => [e.action, e.actor.startsWith('cli:'), (e.detail as { before: unknown }).before])).toEqual([
      ['data.deleted', true, null],
      ['data.deleted', true, before],
    ]);
  });

  it('says what is wrong with the command line', async () => {
    expect(await runDataCommand([], env())).toMatchObject({ code: 2, out: expect.stringContaining('usage: chainscope data delete') });
    expect(await runDataCommand(['delete'], env())).toMatchObject({ code: 2, err: expect.stringContaining('needs --tenant') });
    expect(await runDataCommand(['delete', '--tenant'], env())).toMatchObject({ code: 2, err: expect.stringContaining('--tenant needs a value') });
    expect(await runDataCommand(['purge', '--tenant', 'a'], env())).toMatchObject({ code: 2, err: expect.stringContaining('unknown data command "purge"') });
    expect(await runDataCommand(['delete', '--tenant', 'Acme'], env())).toMatchObject({ code: 1, err: expect.stringContaining('--tenant must match') });
    expect(await runDataCommand(['delete', '--tenant', 'acme', '--before', 'last week'], env())).toMatchObject({ code: 1, err: expect.stringContaining('--before must be ISO-8601') });
    expect(fs.existsSync(path.join(dataDir, 'tenants'))).toBe(false);
  });
});

import { loadConfig } from '../../../core/config';
import { tenantStorageName } from '../../../core/security/tenants';
import { STORE_KEYS } from '../../../bin/backends';
import { pick } from '../../../bin/components/pick';
import { storeSettingsForTenant } from '../../../bin/tenant-stores';
import { IndexNames } from '../../../storage/search/mappings';
import { isValidIdentifier } from '../../../storage/clickhouse/quote';

describe('where a tenant’s data lives', () => {
  const settings = pick(loadConfig({}, { dataDir: '/data', clickhouseDatabase: 'chainscope', logIndexPrefix: 'chainscope-logs' }), STORE_KEYS);

  it('the default tenant’s is where data always was; another’s has its own folder, database and index prefix', () => {
    expect(storeSettingsForTenant(settings, 'default')).toBe(settings);
    expect(storeSettingsForTenant(settings, 'acme-eu')).toMatchObject({ dataDir: '/data/tenants/acme-eu', clickhouseDatabase: 'chainscope_t_acme_heu', logIndexPrefix: 'chainscope-logs.acme_heu' });
    expect(() => storeSettingsForTenant(settings, '../x')).toThrow(/tenant must match/);
  });

  it('storage names are plain identifiers, one per tenant, and no tenant’s indices match another’s read pattern', () => {
    const tenants = ['a', 'a-b', 'a_b', 'a__b', 'a_hb', 'a-', 'a_', 'ab', 'a-b-c', 'a_h', 'default', 'x'.repeat(63), '-'.padStart(63, 'z'), 'z'.padEnd(63, '-'), 'y'.padEnd(63, '-')];
    const names = tenants.map(tenantStorageName);
    expect(new Set(names).size).toBe(tenants.length);
    const databases = tenants.map((t) => storeSettingsForTenant(settings, t).clickhouseDatabase);
    for (const database of databases) expect([database, isValidIdentifier(database)]).toEqual([database, true]);
    expect(new Set(databases).size).toBe(tenants.length);
    const all = [settings, ...tenants.filter((t) => t !== 'default').map((t) => storeSettingsForTenant(settings, t))].map((s) => new IndexNames(s.logIndexPrefix));
    const wildcard = (pattern: string) => new RegExp(`^${pattern.replace(/[.]/g, '\\.').replace(/\*/g, '.*')}$`);
    for (const reader of all) {
      for (const owner of all) {
        const index = owner.daily(Date.UTC(2026, 11, 7) * 1000);
        expect([reader.prefix, index, wildcard(reader.read).test(index)]).toEqual([reader.prefix, index, reader === owner]);
      }
    }
  });
});

import { PerTenant } from '../../../../core/tenancy/per-tenant';

describe('PerTenant', () => {
  it('opens once per tenant, forgets a failed open, refuses past its bound and closes each once', async () => {
    const opened: string[] = [];
    const closed: string[] = [];
    let failNext = true;
    const cache = new PerTenant<string>(
      async (t) => {
        opened.push(t);
        if (t === 'flaky' && failNext) {
          failNext = false;
          throw new Error('engine down');
        }
        return `stores of ${t}`;
      },
      async (v) => void closed.push(v),
      3,
    );
    expect(await Promise.all([cache.get('a'), cache.get('a'), cache.get('b')])).toEqual(['stores of a', 'stores of a', 'stores of b']);
    await expect(cache.get('flaky')).rejects.toThrow('engine down');
    expect(await cache.get('flaky')).toBe('stores of flaky');
    expect(opened).toEqual(['a', 'b', 'flaky', 'flaky']);
    await expect(cache.get('d')).rejects.toThrow(/at most 3 tenants/);
    await cache.closeAll();
    expect(closed.sort()).toEqual(['stores of a', 'stores of b', 'stores of flaky']);
    expect(cache.tenants()).toEqual([]);
  });
});

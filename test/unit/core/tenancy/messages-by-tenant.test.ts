import { TENANT_HEADER } from '../../../../core/contracts/bus';
import { messagesByTenant, tenantOfMessage } from '../../../../core/tenancy/messages-by-tenant';

const message = (value: string, tenant?: string) => ({ value: Buffer.from(value), headers: tenant === undefined ? undefined : { [TENANT_HEADER]: tenant } });

describe('messagesByTenant', () => {
  it('groups by the tenant header in arrival order; no header is the default tenant; a header that is not a tenant name is refused with why', () => {
    const { byTenant, invalid } = messagesByTenant([
      message('a1', 'acme'),
      message('d1'),
      message('b1', 'acme-x'),
      message('a2', 'acme'),
      message('bad1', 'ACME'),
      message('bad2', '../etc'),
      message('d2', 'default'),
      message('bad3', ''),
    ]);
    expect([...byTenant].map(([t, ms]) => [t, ms.map((m) => m.value.toString())])).toEqual([
      ['acme', ['a1', 'a2']],
      ['default', ['d1', 'd2']],
      ['acme-x', ['b1']],
    ]);
    expect(invalid.map((i) => i.message.value.toString())).toEqual(['bad1', 'bad2', 'bad3']);
    expect(invalid[1].reason).toMatch(/header chainscope-tenant must match .* got "\.\.\/etc"/);
  });

  it('reads the tenant from the header only', () => {
    expect(tenantOfMessage({ value: Buffer.from('{"tenant":"acme"}') })).toBe('default');
    expect(tenantOfMessage(message('x', 'globex'))).toBe('globex');
    expect(tenantOfMessage(message('x', 'x'.repeat(64)))).toBeNull();
  });
});

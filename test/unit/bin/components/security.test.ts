import { jwtSettingsOf } from '../../../../bin/components/security';
import { loadConfig } from '../../../../core/config';

const configOf = (env: Record<string, string>) => loadConfig({ AUTH: 'tokens', ...env });

describe('JWT settings (checked before anything starts)', () => {
  const complete = { JWT_ISSUER: 'https://idp.example.test', JWT_AUDIENCE: 'chainscope,other', JWT_JWKS_URL: 'https://idp.example.test/jwks' };

  it('none without JWT_ISSUER', () => {
    expect(jwtSettingsOf(configOf({}))).toBeNull();
  });

  it('a complete set becomes the verifier settings, with the defaults', () => {
    expect(jwtSettingsOf(configOf(complete))).toEqual({
      issuer: 'https://idp.example.test',
      audiences: ['chainscope', 'other'],
      jwksUrl: 'https://idp.example.test/jwks',
      jwksFile: '',
      refreshMs: 600_000,
      roleClaim: 'roles',
      tenantClaim: '',
      clockSkewSeconds: 60,
    });
  });

  it.each([
    ['AUTH=none', { ...complete, AUTH: 'none' }, /JWT_ISSUER needs AUTH=tokens/],
    ['no audience', { JWT_ISSUER: complete.JWT_ISSUER, JWT_JWKS_URL: complete.JWT_JWKS_URL }, /JWT_ISSUER needs JWT_AUDIENCE/],
    ['no JWKS', { JWT_ISSUER: complete.JWT_ISSUER, JWT_AUDIENCE: 'x' }, /exactly one of JWT_JWKS_URL .* and JWT_JWKS_FILE/],
    ['both JWKS sources', { ...complete, JWT_JWKS_FILE: '/etc/jwks.json' }, /exactly one of JWT_JWKS_URL/],
    ['a JWT setting without the issuer', { JWT_JWKS_URL: complete.JWT_JWKS_URL }, /JWT_JWKS_URL is set but JWT_ISSUER is not/],
    ['a tenant claim without the issuer', { JWT_TENANT_CLAIM: 'org' }, /JWT_TENANT_CLAIM is set but JWT_ISSUER is not/],
  ])('%s: refused with a line that says what to set', (_name, env, message) => {
    expect(() => jwtSettingsOf(configOf(env as Record<string, string>))).toThrow(message);
  });

  it('bad values are named by the config parser', () => {
    expect(() => configOf({ JWT_JWKS_URL: 'ftp://x' })).toThrow(/JWT_JWKS_URL must be an http or https URL/);
    expect(() => configOf({ JWT_ROLE_CLAIM: 'a b' })).toThrow(/JWT_ROLE_CLAIM must be a claim name/);
    expect(() => configOf({ JWT_CLOCK_SKEW_SECONDS: '9999' })).toThrow(/JWT_CLOCK_SKEW_SECONDS must be between 0 and 600/);
    expect(() => configOf({ TENANT_QUERY_CONCURRENCY: '0' })).toThrow(/TENANT_QUERY_CONCURRENCY must be between 1 and 10000/);
    expect(configOf({ TENANT_INGEST_SPANS_PER_SECOND: 'unlimited' }).tenantIngestSpansPerSecond).toBeNull();
  });
});

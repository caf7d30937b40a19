import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { JwksSource } from '../../../../core/security/jwks-source';
import { JwtVerifier, looksLikeJwt, VERIFIED_JWT_TTL_MS, type JwtSettings, type JwtVerdict } from '../../../../core/security/jwt-verifier';
import { claimsFor, hmacJwt, jwksOf, makeKey, signJwt, unsignedJwt, type TestKey } from '../../../helpers/jwt-issuer';

const ISSUER = 'https://idp.example.test/realms/shop';
const AUDIENCE = 'chainscope';
const SETTINGS: JwtSettings = { issuer: ISSUER, audiences: [AUDIENCE, 'other-api'], clockSkewSeconds: 30, roleClaim: 'roles', tenantClaim: '' };

let dir: string;
let rsa: TestKey;
let ec: TestKey;
let ed: TestKey;
let ps: TestKey;
let stranger: TestKey;

function verifierWith(jwks: string, settings: Partial<JwtSettings> = {}): { verifier: JwtVerifier; keys: JwksSource } {
  const file = path.join(dir, `${crypto.randomBytes(4).toString('hex')}.json`);
  fs.writeFileSync(file, jwks);
  const keys = new JwksSource({ file, refreshMs: 3_600_000, minRefetchMs: 3_600_000 });
  return { verifier: new JwtVerifier({ ...SETTINGS, ...settings }, keys), keys };
}

async function refusal(verdict: Promise<JwtVerdict>): Promise<string> {
  const v = await verdict;
  if (v.ok) throw new Error(`expected a refusal, got ${JSON.stringify(v.principal)}`);
  expect(v.status).toBe(401);
  return v.message;
}

let verifier: JwtVerifier;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chainscope-jwt-'));
  [rsa, ec, ed, ps, stranger] = [makeKey('RS256'), makeKey('ES256'), makeKey('EdDSA'), makeKey('PS256'), makeKey('RS256')];
  const made = verifierWith(jwksOf(rsa, ec, ed, ps));
  await made.keys.start();
  made.keys.stop();
  verifier = made.verifier;
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('JwtVerifier: what is let in', () => {
  it.each(['RS256', 'ES256', 'EdDSA', 'PS256'])('%s: the role and subject from the token, tenant default, expiry kept for the session', async (alg) => {
    const key = { RS256: rsa, ES256: ec, EdDSA: ed, PS256: ps }[alg]!;
    const claims = claimsFor(ISSUER, AUDIENCE, { sub: 'alice', roles: ['read'] });
    const verdict = await verifier.verify(signJwt(key, claims));
    expect(verdict).toEqual({ ok: true, principal: { tokenId: 'jwt:alice', name: 'alice', role: 'read', tenant: 'default', via: 'bearer', expiresAtMs: (claims.exp as number) * 1000 } });
  });

  it('aud may be a list holding one of the audiences; roles a space-separated string; the strongest role wins', async () => {
    const verdict = await verifier.verify(signJwt(rsa, claimsFor(ISSUER, AUDIENCE, { aud: ['x', 'other-api'], roles: 'read offline_access admin' })));
    expect(verdict.ok && verdict.principal.role).toBe('admin');
  });

  it('a role and a tenant from nested or namespaced claims (JWT_ROLE_CLAIM, JWT_TENANT_CLAIM)', async () => {
    const nested = verifierWith(jwksOf(rsa), { roleClaim: 'realm_access.roles', tenantClaim: 'https://chainscope.example/tenant' });
    await nested.keys.start();
    const token = signJwt(rsa, claimsFor(ISSUER, AUDIENCE, { realm_access: { roles: ['ingest', 'uma'] }, 'https://chainscope.example/tenant': 'acme' }));
    const verdict = await nested.verifier.verify(token);
    expect(verdict.ok && verdict.principal).toMatchObject({ role: 'ingest', tenant: 'acme' });
    expect(await refusal(nested.verifier.verify(signJwt(rsa, claimsFor(ISSUER, AUDIENCE, { realm_access: { roles: ['read'] } }))))).toMatch(/has no https:\/\/chainscope.example\/tenant claim \(the tenant\)/);
    expect(await refusal(nested.verifier.verify(signJwt(rsa, claimsFor(ISSUER, AUDIENCE, { realm_access: { roles: ['read'] }, 'https://chainscope.example/tenant': '../ACME' }))))).toMatch(/claim is not a tenant name/);
    nested.keys.stop();
  });

  it('clock skew: a token expired less than JWT_CLOCK_SKEW_SECONDS ago still passes', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect((await verifier.verify(signJwt(rsa, claimsFor(ISSUER, AUDIENCE, { exp: now - 10 })))).ok).toBe(true);
  });
});

describe('JwtVerifier: what is refused (401, with the reason)', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const cases: [string, () => string, RegExp][] = [
    ['expired', () => signJwt(rsa, claimsFor(ISSUER, AUDIENCE, { exp: now() - 120 })), /has expired \(exp .*clock skew 30 s\)/],
    ['no expiry', () => signJwt(rsa, claimsFor(ISSUER, AUDIENCE, { exp: undefined })), /no expiry \(exp\)/],
    ['not valid yet', () => signJwt(rsa, claimsFor(ISSUER, AUDIENCE, { nbf: now() + 600 })), /not valid yet \(nbf/],
    ['issued in the future', () => signJwt(rsa, claimsFor(ISSUER, AUDIENCE, { iat: now() + 600 })), /issued in the future/],
    ['wrong audience', () => signJwt(rsa, claimsFor(ISSUER, 'someone-else')), /audience \(aud\) \["someone-else"\] does not include "chainscope" or "other-api"/],
    ['no audience', () => signJwt(rsa, claimsFor(ISSUER, AUDIENCE, { aud: undefined })), /audience \(aud\) \[\] does not include/],
    ['wrong issuer', () => signJwt(rsa, claimsFor('https://evil.example.test', AUDIENCE)), /issuer \(iss\) "https:\/\/evil.example.test" is not "https:\/\/idp.example.test\/realms\/shop"/],
    ['bad signature: another key under a known kid', () => signJwt({ ...stranger, kid: rsa.kid }, claimsFor(ISSUER, AUDIENCE)), /signature does not verify/],
    ['bad signature: the payload changed after signing', () => {
      const [h, , sig] = signJwt(rsa, claimsFor(ISSUER, AUDIENCE)).split('.');
      return `${h}.${Buffer.from(JSON.stringify(claimsFor(ISSUER, AUDIENCE, { roles: ['admin'] }))).toString('base64url')}.${sig}`;
    }, /signature does not verify/],
    ['bad signature: truncated', () => signJwt(rsa, claimsFor(ISSUER, AUDIENCE)).slice(0, -10), /signature does not verify/],
    ['alg none', () => unsignedJwt(claimsFor(ISSUER, AUDIENCE, { roles: ['admin'] })), /alg "none" is not accepted: only RS256, .* \(never none or HS\*\)/],
    ['HS256 keyed with the public key (alg confusion)', () => hmacJwt(JSON.stringify(rsa.jwk), claimsFor(ISSUER, AUDIENCE), rsa.kid), /alg "HS256" is not accepted/],
    ['unknown kid', () => signJwt(stranger, claimsFor(ISSUER, AUDIENCE)), /key id \(kid\) "rs256-[0-9a-f]+" is not in the JWKS/],
    ['a kid of another key type than the alg', () => signJwt(rsa, claimsFor(ISSUER, AUDIENCE), { kid: ec.kid }), /is not in the JWKS .* for alg RS256/],
    ['a kid that is not a string', () => signJwt(rsa, claimsFor(ISSUER, AUDIENCE), { kid: 7 }), /kid must be a string/],
    ['critical header extensions', () => signJwt(rsa, claimsFor(ISSUER, AUDIENCE), { crit: ['exp'] }), /critical header extensions/],
    ['no role', () => signJwt(rsa, claimsFor(ISSUER, AUDIENCE, { roles: ['viewer'] })), /roles claim holds none of the roles ingest, read, admin/],
    ['header not JSON', () => `${Buffer.from('{alg').toString('base64url')}.${Buffer.from('{}').toString('base64url')}.AAAA`, /malformed/],
    ['payload an array', () => `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from('[1]').toString('base64url')}.AAAA`, /malformed/],
  ];

  it.each(cases)('%s', async (_name, token, reason) => {
    expect(await refusal(verifier.verify(token()))).toMatch(reason);
  });

  it('never throws, whatever the input', async () => {
    const inputs = ['', '.', '..', 'a.b.c', 'a.b.', '....', 'x'.repeat(20_000), `${'A'.repeat(5000)}.${'B'.repeat(5000)}.C`, 'eyJhbGciOiJSUzI1NiJ9.bnVsbA.', `${Buffer.from('{"alg":"__proto__"}').toString('base64url')}.e30.`, `${Buffer.from('{"alg":"constructor"}').toString('base64url')}.e30.`];
    for (let i = 0; i < 200; i++) inputs.push([crypto.randomBytes(20), crypto.randomBytes(30), crypto.randomBytes(64)].map((b) => b.toString('base64url')).join('.'));
    for (const input of inputs) {
      const verdict = await verifier.verify(input);
      expect(verdict.ok).toBe(false);
    }
  });

  it('looksLikeJwt tells a JWT from an API token', () => {
    expect(looksLikeJwt(signJwt(rsa, claimsFor(ISSUER, AUDIENCE)))).toBe(true);
    expect(looksLikeJwt(`cs_${'A'.repeat(43)}`)).toBe(false);
    expect(looksLikeJwt(`a.b.${'c'.repeat(20_000)}`)).toBe(false);
  });
});

describe('JwtVerifier: a JWT verified once is remembered', () => {
  it('the same JWT again is answered without another signature check, for at most VERIFIED_JWT_TTL_MS and never past its exp', async () => {
    const made = verifierWith(jwksOf(rsa));
    await made.keys.start();
    made.keys.stop();
    const lookups = jest.spyOn(made.keys, 'keysFor');
    const now = Date.now();
    const longLived = signJwt(rsa, claimsFor(ISSUER, AUDIENCE, { exp: Math.floor(now / 1000) + 3600 }));
    for (let i = 0; i < 5; i++) expect((await made.verifier.verify(longLived, now + i * 1000)).ok).toBe(true);
    expect(lookups).toHaveBeenCalledTimes(1);
    // past the remembered time the whole check runs again
    expect((await made.verifier.verify(longLived, now + VERIFIED_JWT_TTL_MS + 1)).ok).toBe(true);
    expect(lookups).toHaveBeenCalledTimes(2);
    // a short-lived one is refused once its exp (plus the skew) has passed, remembered or not
    const shortLived = signJwt(rsa, claimsFor(ISSUER, AUDIENCE, { exp: Math.floor(now / 1000) + 10 }));
    expect((await made.verifier.verify(shortLived, now)).ok).toBe(true);
    expect(await refusal(made.verifier.verify(shortLived, now + 10_000 + 31_000))).toMatch(/has expired/);
  });

  it('a refused JWT is not remembered: each try is checked again', async () => {
    const made = verifierWith(jwksOf(rsa));
    await made.keys.start();
    made.keys.stop();
    const lookups = jest.spyOn(made.keys, 'keysFor');
    const forged = signJwt({ ...stranger, kid: rsa.kid }, claimsFor(ISSUER, AUDIENCE));
    for (let i = 0; i < 3; i++) expect(await refusal(made.verifier.verify(forged))).toMatch(/signature/);
    expect(lookups).toHaveBeenCalledTimes(3);
  });
});

describe('JWKS contents', () => {
  it('keys that cannot be used are skipped and said: symmetric, encryption, short RSA; private members are dropped', async () => {
    const lines: string[] = [];
    const shortRsa = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
    const withPrivate = { ...rsa.privateKey.export({ format: 'jwk' }), kid: rsa.kid, use: 'sig' };
    const file = path.join(dir, 'mixed.json');
    fs.writeFileSync(file, JSON.stringify({ keys: [{ kty: 'oct', k: 'c2VjcmV0' }, { ...ec.jwk, use: 'enc' }, { ...shortRsa, kid: 'short' }, withPrivate, 'nonsense'] }));
    const keys = new JwksSource({ file, refreshMs: 3_600_000, minRefetchMs: 3_600_000, log: (l) => lines.push(l) });
    expect(await keys.start()).toBeUndefined();
    keys.stop();
    expect(keys.size).toBe(1);
    expect(lines.join('\n')).toMatch(/kty oct is not a public-key type.*use enc is not sig.*RSA key of 1024 bits: at least 2048.*not an object/);
    const made = new JwtVerifier(SETTINGS, keys);
    expect((await made.verify(signJwt(rsa, claimsFor(ISSUER, AUDIENCE)))).ok).toBe(true);
  });

  it('a JWKS that is not JSON or has no usable key is an error the caller sees', async () => {
    for (const [text, reason] of [['not json', /not JSON/], ['{"keys": 3}', /not a JWKS/], ['{"keys": [{"kty":"oct","k":"AA"}]}', /no usable public signing key/]] as const) {
      const file = path.join(dir, `bad-${crypto.randomBytes(3).toString('hex')}.json`);
      fs.writeFileSync(file, text);
      const keys = new JwksSource({ file, refreshMs: 3_600_000, minRefetchMs: 3_600_000 });
      expect(await keys.start()).toMatch(reason);
      keys.stop();
      const verdict = await new JwtVerifier(SETTINGS, keys).verify(signJwt(rsa, claimsFor(ISSUER, AUDIENCE)));
      expect(verdict).toMatchObject({ ok: false, status: 503, message: expect.stringMatching(/JWT keys are not available yet/) });
    }
  });
});

import crypto from 'node:crypto';

/**
 * A stand-in identity provider for tests: key pairs made in the test, their
 * JWKS, and JWTs signed with node:crypto (nothing recorded or copied).
 */
export interface TestKey {
  kid: string;
  alg: 'RS256' | 'ES256' | 'EdDSA' | 'PS256';
  privateKey: crypto.KeyObject;
  /** The public JWK as a JWKS lists it. */
  jwk: Record<string, unknown>;
}

const KEY_TYPES: Record<TestKey['alg'], () => crypto.KeyPairKeyObjectResult> = {
  RS256: () => crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }),
  PS256: () => crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }),
  ES256: () => crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  EdDSA: () => crypto.generateKeyPairSync('ed25519'),
};

export function makeKey(alg: TestKey['alg'], kid = `${alg.toLowerCase()}-${crypto.randomBytes(4).toString('hex')}`): TestKey {
  const { publicKey, privateKey } = KEY_TYPES[alg]();
  return { kid, alg, privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg } };
}

export function jwksOf(...keys: TestKey[]): string {
  return JSON.stringify({ keys: keys.map((k) => k.jwk) });
}

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** A compact JWS of `claims` signed with `key`; `header` overrides fields of the protected header (alg, kid, ...). */
export function signJwt(key: TestKey, claims: Record<string, unknown>, header: Record<string, unknown> = {}): string {
  const protectedHeader = { alg: key.alg, typ: 'JWT', kid: key.kid, ...header };
  const signingInput = `${b64(protectedHeader)}.${b64(claims)}`;
  const data = Buffer.from(signingInput);
  const signature =
    key.alg === 'EdDSA'
      ? crypto.sign(null, data, key.privateKey)
      : key.alg === 'ES256'
        ? crypto.sign('sha256', data, { key: key.privateKey, dsaEncoding: 'ieee-p1363' })
        : key.alg === 'PS256'
          ? crypto.sign('sha256', data, { key: key.privateKey, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 })
          : crypto.sign('sha256', data, key.privateKey);
  return `${signingInput}.${signature.toString('base64url')}`;
}

/** An unsigned token (alg none), as an attacker would send. */
export function unsignedJwt(claims: Record<string, unknown>): string {
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
}

/** An HS256 token whose secret is a public key's text: the alg-confusion attack. */
export function hmacJwt(secret: string | Buffer, claims: Record<string, unknown>, kid?: string): string {
  const signingInput = `${b64({ alg: 'HS256', typ: 'JWT', kid })}.${b64(claims)}`;
  return `${signingInput}.${crypto.createHmac('sha256', secret).update(signingInput).digest('base64url')}`;
}

/** Claims valid now for `issuer` and `audience`, with `extra` merged in. */
export function claimsFor(issuer: string, audience: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { iss: issuer, aud: audience, sub: 'user-1', iat: now, exp: now + 600, roles: ['read'], ...extra };
}

import crypto from 'node:crypto';

/**
 * The JWS signature algorithms a JWT may be signed with, each bound to the
 * key type it needs. Only asymmetric ones: `none` and the HMAC family (HS*)
 * are never accepted, so a public key can never be used as an HMAC secret
 * (the classic alg-confusion attack).
 */
interface JwsAlgorithm {
  kty: 'RSA' | 'EC' | 'OKP';
  /** EC and OKP: the curve the key must be on. */
  crv?: string;
  /** Digest for crypto.verify; null for EdDSA (the curve fixes it). */
  hash: string | null;
  /** RSA-PSS padding, or ECDSA signatures as JOSE sends them (r || s, not DER). */
  options?: Partial<crypto.VerifyKeyObjectInput>;
}

const JWS_ALGORITHMS: Record<string, JwsAlgorithm> = {
  RS256: { kty: 'RSA', hash: 'sha256' },
  RS384: { kty: 'RSA', hash: 'sha384' },
  RS512: { kty: 'RSA', hash: 'sha512' },
  PS256: { kty: 'RSA', hash: 'sha256', options: { padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } },
  ES256: { kty: 'EC', crv: 'P-256', hash: 'sha256', options: { dsaEncoding: 'ieee-p1363' } },
  ES384: { kty: 'EC', crv: 'P-384', hash: 'sha384', options: { dsaEncoding: 'ieee-p1363' } },
  EdDSA: { kty: 'OKP', crv: 'Ed25519', hash: null },
};

/** RSA keys shorter than this are not taken (RFC 7518 asks 2048 for RS* and PS*). */
const MIN_RSA_BITS = 2048;

export const ACCEPTED_JWS_ALGORITHMS = Object.keys(JWS_ALGORITHMS);

export function isAcceptedAlgorithm(alg: unknown): alg is string {
  return typeof alg === 'string' && Object.hasOwn(JWS_ALGORITHMS, alg);
}

/** A public key from a JWKS, imported once. */
export interface VerificationKey {
  kid?: string;
  kty: string;
  crv?: string;
  /** The JWK's own `alg`, when it names one: the key is then good for that algorithm only. */
  alg?: string;
  key: crypto.KeyObject;
}

/** Whether `key` may verify a signature made with `alg` (key type, curve and the key's own alg agree). */
export function keyFitsAlgorithm(key: VerificationKey, alg: string): boolean {
  const spec = JWS_ALGORITHMS[alg];
  if (!spec || key.kty !== spec.kty) return false;
  if (spec.crv !== undefined && key.crv !== spec.crv) return false;
  return key.alg === undefined || key.alg === alg;
}

/** Checks a JWS signature over `signingInput` (base64url header '.' base64url payload). */
export function signatureVerifies(alg: string, key: VerificationKey, signingInput: string, signature: Buffer): boolean {
  const spec = JWS_ALGORITHMS[alg];
  if (!spec || !keyFitsAlgorithm(key, alg)) return false;
  try {
    return crypto.verify(spec.hash, Buffer.from(signingInput), { key: key.key, ...spec.options }, signature);
  } catch {
    // a signature of the wrong length or shape for the key
    return false;
  }
}

/**
 * Imports one JWK of a JWKS as a public key, or says why it is skipped:
 * private parts, symmetric keys (`oct`) and keys for another use than
 * signatures are never taken.
 */
export function importJwk(jwk: unknown): VerificationKey | string {
  if (!jwk || typeof jwk !== 'object' || Array.isArray(jwk)) return 'not an object';
  const k = jwk as Record<string, unknown>;
  if (k.kty !== 'RSA' && k.kty !== 'EC' && k.kty !== 'OKP') return `kty ${String(k.kty).slice(0, 20)} is not a public-key type (RSA, EC, OKP)`;
  if (k.use !== undefined && k.use !== 'sig') return `use ${String(k.use).slice(0, 20)} is not sig`;
  if (k.alg !== undefined && !isAcceptedAlgorithm(k.alg)) return `alg ${String(k.alg).slice(0, 20)} is not accepted`;
  if (k.kid !== undefined && (typeof k.kid !== 'string' || k.kid.length > 256)) return 'kid is not a string of at most 256 characters';
  // only the public members: a JWKS that (wrongly) carries a private key must not turn it into one
  const members = k.kty === 'RSA' ? ['kty', 'n', 'e'] : ['kty', 'crv', 'x', 'y'];
  const publicJwk = Object.fromEntries(members.filter((m) => k[m] !== undefined).map((m) => [m, k[m]]));
  let key: crypto.KeyObject;
  try {
    key = crypto.createPublicKey({ key: publicJwk as crypto.JsonWebKey, format: 'jwk' });
  } catch (err) {
    return `not a valid ${String(k.kty)} key: ${(err as Error).message.slice(0, 100)}`;
  }
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (k.kty === 'RSA' && (bits === undefined || bits < MIN_RSA_BITS)) return `RSA key of ${bits} bits: at least ${MIN_RSA_BITS} are needed`;
  return { kid: k.kid as string | undefined, kty: k.kty, crv: typeof k.crv === 'string' ? k.crv : undefined, alg: k.alg as string | undefined, key };
}

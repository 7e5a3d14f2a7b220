import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export interface VerificationKey {
  kid: string;
  key: KeyObject;
}

export interface JwtKeys {
  /** Present on the auth service (or all-in-one): signs access tokens. */
  signing: { kid: string; key: KeyObject } | null;
  /** Every key a token may be signed with (rotation keeps the previous one here). */
  verification: VerificationKey[];
}

/** RFC 7638 thumbprint: a stable kid derived from the public key itself. */
export function thumbprint(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' }) as { crv: string; kty: string; x: string; y: string };
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return createHash('sha256').update(canonical).digest('base64url');
}

function assertEs256(key: KeyObject, what: string): void {
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error(`${what} must be an EC P-256 key (ES256)`);
  }
}

/**
 * Keys for ES256 access tokens:
 * - JWT_PRIVATE_KEY (PEM) signs; its public half verifies;
 * - JWT_PUBLIC_KEYS (one or more PEM blocks) verify, for services that only verify;
 * - with neither, outside production, a development key pair is generated once under
 *   `.data/dev-jwt/` so that every process on the machine (all-in-one or three entrypoints) shares it.
 * JWKS_URL is handled by the verifier, which fetches it.
 */
/** The configuration slice the keys come from (the composition root passes its config). */
export interface JwtKeyConfig {
  NODE_ENV: string;
  JWT_PRIVATE_KEY?: string | undefined;
  JWT_PUBLIC_KEYS?: string | undefined;
  JWKS_URL?: string | undefined;
  JWT_KEY_ID?: string | undefined;
  EMBEDDED_DATA_DIR: string;
}

export function loadJwtKeys(config: JwtKeyConfig): JwtKeys {
  const verification: VerificationKey[] = [];
  let signing: JwtKeys['signing'] = null;
  let privatePem = config.JWT_PRIVATE_KEY?.replace(/\\n/g, '\n');
  if (!privatePem && !config.JWT_PUBLIC_KEYS && !config.JWKS_URL && config.NODE_ENV !== 'production') {
    privatePem = developmentKey(resolve(dirname(resolve(config.EMBEDDED_DATA_DIR)), 'dev-jwt', 'es256-private.pem'));
  }
  if (privatePem) {
    const key = createPrivateKey(privatePem);
    assertEs256(key, 'JWT_PRIVATE_KEY');
    const pub = createPublicKey(key);
    const kid = config.JWT_KEY_ID ?? thumbprint(pub);
    signing = { kid, key };
    verification.push({ kid, key: pub });
  }
  for (const pem of (config.JWT_PUBLIC_KEYS?.replace(/\\n/g, '\n') ?? '').match(/-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/g) ?? []) {
    const key = createPublicKey(pem);
    assertEs256(key, 'JWT_PUBLIC_KEYS');
    const kid = thumbprint(key);
    if (!verification.some((v) => v.kid === kid)) verification.push({ kid, key });
  }
  return { signing, verification };
}

function developmentKey(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    try {
      writeFileSync(path, pem, { flag: 'wx', mode: 0o600 });
      return pem;
    } catch {
      // Another process created it first: use theirs.
      return readFileSync(path, 'utf8');
    }
  }
}

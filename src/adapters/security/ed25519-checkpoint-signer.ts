import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import type { CheckpointSigner } from '../../domain/audit/audit-log.ts';

/** A short stable id for a public key: the first 16 hex digits of SHA-256 over its SPKI DER. */
export function checkpointKeyId(key: KeyObject): string {
  return createHash('sha256')
    .update(key.export({ format: 'der', type: 'spki' }))
    .digest('hex')
    .slice(0, 16);
}

function assertEd25519(key: KeyObject, what: string): void {
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`${what} must be an Ed25519 key`);
}

/**
 * Ed25519 signatures over the audit checkpoints. The private key (AUDIT_SIGNING_KEY, PKCS#8 PEM)
 * lives in the deployment's secrets, never in the database; verifiers need only the public keys
 * (its own public half, plus AUDIT_VERIFY_KEYS: previous keys after a rotation, or the keys of
 * an auditor's copy that has no private key at all).
 */
export class Ed25519CheckpointSigner implements CheckpointSigner {
  readonly keyId: string | null;
  private readonly privateKey: KeyObject | null;
  private readonly publicKeys = new Map<string, KeyObject>();

  constructor(privatePem: string | undefined, publicPems: string | undefined) {
    this.privateKey = null;
    this.keyId = null;
    if (privatePem) {
      const key = createPrivateKey(privatePem.replace(/\\n/g, '\n'));
      assertEd25519(key, 'AUDIT_SIGNING_KEY');
      const pub = createPublicKey(key);
      this.privateKey = key;
      this.keyId = checkpointKeyId(pub);
      this.publicKeys.set(this.keyId, pub);
    }
    for (const pem of (publicPems?.replace(/\\n/g, '\n') ?? '').match(/-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/g) ?? []) {
      const key = createPublicKey(pem);
      assertEd25519(key, 'AUDIT_VERIFY_KEYS');
      this.publicKeys.set(checkpointKeyId(key), key);
    }
  }

  get canVerify(): boolean {
    return this.publicKeys.size > 0;
  }

  sign(payload: string): string {
    if (!this.privateKey) throw new Error('AUDIT_SIGNING_KEY is not configured: checkpoints cannot be signed');
    return sign(null, Buffer.from(payload), this.privateKey).toString('base64');
  }

  knows(keyId: string): boolean {
    return this.publicKeys.has(keyId);
  }

  verify(keyId: string, payload: string, signature: string): boolean {
    const key = this.publicKeys.get(keyId);
    if (!key) throw new Error(`no public key for checkpoint key ${keyId} (AUDIT_VERIFY_KEYS)`);
    try {
      return verify(null, Buffer.from(payload), key, Buffer.from(signature, 'base64'));
    } catch {
      return false;
    }
  }
}

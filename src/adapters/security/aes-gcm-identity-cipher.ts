import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { IdentityCipher } from '../../domain/wallet/kyc.ts';

const VERSION = 'v1';

/**
 * AES-256-GCM over node:crypto. Each value gets a fresh 96-bit IV; the 128-bit tag makes any
 * change to the stored text fail to decrypt instead of yielding another identity. The sealed form
 * is `v1:<iv>:<tag>:<ciphertext>` (base64url), the version leaving room for a key rotation.
 */
export class AesGcmIdentityCipher implements IdentityCipher {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('the identity encryption key must be 32 bytes (AES-256)');
    this.key = key;
  }

  /** From KYC_ENCRYPTION_KEY: 32 bytes as base64 (44 characters) or hex (64 characters). */
  static fromConfig(text: string | undefined): AesGcmIdentityCipher {
    if (!text) throw new Error('KYC_ENCRYPTION_KEY is not set: identity data cannot be stored without it');
    const key = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
    return new AesGcmIdentityCipher(key);
  }

  encrypt(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join(':');
  }

  decrypt(sealed: string): string {
    const [version, iv, tag, body] = sealed.split(':');
    if (version !== VERSION || !iv || !tag || body === undefined) throw new Error('not a sealed identity value');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }
}

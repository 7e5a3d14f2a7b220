import { randomBytes, randomUUID } from 'node:crypto';

export const newUuid = (): string => randomUUID();

/**
 * A public transaction id: a prefix, then 20 random bytes in base32 (100 bits of entropy after the
 * date). Unguessable, never derived from the clock alone, and within varchar(50).
 */
export function newTransactionId(prefix = 'TRX'): string {
  const alphabet = 'ABCDEFGHJKMNPQRSTVWXYZ0123456789';
  const bytes = randomBytes(20);
  let out = '';
  for (const b of bytes) out += alphabet[b % 32];
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '');
  return `${prefix}-${day}-${out}`;
}

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Permission } from './permissions.ts';
import type { RateLimits } from './rate-limits.ts';

/** An API key as stored: never the key itself, only its public prefix and its SHA-256 hash. */
export interface ApiKey {
  id: string;
  externalServiceId: string;
  name: string;
  prefix: string;
  hash: string;
  permissions: Permission[];
  rateLimits: RateLimits;
  expiresAt: Date | null;
  allowedIps: string[] | null;
  isActive: boolean;
  revokedAt: Date | null;
  rotatedFrom: string | null;
  createdAt: Date;
  /** Last successful request (written with the access logs, so it lags by a moment). */
  lastUsedAt?: Date | null;
}

const KEY_FORMAT = /^ogp_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;
const PREFIX_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A new key: `ogp_<12-char prefix>_<32 random bytes, base64url>`. The prefix finds the row; the rest is the secret. */
export function generateApiKey(): { key: string; prefix: string; hash: string } {
  let id = '';
  for (const b of randomBytes(12)) id += PREFIX_ALPHABET[b % PREFIX_ALPHABET.length];
  const key = `ogp_${id}_${randomBytes(32).toString('base64url')}`;
  return { key, prefix: `ogp_${id}`, hash: hashApiKey(key) };
}

export const hashApiKey = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');

/** The public prefix of a well-formed key, or null for anything else. */
export function prefixOf(key: string): string | null {
  const m = KEY_FORMAT.exec(key);
  return m ? `ogp_${m[1]}` : null;
}

/** True when `value` looks like one of our keys (used to refuse keys sent in a query string). */
export const looksLikeApiKey = (value: string): boolean => /ogp_[a-z0-9]{12}_/.test(value);

/** Compares the presented key's hash with the stored one in constant time. */
export function keyMatches(presented: string, storedHash: string): boolean {
  const a = Buffer.from(hashApiKey(presented), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

export type KeyRefusal = 'KEY_INACTIVE' | 'KEY_REVOKED' | 'KEY_EXPIRED' | 'SERVICE_INACTIVE';

/** Why a key that matched cannot be used now, or null when it can. */
export function refusalOf(key: ApiKey, serviceActive: boolean, now: Date): KeyRefusal | null {
  if (key.revokedAt && key.revokedAt.getTime() <= now.getTime()) return 'KEY_REVOKED';
  if (!key.isActive) return 'KEY_INACTIVE';
  if (key.expiresAt && key.expiresAt.getTime() <= now.getTime()) return 'KEY_EXPIRED';
  if (!serviceActive) return 'SERVICE_INACTIVE';
  return null;
}

/** An allow-list entry is an exact address or an IPv4 CIDR block; no list means any address. */
export function ipAllowed(allowed: string[] | null, ip: string): boolean {
  if (!allowed || allowed.length === 0) return true;
  return allowed.some((entry) => (entry.includes('/') ? inCidr(ip, entry) : entry === ip));
}

function ipv4ToInt(ip: string): number | null {
  const parts = ip.split('.');
  if (parts.length !== 4) return null;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return null;
    n = n * 256 + Number(p);
  }
  return n;
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/') as [string, string];
  const bits = Number(bitsText);
  const a = ipv4ToInt(ip);
  const b = ipv4ToInt(base);
  if (a === null || b === null || !Number.isInteger(bits) || bits < 0 || bits > 32) return false;
  if (bits === 0) return true;
  const block = 2 ** (32 - bits);
  return Math.floor(a / block) === Math.floor(b / block);
}

/** Validates an allow-list entry (IPv4/IPv6 address or IPv4 CIDR). */
export function isValidIpEntry(entry: string): boolean {
  if (entry.includes('/')) {
    const [base, bits] = entry.split('/') as [string, string];
    return ipv4ToInt(base) !== null && /^\d{1,2}$/.test(bits) && Number(bits) <= 32;
  }
  return ipv4ToInt(entry) !== null || /^[0-9a-fA-F:]+$/.test(entry);
}

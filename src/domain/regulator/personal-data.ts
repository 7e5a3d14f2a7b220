/**
 * Regulators see no email and only a masked phone: the country and operator prefix and the last
 * four digits (`+62812****5678`). The mask has a fixed width, so it does not reveal the length.
 */
export function maskPhone(phone: string | null | undefined): string | null {
  if (!phone) return null;
  if (phone.length < 10) return '****';
  return `${phone.slice(0, 6)}****${phone.slice(-4)}`;
}

/** An IP address as regulators see it: the network, not the host (`203.0.113.x`, `2001:db8:85a3:x`). */
export function maskIp(ip: string | null | undefined): string | null {
  if (!ip) return null;
  const v4 = /^(?:::ffff:)?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.\d{1,3}$/.exec(ip);
  if (v4) return `${v4[1]}.${v4[2]}.${v4[3]}.x`;
  if (ip.includes(':')) return `${ip.split(':').slice(0, 3).join(':')}:x`;
  return 'x';
}

const REDACTED = '[redacted]';

/**
 * Free-form values (an audit event's before/after/details) as regulators see them, by key, at any
 * depth: phones masked, emails, names, usernames, passwords, secrets and keys removed, IPs masked.
 */
export function maskPersonalData(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => maskPersonalData(v, key));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, maskPersonalData(v, k)]));
  }
  const k = key.toLowerCase();
  if (value === null || value === undefined || k === '') return value ?? null;
  if (k.includes('phone')) return maskPhone(String(value));
  if (/email|name$|^name|password|secret|token|api_key/.test(k) && k !== 'company') return REDACTED;
  if (/(^|_)ip(s|_address)?$/.test(k)) return maskIp(String(value));
  return value;
}

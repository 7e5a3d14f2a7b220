import type { AccessLogEntry } from './access-log.ts';
import type { ApiKey } from './api-key.ts';
import type { ExternalService } from './external-service.ts';
import type { Permission } from './permissions.ts';
import type { RateLimitRule, RateLimits, RateWindow } from './rate-limits.ts';

export interface NewExternalService {
  company: string;
  serviceType: string;
  contactEmail: string;
  description: string | null;
  defaultPermissions: Permission[];
  defaultRateLimits: RateLimits;
}

/** External services and their API keys. */
export interface RegulatorRepository {
  createService(input: NewExternalService): Promise<ExternalService>;
  listServices(): Promise<ExternalService[]>;
  /** By id (uuid) or by company name (case-insensitive). */
  findService(idOrCompany: string): Promise<ExternalService | null>;
  setServiceActive(id: string, active: boolean): Promise<void>;
  insertKey(key: Omit<ApiKey, 'createdAt'>): Promise<ApiKey>;
  findKeyByPrefix(prefix: string): Promise<{ key: ApiKey; service: ExternalService } | null>;
  findKey(id: string): Promise<ApiKey | null>;
  listKeys(serviceId?: string): Promise<ApiKey[]>;
  revokeKey(id: string, at: Date): Promise<void>;
  /** Rotation: the old key keeps working until `until` (or its own earlier expiry). */
  expireKeyBy(id: string, until: Date): Promise<void>;
}

export interface RateLimitDecision {
  allowed: boolean;
  /** The binding window: the one with the fewest requests left (or the one that refused). */
  window: RateWindow | null;
  limit: number;
  remaining: number;
  /** Seconds until the binding window is fully replenished. */
  resetSeconds: number;
  /** When refused: seconds until one more request is allowed. */
  retryAfterSeconds: number;
}

/**
 * Counts requests per bucket on several windows at once, atomically: a request is allowed only if
 * every window allows it, and a refused request consumes nothing. Throws when the store is down.
 */
export interface RateLimiter {
  consume(bucket: string, rules: RateLimitRule[]): Promise<RateLimitDecision>;
  ping(): Promise<void>;
}

/** Where regulator requests are audited; `record` never blocks the request, `flush` writes what is buffered. */
export interface AccessLogSink {
  record(entry: AccessLogEntry): void;
  flush(): Promise<void>;
}

export interface AccessLogFilter {
  serviceId?: string;
  status?: number;
  from?: Date;
  to?: Date;
  limit: number;
}

export interface AccessLogRow extends AccessLogEntry {
  id: string;
  company: string | null;
  keyPrefix: string | null;
}

export interface AccessLogReader {
  query(filter: AccessLogFilter): Promise<AccessLogRow[]>;
}

import type { ApiKey } from '../../../domain/regulator/api-key.ts';
import type { ExternalService } from '../../../domain/regulator/external-service.ts';
import type { Permission } from '../../../domain/regulator/permissions.ts';
import { parseRateLimits } from '../../../domain/regulator/rate-limits.ts';
import type { NewExternalService, RegulatorRepository } from '../../../domain/regulator/regulator.ports.ts';
import type { Orm } from '../orm.ts';
import { query, toDate, toDateOrNull } from './sql.ts';

type Row = Record<string, unknown>;

const SERVICE_COLUMNS = `s.id as s_id, s.company as s_company, s.service_type as s_service_type, s.contact_email as s_contact_email,
  s.description as s_description, s.is_active as s_is_active, s.default_permissions::text[] as s_default_permissions,
  s.default_rate_limits as s_default_rate_limits, s.created_at as s_created_at`;
const KEY_COLUMNS = `k.id as k_id, k.external_service_id as k_external_service_id, k.key_name as k_key_name, k.key_prefix as k_key_prefix,
  k.key_hash as k_key_hash, k.permissions::text[] as k_permissions, k.rate_limits as k_rate_limits, k.expires_at as k_expires_at,
  k.allowed_ips as k_allowed_ips, k.is_active as k_is_active, k.revoked_at as k_revoked_at, k.rotated_from as k_rotated_from, k.created_at as k_created_at, k.last_used_at as k_last_used_at`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function toService(r: Row): ExternalService {
  return {
    id: r.s_id as string,
    company: r.s_company as string,
    serviceType: r.s_service_type as string,
    contactEmail: r.s_contact_email as string,
    description: (r.s_description as string | null) ?? null,
    isActive: r.s_is_active as boolean,
    defaultPermissions: (r.s_default_permissions as Permission[]) ?? [],
    defaultRateLimits: parseRateLimits((r.s_default_rate_limits as Record<string, unknown>) ?? {}),
    createdAt: toDate(r.s_created_at),
  };
}

function toKey(r: Row): ApiKey {
  return {
    id: r.k_id as string,
    externalServiceId: r.k_external_service_id as string,
    name: r.k_key_name as string,
    prefix: r.k_key_prefix as string,
    hash: r.k_key_hash as string,
    permissions: (r.k_permissions as Permission[]) ?? [],
    rateLimits: parseRateLimits((r.k_rate_limits as Record<string, unknown>) ?? {}),
    expiresAt: toDateOrNull(r.k_expires_at),
    allowedIps: (r.k_allowed_ips as string[] | null) ?? null,
    isActive: r.k_is_active as boolean,
    revokedAt: toDateOrNull(r.k_revoked_at),
    rotatedFrom: (r.k_rotated_from as string | null) ?? null,
    createdAt: toDate(r.k_created_at),
    lastUsedAt: toDateOrNull(r.k_last_used_at),
  };
}

export class PostgresRegulatorRepository implements RegulatorRepository {
  private readonly orm: Orm;

  constructor(orm: Orm) {
    this.orm = orm;
  }

  async createService(input: NewExternalService): Promise<ExternalService> {
    const [row] = await query<{ id: string }>(
      this.orm,
      `insert into external_services (company, service_type, contact_email, description, default_permissions, default_rate_limits)
       values (?, ?, ?, ?, ?::api_permission[], ?::jsonb) returning id`,
      [input.company, input.serviceType, input.contactEmail, input.description, toPgArray(input.defaultPermissions), JSON.stringify(input.defaultRateLimits)],
    );
    return (await this.findService(row!.id))!;
  }

  async listServices(): Promise<ExternalService[]> {
    return (await query(this.orm, `select ${SERVICE_COLUMNS} from external_services s order by s.company`)).map(toService);
  }

  async findService(idOrCompany: string): Promise<ExternalService | null> {
    const rows = UUID.test(idOrCompany)
      ? await query(this.orm, `select ${SERVICE_COLUMNS} from external_services s where s.id = ?`, [idOrCompany])
      : await query(this.orm, `select ${SERVICE_COLUMNS} from external_services s where lower(s.company) = lower(?)`, [idOrCompany]);
    return rows[0] ? toService(rows[0]) : null;
  }

  async setServiceActive(id: string, active: boolean): Promise<void> {
    await query(this.orm, `update external_services set is_active = ?, updated_at = now() where id = ?`, [active, id]);
  }

  async insertKey(key: Omit<ApiKey, 'createdAt'>): Promise<ApiKey> {
    await query(
      this.orm,
      `insert into api_keys (id, external_service_id, key_name, key_prefix, key_hash, permissions, rate_limits, expires_at, allowed_ips, is_active, revoked_at, rotated_from)
       values (?, ?, ?, ?, ?, ?::api_permission[], ?::jsonb, ?, ?::text[], ?, ?, ?)`,
      [
        key.id,
        key.externalServiceId,
        key.name,
        key.prefix,
        key.hash,
        toPgArray(key.permissions),
        JSON.stringify(key.rateLimits),
        key.expiresAt,
        key.allowedIps ? toPgArray(key.allowedIps) : null,
        key.isActive,
        key.revokedAt,
        key.rotatedFrom,
      ],
    );
    return (await this.findKey(key.id))!;
  }

  async findKeyByPrefix(prefix: string): Promise<{ key: ApiKey; service: ExternalService } | null> {
    const rows = await query(
      this.orm,
      `select ${KEY_COLUMNS}, ${SERVICE_COLUMNS} from api_keys k join external_services s on s.id = k.external_service_id where k.key_prefix = ?`,
      [prefix],
    );
    return rows[0] ? { key: toKey(rows[0]), service: toService(rows[0]) } : null;
  }

  async findKey(id: string): Promise<ApiKey | null> {
    if (!UUID.test(id)) return null;
    const rows = await query(this.orm, `select ${KEY_COLUMNS} from api_keys k where k.id = ?`, [id]);
    return rows[0] ? toKey(rows[0]) : null;
  }

  async listKeys(serviceId?: string): Promise<ApiKey[]> {
    const rows = serviceId
      ? await query(this.orm, `select ${KEY_COLUMNS} from api_keys k where k.external_service_id = ? order by k.created_at`, [serviceId])
      : await query(this.orm, `select ${KEY_COLUMNS} from api_keys k order by k.created_at`);
    return rows.map(toKey);
  }

  async revokeKey(id: string, at: Date): Promise<void> {
    await query(this.orm, `update api_keys set revoked_at = ?, is_active = false, updated_at = now() where id = ? and revoked_at is null`, [at, id]);
  }

  async expireKeyBy(id: string, until: Date): Promise<void> {
    await query(this.orm, `update api_keys set expires_at = least(coalesce(expires_at, ?::timestamptz), ?::timestamptz), updated_at = now() where id = ?`, [
      until,
      until,
      id,
    ]);
  }
}

/** A PostgreSQL array literal of simple tokens (permissions, IP addresses). */
function toPgArray(items: readonly string[]): string {
  return `{${items.map((i) => `"${i.replace(/["\\]/g, '')}"`).join(',')}}`;
}

import type { ApiKey } from '../../../domain/regulator/api-key.ts';
import type { ExternalService } from '../../../domain/regulator/external-service.ts';
import { parseRateLimits } from '../../../domain/regulator/rate-limits.ts';
import type { NewExternalService, RegulatorRepository } from '../../../domain/regulator/regulator.ports.ts';
import { sql, type InferResult } from 'kysely';
import type { Kysely } from '@mikro-orm/sql';
import type { Orm } from '../orm.ts';
import { kysely, type Database } from '../kysely.ts';

// Prefixed (s_…, k_…) so that a key and its service read in one row keep their same-named columns
// apart; convertValues still maps a prefixed column through its schema's type (<alias>_<column>).
const SERVICE_COLUMNS = [
  's.id as s_id',
  's.company as s_company',
  's.service_type as s_service_type',
  's.contact_email as s_contact_email',
  's.description as s_description',
  's.is_active as s_is_active',
  's.default_permissions as s_default_permissions',
  's.default_rate_limits as s_default_rate_limits',
  's.created_at as s_created_at',
] as const;
const KEY_COLUMNS = [
  'k.id as k_id',
  'k.external_service_id as k_external_service_id',
  'k.key_name as k_key_name',
  'k.key_prefix as k_key_prefix',
  'k.key_hash as k_key_hash',
  'k.permissions as k_permissions',
  'k.rate_limits as k_rate_limits',
  'k.expires_at as k_expires_at',
  'k.allowed_ips as k_allowed_ips',
  'k.is_active as k_is_active',
  'k.revoked_at as k_revoked_at',
  'k.rotated_from as k_rotated_from',
  'k.created_at as k_created_at',
  'k.last_used_at as k_last_used_at',
] as const;
const services = (db: Kysely<Database>) => db.selectFrom('external_services as s').select(SERVICE_COLUMNS);
const keys = (db: Kysely<Database>) => db.selectFrom('api_keys as k').select(KEY_COLUMNS);
type ServiceRow = InferResult<ReturnType<typeof services>>[number];
type KeyRow = InferResult<ReturnType<typeof keys>>[number];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function toService(r: ServiceRow): ExternalService {
  return {
    id: r.s_id,
    company: r.s_company,
    serviceType: r.s_service_type,
    contactEmail: r.s_contact_email,
    description: r.s_description,
    isActive: r.s_is_active,
    defaultPermissions: r.s_default_permissions ?? [],
    defaultRateLimits: parseRateLimits(r.s_default_rate_limits ?? {}),
    createdAt: r.s_created_at,
  };
}

function toKey(r: KeyRow): ApiKey {
  return {
    id: r.k_id,
    externalServiceId: r.k_external_service_id,
    name: r.k_key_name,
    prefix: r.k_key_prefix!,
    hash: r.k_key_hash!,
    permissions: r.k_permissions ?? [],
    rateLimits: parseRateLimits(r.k_rate_limits ?? {}),
    expiresAt: r.k_expires_at,
    allowedIps: r.k_allowed_ips,
    isActive: r.k_is_active,
    revokedAt: r.k_revoked_at,
    rotatedFrom: r.k_rotated_from,
    createdAt: r.k_created_at,
    lastUsedAt: r.k_last_used_at,
  };
}

export class PostgresRegulatorRepository implements RegulatorRepository {
  private readonly orm: Orm;

  constructor(orm: Orm) {
    this.orm = orm;
  }

  private db(): Kysely<Database> {
    return kysely(this.orm.em.fork());
  }

  async createService(input: NewExternalService): Promise<ExternalService> {
    // convertValues writes the permissions as a PostgreSQL array and the limits as JSON (the schema's types).
    const row = await this.db()
      .insertInto('external_services')
      .values({
        company: input.company,
        service_type: input.serviceType,
        contact_email: input.contactEmail,
        description: input.description,
        default_permissions: [...input.defaultPermissions],
        default_rate_limits: input.defaultRateLimits,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return (await this.findService(row.id))!;
  }

  async listServices(): Promise<ExternalService[]> {
    return (await services(this.db()).orderBy('s.company').execute()).map(toService);
  }

  async findService(idOrCompany: string): Promise<ExternalService | null> {
    const row = UUID.test(idOrCompany)
      ? await services(this.db()).where('s.id', '=', idOrCompany).executeTakeFirst()
      : await services(this.db())
          .where((eb) => eb(eb.fn<string>('lower', ['s.company']), '=', eb.fn<string>('lower', [eb.val(idOrCompany)])))
          .executeTakeFirst();
    return row ? toService(row) : null;
  }

  async setServiceActive(id: string, active: boolean): Promise<void> {
    await this.db()
      .updateTable('external_services')
      .set({ is_active: active, updated_at: sql<Date>`now()` })
      .where('id', '=', id)
      .execute();
  }

  async insertKey(key: Omit<ApiKey, 'createdAt'>): Promise<ApiKey> {
    await this.db()
      .insertInto('api_keys')
      .values({
        id: key.id,
        external_service_id: key.externalServiceId,
        key_name: key.name,
        key_prefix: key.prefix,
        key_hash: key.hash,
        permissions: [...key.permissions],
        rate_limits: key.rateLimits,
        expires_at: key.expiresAt,
        allowed_ips: key.allowedIps ? [...key.allowedIps] : null,
        is_active: key.isActive,
        revoked_at: key.revokedAt,
        rotated_from: key.rotatedFrom,
      })
      .execute();
    return (await this.findKey(key.id))!;
  }

  async findKeyByPrefix(prefix: string): Promise<{ key: ApiKey; service: ExternalService } | null> {
    const row = await keys(this.db())
      .innerJoin('external_services as s', 's.id', 'k.external_service_id')
      .select(SERVICE_COLUMNS)
      .where('k.key_prefix', '=', prefix)
      .executeTakeFirst();
    return row ? { key: toKey(row), service: toService(row) } : null;
  }

  async findKey(id: string): Promise<ApiKey | null> {
    if (!UUID.test(id)) return null;
    const row = await keys(this.db()).where('k.id', '=', id).executeTakeFirst();
    return row ? toKey(row) : null;
  }

  async listKeys(serviceId?: string): Promise<ApiKey[]> {
    const rows = await keys(this.db())
      .$if(!!serviceId, (q) => q.where('k.external_service_id', '=', serviceId!))
      .orderBy('k.created_at')
      .execute();
    return rows.map(toKey);
  }

  async revokeKey(id: string, at: Date): Promise<void> {
    await this.db()
      .updateTable('api_keys')
      .set({ revoked_at: at, is_active: false, updated_at: sql<Date>`now()` })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .execute();
  }

  async expireKeyBy(id: string, until: Date): Promise<void> {
    await this.db()
      .updateTable('api_keys')
      .set((eb) => ({ expires_at: eb.fn<Date>('least', [eb.fn.coalesce('expires_at', eb.val(until)), eb.val(until)]), updated_at: sql<Date>`now()` }))
      .where('id', '=', id)
      .execute();
  }
}

import type { EntityManager } from '@mikro-orm/postgresql';
import type { Orm } from '../orm.ts';
import type { RefreshTokenFamily, RevocationReason } from '../../../domain/identity/refresh-token-family.ts';
import type { FamilyChange, RefreshTokenFamilyRepository } from '../../../domain/identity/refresh-token-family.repository.ts';

interface FamilyRow {
  id: string;
  user_id: number;
  current_token_hash: string;
  used_token_hashes: string[];
  access_jti: string | null;
  created_at: Date;
  rotated_at: Date | null;
  expires_at: Date;
  revoked_at: Date | null;
  revoked_reason: RevocationReason | null;
}

const COLUMNS = 'id, user_id, current_token_hash, used_token_hashes, access_jti, created_at, rotated_at, expires_at, revoked_at, revoked_reason';
const date = (d: Date | null) => (d === null ? null : new Date(d));

const toFamily = (r: FamilyRow): RefreshTokenFamily => ({
  id: r.id,
  userId: Number(r.user_id),
  currentHash: r.current_token_hash.trim(),
  usedHashes: r.used_token_hashes ?? [],
  accessJti: r.access_jti,
  createdAt: new Date(r.created_at),
  rotatedAt: date(r.rotated_at),
  expiresAt: new Date(r.expires_at),
  revokedAt: date(r.revoked_at),
  revokedReason: r.revoked_reason,
});

// Hashes are lowercase hex, so a text[] literal needs no escaping.
const arrayLiteral = (hashes: string[]) => {
  if (!hashes.every((h) => /^[0-9a-f]{64}$/.test(h))) throw new Error('refresh token hashes must be SHA-256 hex');
  return `{${hashes.join(',')}}`;
};

// Families that expired more than a day ago are deleted when their user logs in again.
const FORGET_AFTER = `interval '1 day'`;

/** Refresh-token families in PostgreSQL: the truth, whatever happens to Redis. */
export class PostgresRefreshTokenFamilyRepository implements RefreshTokenFamilyRepository {
  private readonly orm: Orm;

  constructor(orm: Orm) {
    this.orm = orm;
  }

  async create(f: RefreshTokenFamily): Promise<void> {
    await this.orm.em.fork().transactional(async (em) => {
      await em.execute(`delete from refresh_token_families where user_id = ? and expires_at < now() - ${FORGET_AFTER}`, [f.userId]);
      await em.execute(
        `insert into refresh_token_families (id, user_id, current_token_hash, used_token_hashes, access_jti, created_at, expires_at)
         values (?, ?, ?, ?::text[], ?, ?, ?)`,
        [f.id, f.userId, f.currentHash, arrayLiteral(f.usedHashes), f.accessJti, f.createdAt, f.expiresAt],
      );
    });
  }

  async updateByTokenHash<T>(hash: string, change: (family: RefreshTokenFamily | null) => Promise<FamilyChange<T>>): Promise<T> {
    return this.orm.em.fork().transactional(async (em) => {
      const rows = (await em.execute(
        `select ${COLUMNS} from refresh_token_families where current_token_hash = ? or used_token_hashes @> array[?]::text[] limit 1 for update`,
        [hash, hash],
      )) as FamilyRow[];
      const { save, result } = await change(rows[0] ? toFamily(rows[0]) : null);
      if (save) await this.save(em, save);
      return result;
    });
  }

  async revokeByTokenHash(userId: number, hash: string, reason: RevocationReason): Promise<RefreshTokenFamily | null> {
    const rows = (await this.orm.em.fork().execute(
      `update refresh_token_families set revoked_at = now(), revoked_reason = ?
       where user_id = ? and revoked_at is null and (current_token_hash = ? or used_token_hashes @> array[?]::text[])
       returning ${COLUMNS}`,
      [reason, userId, hash, hash],
    )) as FamilyRow[];
    return rows[0] ? toFamily(rows[0]) : null;
  }

  async revokeById(userId: number, id: string, reason: RevocationReason): Promise<RefreshTokenFamily | null> {
    // A session id that is not a uuid names no family (and must not reach PostgreSQL as one).
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return null;
    const rows = (await this.orm.em.fork().execute(
      `update refresh_token_families set revoked_at = now(), revoked_reason = ?
       where user_id = ? and revoked_at is null and id = ?
       returning ${COLUMNS}`,
      [reason, userId, id],
    )) as FamilyRow[];
    return rows[0] ? toFamily(rows[0]) : null;
  }

  private async save(em: EntityManager, f: RefreshTokenFamily): Promise<void> {
    await em.execute(
      `update refresh_token_families
       set current_token_hash = ?, used_token_hashes = ?::text[], access_jti = ?, rotated_at = ?, expires_at = ?, revoked_at = ?, revoked_reason = ?
       where id = ?`,
      [f.currentHash, arrayLiteral(f.usedHashes), f.accessJti, f.rotatedAt, f.expiresAt, f.revokedAt, f.revokedReason, f.id],
    );
  }
}

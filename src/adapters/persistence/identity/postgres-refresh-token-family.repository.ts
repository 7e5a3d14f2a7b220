import { LockMode, sql } from '@mikro-orm/core';
import type { EntityManager, QBFilterQuery } from '@mikro-orm/postgresql';
import { RefreshTokenFamilySchema, type RefreshTokenFamilyRecord } from '../schemas/index.ts';
import type { Orm } from '../orm.ts';
import { kysely } from '../kysely.ts';
import { minutesAgo } from '../kysely-functions.ts';
import type { RefreshTokenFamily, RevocationReason } from '../../../domain/identity/refresh-token-family.ts';
import type { FamilyChange, RefreshTokenFamilyRepository } from '../../../domain/identity/refresh-token-family.repository.ts';

type FamilyRow = RefreshTokenFamilyRecord;
// Nullable columns are optional in the inferred record; a row read back has them all (null or a value).
const date = (d: Date | null | undefined) => (d == null ? null : new Date(d));

const toFamily = (r: FamilyRow): RefreshTokenFamily => ({
  id: r.id,
  userId: Number(r.userId),
  currentHash: r.currentTokenHash.trim(),
  usedHashes: r.usedTokenHashes ?? [],
  accessJti: r.accessJti ?? null,
  createdAt: new Date(r.createdAt),
  rotatedAt: date(r.rotatedAt),
  expiresAt: new Date(r.expiresAt),
  revokedAt: date(r.revokedAt),
  revokedReason: r.revokedReason ?? null,
});
// Hashes are SHA-256 hex: anything else is a bug upstream, refused before it reaches the table.
const hexHashes = (hashes: string[]) => {
  if (!hashes.every((h) => /^[0-9a-f]{64}$/.test(h))) throw new Error('refresh token hashes must be SHA-256 hex');
  return hashes;
};

// Families that expired more than a day ago are deleted when their user logs in again.
const FORGET_AFTER_MINUTES = 24 * 60;
/** The family holding `hash`, current or already rotated away. */
const holding = (hash: string) => ({ $or: [{ currentTokenHash: hash }, { usedTokenHashes: { $contains: [hash] } }] });

/** Refresh-token families in PostgreSQL: the truth, whatever happens to Redis. */
export class PostgresRefreshTokenFamilyRepository implements RefreshTokenFamilyRepository {
  private readonly orm: Orm;

  constructor(orm: Orm) {
    this.orm = orm;
  }

  async create(f: RefreshTokenFamily): Promise<void> {
    await this.orm.em.fork().transactional(async (em) => {
      await kysely(em)
        .deleteFrom('refresh_token_families')
        .where('user_id', '=', f.userId)
        .where('expires_at', '<', (eb) => minutesAgo(eb, FORGET_AFTER_MINUTES))
        .execute();
      await em
        .createQueryBuilder(RefreshTokenFamilySchema)
        .insert({
          id: f.id,
          userId: f.userId,
          currentTokenHash: f.currentHash,
          usedTokenHashes: hexHashes(f.usedHashes),
          accessJti: f.accessJti,
          createdAt: f.createdAt,
          expiresAt: f.expiresAt,
        })
        .execute();
    });
  }

  async updateByTokenHash<T>(hash: string, change: (family: RefreshTokenFamily | null) => Promise<FamilyChange<T>>): Promise<T> {
    return this.orm.em.fork().transactional(async (em) => {
      const row: FamilyRow | null = await em
        .createQueryBuilder(RefreshTokenFamilySchema)
        .select('*')
        .where(holding(hash))
        .setLockMode(LockMode.PESSIMISTIC_WRITE)
        .execute('get');
      const { save, result } = await change(row ? toFamily(row) : null);
      if (save) await this.save(em, save);
      return result;
    });
  }

  async revokeByTokenHash(userId: number, hash: string, reason: RevocationReason): Promise<RefreshTokenFamily | null> {
    return this.revoke(reason, { userId, revokedAt: null, ...holding(hash) });
  }

  async revokeById(userId: number, id: string, reason: RevocationReason): Promise<RefreshTokenFamily | null> {
    // A session id that is not a uuid names no family (and must not reach PostgreSQL as one).
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return null;
    return this.revoke(reason, { userId, revokedAt: null, id });
  }

  private async revoke(reason: RevocationReason, where: QBFilterQuery<FamilyRow>): Promise<RefreshTokenFamily | null> {
    const rows: FamilyRow[] = await this.orm.em
      .fork()
      .createQueryBuilder(RefreshTokenFamilySchema)
      .update({ revokedAt: sql.now(), revokedReason: reason })
      .where(where)
      .returning('*')
      .execute('all');
    return rows[0] ? toFamily(rows[0]) : null;
  }

  private async save(em: EntityManager, f: RefreshTokenFamily): Promise<void> {
    await em
      .createQueryBuilder(RefreshTokenFamilySchema)
      .update({
        currentTokenHash: f.currentHash,
        usedTokenHashes: hexHashes(f.usedHashes),
        accessJti: f.accessJti,
        rotatedAt: f.rotatedAt,
        expiresAt: f.expiresAt,
        revokedAt: f.revokedAt,
        revokedReason: f.revokedReason,
      })
      .where({ id: f.id })
      .execute();
  }
}

import type { EntityManager } from '@mikro-orm/postgresql';
import type { Orm } from './orm.ts';
import type { UnitOfWork, UnitTransaction } from '../../domain/shared/unit-of-work.ts';
import { writeIdempotencyRecords } from './idempotency/postgres-idempotency.store.ts';

/**
 * The PostgreSQL side of the unit of work. A UnitTransaction handed to application code is a bare
 * token; the transaction behind it is found here (a WeakMap, not a cast), so no EntityManager
 * leaves the persistence adapters and a token from elsewhere is refused instead of misused.
 */
const open = new WeakMap<UnitTransaction, EntityManager>();

export function unitOf(em: EntityManager): UnitTransaction {
  const tx = Object.freeze({}) as UnitTransaction;
  open.set(tx, em);
  return tx;
}

/** The transaction of an open unit (for repositories that join it). */
export function emOf(tx: UnitTransaction): EntityManager {
  const em = open.get(tx);
  if (!em) throw new Error('not a unit of work of this process');
  return em;
}

/**
 * Completes a unit inside its open transaction, after the movement wrote its own rows: the
 * idempotency record first (a lost claim throws and rolls the movement back), then the joined
 * writes of other repositories.
 */
export async function finishUnit<R>(em: EntityManager, unit: UnitOfWork<R> | undefined, result: R): Promise<void> {
  if (!unit) return;
  const record = unit.idempotency?.(result);
  if (record) await writeIdempotencyRecords(em, [record]);
  if (unit.join) await unit.join(unitOf(em), result);
}

/**
 * A unit of work that is not a ledger movement (a test route, a write of one repository that
 * must carry an idempotency record): `work` runs in one transaction with the unit's writes.
 */
export async function runUnit<R>(orm: Orm, work: (tx: UnitTransaction) => Promise<R>, unit?: UnitOfWork<R>): Promise<R> {
  const result = await orm.em.fork().transactional(async (em) => {
    const r = await work(unitOf(em));
    await finishUnit(em, unit, r);
    return r;
  });
  unit?.committed?.(result);
  return result;
}

import type { EntityManager } from '@mikro-orm/postgresql';
import type { InferKyselyDB, Kysely } from '@mikro-orm/sql';
import type * as schemas from './schemas/index.ts';

/**
 * The tables as Kysely sees them, inferred from the entity schemas (schemas/index.ts): a query
 * that names a column the schemas do not have, or reads it as the wrong type, does not compile.
 * Joins across mapToPk relations, which MikroORM's own query builder cannot express, are plain
 * Kysely joins here.
 */
type Schemas = Extract<(typeof schemas)[keyof typeof schemas], { name: string; meta: unknown }>;
export type Database = InferKyselyDB<Schemas>;

/**
 * A typed query handle bound to `em`: inside a transaction, to that transaction's connection.
 * convertValues maps each column through its schema's type on the way out (numeric(15,2) to Money,
 * timestamptz to Date), so rows come back as the inferred types say. Money refuses a negative
 * amount: BANK_CAPITAL's balance (the one account allowed below zero) is read as text.
 *
 * The handle is kept per entity manager and transaction: building it (a plugin and a Kysely
 * instance) costs more than a short query, and the outbox insert runs inside every movement.
 */
const handles = new WeakMap<EntityManager, { tx: unknown; db: Kysely<Database> }>();

export function kysely(em: EntityManager): Kysely<Database> {
  const tx = em.getTransactionContext();
  const held = handles.get(em);
  if (held && held.tx === tx) return held.db;
  const db = em.getKysely<Database>({ convertValues: true });
  handles.set(em, { tx, db });
  return db;
}

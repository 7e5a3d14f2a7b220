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
 */
export const kysely = (em: EntityManager): Kysely<Database> => em.getKysely<Database>({ convertValues: true });

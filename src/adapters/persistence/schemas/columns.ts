import { UnderscoreNamingStrategy, p } from '@mikro-orm/core';
import type { Money } from '../../../domain/shared/money.ts';
import { MoneyType } from '../types/money.type.ts';

/**
 * Names constraints and indexes the way PostgreSQL names the ones the migrations leave unnamed
 * (`<table>_<columns>_key|fkey|idx|check`), so the entity schemas describe the same objects and
 * MikroORM's schema diff against a migrated database is empty (tests/integration/schema-diff.test.ts).
 * Columns are the properties in snake_case (UnderscoreNamingStrategy).
 */
export class PostgresNamingStrategy extends UnderscoreNamingStrategy {
  override indexName(
    tableName: string,
    columns: string[],
    type: 'primary' | 'foreign' | 'unique' | 'index' | 'sequence' | 'check' | 'default' | 'trigger',
  ): string {
    const suffix = { foreign: 'fkey', unique: 'key', index: 'idx' }[type as string];
    return suffix ? `${tableName}_${columns.join('_')}_${suffix}` : super.indexName(tableName, columns, type);
  }
}

/** numeric(15,2) as the Money value object (bigint minor units: never a float). */
export const money = (columnType = 'numeric(15,2)') => p.type(MoneyType).columnType(columnType).$type<Money>();
/** timestamptz, filled by the database when the insert does not give it. */
export const timestampNow = () => p.datetime().defaultRaw('now()');
export const timestamp = () => p.datetime();
/** The uuid primary key PostgreSQL draws (gen_random_uuid()). */
export const generatedUuid = () => p.uuid().primary().defaultRaw('gen_random_uuid()');
/** char(n): hashes and hex digests. */
export const fixedChar = (length: number) => p.string().columnType(`char(${length})`);

/** A domain list as the SQL of a CHECK (… in ('A', 'B')): the values come from the domain's constants, never from input. */
export const sqlList = (items: readonly string[]) => items.map((i) => `'${i}'`).join(', ');

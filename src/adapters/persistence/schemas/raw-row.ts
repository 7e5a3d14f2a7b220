import type { Money } from '../../../domain/shared/money.ts';

type Snake<S extends string> = S extends `${infer H}${infer T}` ? `${H extends Lowercase<H> ? H : `_${Lowercase<H>}`}${Snake<T>}` : S;
type Raw<V> = [V] extends [Money] ? string : [V] extends [Money | null] ? string | null : V;

/**
 * A row of an entity's table as hand-written SQL returns it through `pg`: the columns' names
 * (the properties in snake_case, as the naming strategy maps them) and numerics as text. For the
 * ledger's hot path, which keeps its SQL, so that its rows are typed from the same schema.
 */
export type RawRow<Entity> = { -readonly [K in keyof Entity as K extends string ? Snake<K> : never]-?: Raw<Exclude<Entity[K], undefined>> };

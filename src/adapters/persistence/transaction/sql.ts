import type { Orm } from '../orm.ts';

/** Raw SQL through MikroORM's connection (`?` placeholders); rows come back as plain objects. */
export async function query<T = Record<string, unknown>>(orm: Orm, sql: string, params: unknown[] = []): Promise<T[]> {
  return (await orm.em.getConnection().execute(sql, params)) as T[];
}

/** MikroORM's connection returns timestamptz as text ("2026-11-25 13:26:36.293513+00"). */
export function toDate(v: unknown): Date {
  return v instanceof Date ? v : new Date(String(v));
}

export function toDateOrNull(v: unknown): Date | null {
  return v === null || v === undefined ? null : toDate(v);
}

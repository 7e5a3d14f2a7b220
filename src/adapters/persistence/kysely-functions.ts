import type { Expression, ExpressionBuilder } from 'kysely';

// Typed forms of the few expressions SQL spells with keywords rather than functions (intervals,
// extract, count as an int), so that queries through kysely() need no SQL text for them.

// Generic in the database type, so that they also serve queries over subqueries (which extend it).
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any table of any database
type EB = ExpressionBuilder<any, any>;

/** `count(*)::int`: a number, where count's bigint would come back as text. */
export const countInt = (eb: EB) => eb.cast<number>(eb.fn.countAll(), 'integer');

/** make_interval(mins, secs) in its positional form (years, months, weeks, days, hours, mins, secs). */
const interval = (eb: EB, mins: number, secs: number) =>
  eb.fn<Date>('make_interval', [eb.lit(0), eb.lit(0), eb.lit(0), eb.lit(0), eb.lit(0), eb.val(mins), eb.val(secs)]);

/** `now() + secs seconds` by the database's clock (secs may be negative or fractional). */
export const secondsFromNow = (eb: EB, secs: number) => eb(eb.fn<Date>('now'), '+', interval(eb, 0, secs));

/** `now() - mins minutes` by the database's clock. */
export const minutesAgo = (eb: EB, mins: number) => eb(eb.fn<Date>('now'), '-', interval(eb, mins, 0));

/** `extract(epoch from t)::float8` as date_part, extract's function form: seconds as a number (null when t is). */
export const epochSeconds = (eb: EB, t: Expression<unknown>) => eb.cast<number | null>(eb.fn('date_part', [eb.val('epoch'), t]), 'float8');

/** Seconds from `t` to now, by the database's clock: `extract(epoch from now() - t)::float8`. */
export const secondsSince = (eb: EB, t: Expression<unknown>) => epochSeconds(eb, eb(eb.fn('now'), '-', t));

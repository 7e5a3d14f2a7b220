/**
 * Dates and date-times a client may send (API.md: "dates are bounded, years 1970–9999"). The
 * grammar is checked field by field — a real calendar day, hours 0–23, minutes and seconds 0–59,
 * an offset within ±14:00 — instead of trusting `Date.parse`, which accepts years like 0000 and
 * 275760 that PostgreSQL then refuses (a 500 instead of a 400).
 */
export const MIN_YEAR = 1970;
export const MAX_YEAR = 9999;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

function isCalendarDay(year: number, month: number, day: number): boolean {
  if (year < MIN_YEAR || year > MAX_YEAR || month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** `YYYY-MM-DD`, a real day in years 1970–9999. */
export function isBoundedDate(text: string): boolean {
  const m = DATE.exec(text);
  return m !== null && isCalendarDay(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** An ISO-8601 date-time with offset (`Z` or `±HH:MM`), seconds and up to 6 fraction digits optional, in years 1970–9999. */
export function isBoundedDateTime(text: string): boolean {
  const m = DATE_TIME.exec(text);
  if (!m || !isCalendarDay(Number(m[1]), Number(m[2]), Number(m[3]))) return false;
  const [hour, minute, second] = [Number(m[4]), Number(m[5]), Number(m[6] ?? '0')];
  if (hour > 23 || minute > 59 || second > 59) return false;
  if (m[7] !== undefined && (Number(m[7]) * 60 + Number(m[8]) > 14 * 60 || Number(m[8]) > 59)) return false;
  return true;
}

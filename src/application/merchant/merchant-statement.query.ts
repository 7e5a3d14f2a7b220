import { MerchantErrors } from '../../domain/merchant/merchant.ts';
import type { MerchantRepository } from '../../domain/merchant/merchant.repository.ts';
import { buildStatement, type Statement } from '../../domain/merchant/statement.ts';
import { CommonErrors } from '../../domain/shared/common.errors.ts';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Start of a business day (Asia/Jakarta, UTC+7 all year, no daylight saving). */
function jakartaMidnight(day: string, field: string): Date {
  // 2026-02-30 parses as a Date in UTC only if it is a real day: the round trip must give it back.
  const real = DAY.test(day) && !Number.isNaN(Date.parse(`${day}T00:00:00Z`)) && new Date(`${day}T00:00:00Z`).toISOString().startsWith(day);
  if (!real) throw CommonErrors.invalidDate(`${field} must be a date YYYY-MM-DD`, { errors: [{ field, message: 'YYYY-MM-DD' }] });
  return new Date(`${day}T00:00:00+07:00`);
}

/** A merchant's statement for the business days from..to inclusive: opening, every movement, closing — equal to the journal. */
export class MerchantStatementQuery {
  private readonly merchants: MerchantRepository;

  constructor(merchants: MerchantRepository) {
    this.merchants = merchants;
  }

  async execute(code: string, fromDay: string, toDay: string): Promise<{ merchant: { code: string; name: string }; statement: Statement }> {
    const from = jakartaMidnight(fromDay, 'from');
    const to = new Date(jakartaMidnight(toDay, 'to').getTime() + 86_400_000);
    if (to <= from) throw CommonErrors.invalidDate('to must not be before from', { errors: [{ field: 'to', message: 'not before from' }] });
    const m = await this.merchants.findByCode(code);
    if (!m) throw MerchantErrors.notFound();
    const { opening, entries } = await this.merchants.journal(m.accountId, from, to);
    return { merchant: { code: m.code, name: m.name }, statement: buildStatement(opening, entries) };
  }
}

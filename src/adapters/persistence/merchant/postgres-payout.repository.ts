import { sql, type InferResult } from 'kysely';
import type { Kysely } from '@mikro-orm/sql';
import type { Orm } from '../orm.ts';
import { kysely, type Database } from '../kysely.ts';
import type { LedgerRepository } from '../../../domain/ledger/ledger.repository.ts';
import { emOf } from '../unit-of-work.ts';
import { PayoutErrors, payoutLegs, payoutReturnLegs, returnReferenceOf, type Payout } from '../../../domain/disbursement/payout.ts';
import type { PayoutRepository } from '../../../domain/disbursement/payout.repository.ts';

const payouts = (db: Kysely<Database>) =>
  db
    .selectFrom('merchant_payouts as p')
    .innerJoin('merchants as m', 'm.id', 'p.merchant_id')
    .innerJoin('accounts as a', 'a.merchant_id', 'm.id')
    .select([
      'p.reference',
      'p.merchant_id',
      'm.code as merchant_code',
      'a.id as merchant_account_id',
      'p.amount',
      'p.status',
      'p.bank_code',
      'p.bank_account_number',
      'p.bank_account_holder',
      'p.provider_reference',
      'p.failure_reason',
      'p.created_at',
      'p.updated_at',
    ]);
type PayoutRow = InferResult<ReturnType<typeof payouts>>[number];

function toPayout(r: PayoutRow): Payout {
  return {
    reference: r.reference,
    merchantId: r.merchant_id,
    merchantCode: r.merchant_code,
    merchantAccountId: r.merchant_account_id,
    amount: r.amount,
    status: r.status,
    bankAccount: { bankCode: r.bank_code, accountNumber: r.bank_account_number, holderName: r.bank_account_holder },
    providerReference: r.provider_reference,
    failureReason: r.failure_reason,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** A PENDING payout's final status (the conditional UPDATE is the exactly-once gate); a provider reference given replaces the one held. */
const settle = (db: Kysely<Database>, reference: string, to: { status: 'SUCCESS' | 'FAILED'; failureReason?: string; providerReference: string | null }) =>
  db
    .updateTable('merchant_payouts')
    .set((eb) => ({
      status: to.status,
      ...(to.failureReason === undefined ? {} : { failure_reason: to.failureReason }),
      provider_reference: eb.fn.coalesce(eb.val(to.providerReference), 'provider_reference'),
      updated_at: sql<Date>`now()`,
    }))
    .where('reference', '=', reference)
    .where('status', '=', 'PENDING')
    .returning('reference');

/** Raised inside the return movement's transaction when the payout was no longer PENDING: rolls the movement back. */
class AlreadySettled extends Error {}

export class PostgresPayoutRepository implements PayoutRepository {
  private readonly orm: Orm;
  private readonly ledger: LedgerRepository;

  constructor(orm: Orm, ledger: LedgerRepository) {
    this.orm = orm;
    this.ledger = ledger;
  }

  async create(p: Parameters<PayoutRepository['create']>[0]): Promise<{ payout: Payout; created: boolean }> {
    const existing = await this.find(p.reference);
    if (existing) return this.same(existing, p);
    try {
      await this.ledger.post(
        { plan: () => Promise.resolve(payoutLegs(p.merchant.accountId, p.amount, p.merchant.payoutReserve)), reference: p.reference },
        {
          join: async (tx) => {
            await kysely(emOf(tx))
              .insertInto('merchant_payouts')
              .values({
                reference: p.reference,
                merchant_id: p.merchant.id,
                amount: p.amount,
                bank_code: p.merchant.bankAccount.bankCode,
                bank_account_number: p.merchant.bankAccount.accountNumber,
                bank_account_holder: p.merchant.bankAccount.holderName,
              })
              .execute();
          },
        },
      );
    } catch (err) {
      // The same reference created concurrently: the movement rolled back with the duplicate row.
      const raced = (err as { code?: string }).code === '23505' ? await this.find(p.reference) : null;
      if (raced) return this.same(raced, p);
      throw err;
    }
    return { payout: (await this.find(p.reference))!, created: true };
  }

  async find(reference: string): Promise<Payout | null> {
    const row = await payouts(kysely(this.orm.em.fork())).where('p.reference', '=', reference).executeTakeFirst();
    return row ? toPayout(row) : null;
  }

  async pending(olderThan: Date, limit: number): Promise<Payout[]> {
    const rows = await payouts(kysely(this.orm.em.fork()))
      .where('p.status', '=', 'PENDING')
      .where('p.created_at', '<', olderThan)
      .orderBy('p.created_at')
      .limit(limit)
      .execute();
    return rows.map(toPayout);
  }

  async markSucceeded(reference: string, providerReference: string | null): Promise<{ applied: boolean; payout: Payout }> {
    const rows = await settle(kysely(this.orm.em.fork()), reference, { status: 'SUCCESS', providerReference }).execute();
    const payout = await this.find(reference);
    if (!payout) throw PayoutErrors.notFound();
    return { applied: rows.length === 1, payout };
  }

  async markFailed(reference: string, reason: string, providerReference: string | null): Promise<{ applied: boolean; payout: Payout }> {
    const current = await this.find(reference);
    if (!current) throw PayoutErrors.notFound();
    if (current.status !== 'PENDING') return { applied: false, payout: current };
    try {
      // The money comes back and the status changes in one transaction; the conditional UPDATE is
      // the exactly-once gate (a concurrent second attempt finds no PENDING row and rolls back).
      await this.ledger.post(
        { plan: () => Promise.resolve(payoutReturnLegs(current.merchantAccountId, current.amount)), reference: returnReferenceOf(reference) },
        {
          join: async (tx) => {
            const rows = await settle(kysely(emOf(tx)), reference, { status: 'FAILED', failureReason: reason, providerReference }).execute();
            if (rows.length !== 1) throw new AlreadySettled();
          },
        },
      );
    } catch (err) {
      if (err instanceof AlreadySettled) return { applied: false, payout: (await this.find(reference))! };
      throw err;
    }
    return { applied: true, payout: (await this.find(reference))! };
  }

  private same(existing: Payout, p: Parameters<PayoutRepository['create']>[0]): { payout: Payout; created: boolean } {
    if (existing.merchantId !== p.merchant.id || !existing.amount.equals(p.amount)) throw PayoutErrors.referenceReused();
    return { payout: existing, created: false };
  }
}

import type { Orm } from '../orm.ts';
import { Money } from '../../../domain/shared/money.ts';
import type { LedgerRepository } from '../../../domain/ledger/ledger.repository.ts';
import { emOf } from '../unit-of-work.ts';
import { PayoutErrors, payoutLegs, payoutReturnLegs, returnReferenceOf, type Payout, type PayoutStatus } from '../../../domain/disbursement/payout.ts';
import type { PayoutRepository } from '../../../domain/disbursement/payout.repository.ts';

interface PayoutRow {
  reference: string;
  merchant_id: string;
  merchant_code: string;
  merchant_account_id: string;
  amount: string;
  status: PayoutStatus;
  bank_code: string;
  bank_account_number: string;
  bank_account_holder: string;
  provider_reference: string | null;
  failure_reason: string | null;
  created_at: Date;
  updated_at: Date;
}

const SELECT = `select p.reference, p.merchant_id, m.code as merchant_code, a.id as merchant_account_id, p.amount::text as amount, p.status,
                       p.bank_code, p.bank_account_number, p.bank_account_holder, p.provider_reference, p.failure_reason, p.created_at, p.updated_at
                  from merchant_payouts p join merchants m on m.id = p.merchant_id join accounts a on a.merchant_id = m.id`;

function toPayout(r: PayoutRow): Payout {
  return {
    reference: r.reference,
    merchantId: r.merchant_id,
    merchantCode: r.merchant_code,
    merchantAccountId: r.merchant_account_id,
    amount: Money.parse(r.amount),
    status: r.status,
    bankAccount: { bankCode: r.bank_code, accountNumber: r.bank_account_number, holderName: r.bank_account_holder },
    providerReference: r.provider_reference,
    failureReason: r.failure_reason,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  };
}

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
            await emOf(tx).execute(
              `insert into merchant_payouts (reference, merchant_id, amount, bank_code, bank_account_number, bank_account_holder) values (?, ?, ?, ?, ?, ?)`,
              [
                p.reference,
                p.merchant.id,
                p.amount.toString(),
                p.merchant.bankAccount.bankCode,
                p.merchant.bankAccount.accountNumber,
                p.merchant.bankAccount.holderName,
              ],
            );
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
    const rows = (await this.orm.em.fork().execute(`${SELECT} where p.reference = ?`, [reference])) as PayoutRow[];
    return rows[0] ? toPayout(rows[0]) : null;
  }

  async pending(olderThan: Date, limit: number): Promise<Payout[]> {
    const rows = (await this.orm.em
      .fork()
      .execute(`${SELECT} where p.status = 'PENDING' and p.created_at < ? order by p.created_at limit ?`, [olderThan, limit])) as PayoutRow[];
    return rows.map(toPayout);
  }

  async markSucceeded(reference: string, providerReference: string | null): Promise<{ applied: boolean; payout: Payout }> {
    const rows = (await this.orm.em
      .fork()
      .execute(
        `update merchant_payouts set status = 'SUCCESS', provider_reference = coalesce(?, provider_reference), updated_at = now() where reference = ? and status = 'PENDING' returning reference`,
        [providerReference, reference],
      )) as unknown[];
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
            const rows = (await emOf(tx).execute(
              `update merchant_payouts set status = 'FAILED', failure_reason = ?, provider_reference = coalesce(?, provider_reference), updated_at = now() where reference = ? and status = 'PENDING' returning reference`,
              [reason, providerReference, reference],
            )) as unknown[];
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

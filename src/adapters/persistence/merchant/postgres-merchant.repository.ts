import { raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AccountSchema, LedgerEntrySchema, MerchantSchema, type MerchantRecord } from '../schemas/index.ts';
import type { Orm } from '../orm.ts';
import { CoalescedLookup } from '../coalesced-lookup.ts';
import { Money } from '../../../domain/shared/money.ts';
import { MerchantErrors, type Merchant, type MerchantCategory, type MerchantStatus, type MerchantWithBalance } from '../../../domain/merchant/merchant.ts';
import type { MerchantRepository, NewMerchant } from '../../../domain/merchant/merchant.repository.ts';
import type { MerchantJournalEntry } from '../../../domain/merchant/statement.ts';
import type { AccountFreeze, FreezeLevel } from '../../../domain/wallet/freeze.ts';
import { toFreeze } from '../payment/ledger-rows.ts';

interface MerchantRow {
  id: string;
  code: string;
  name: string;
  category: MerchantCategory;
  status: MerchantStatus;
  bank_code: string | null;
  bank_account_number: string | null;
  bank_account_holder: string | null;
  fee_bps: number | null;
  payout_reserve: string;
  account_id: string;
  balance: string;
  freeze_level: FreezeLevel | null;
  freeze_reason: string | null;
  frozen_at: Date | null;
  frozen_by: string | null;
  created_at: Date;
  updated_at: Date;
}

const SELECT = `select m.id, m.code, m.name, m.category, m.status, m.bank_code, m.bank_account_number, m.bank_account_holder, m.fee_bps, m.payout_reserve::text as payout_reserve,
                       a.id as account_id, a.balance::text as balance,
                       a.freeze_level, a.freeze_reason, a.frozen_at, a.frozen_by, m.created_at, m.updated_at
                  from merchants m join accounts a on a.merchant_id = m.id`;

function toMerchant(r: MerchantRow): MerchantWithBalance {
  return {
    id: r.id,
    code: r.code,
    name: r.name,
    category: r.category,
    status: r.status,
    bankAccount:
      r.bank_code && r.bank_account_number && r.bank_account_holder
        ? { bankCode: r.bank_code, accountNumber: r.bank_account_number, holderName: r.bank_account_holder }
        : null,
    feeBps: r.fee_bps === null ? null : Number(r.fee_bps),
    payoutReserve: Money.parse(r.payout_reserve),
    accountId: r.account_id,
    balance: Money.parse(r.balance),
    freeze: toFreeze(r),
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  };
}

export class PostgresMerchantRepository implements MerchantRepository {
  private readonly orm: Orm;

  constructor(orm: Orm) {
    this.orm = orm;
  }

  async create(m: NewMerchant): Promise<Merchant> {
    try {
      return await this.orm.em.fork().transactional(async (em) => {
        const row = await em
          .createQueryBuilder(MerchantSchema)
          .insert({
            code: m.code,
            name: m.name,
            category: m.category,
            bankCode: m.bankAccount?.bankCode ?? null,
            bankAccountNumber: m.bankAccount?.accountNumber ?? null,
            bankAccountHolder: m.bankAccount?.holderName ?? null,
            feeBps: m.feeBps,
          })
          .returning(['id'])
          .execute('get');
        await em.createQueryBuilder(AccountSchema).insert({ merchantId: row.id }).execute();
        return (await this.findIn(em, m.code))!;
      });
    } catch (err) {
      if ((err as { code?: string }).code === '23505') throw MerchantErrors.codeTaken(m.code);
      throw err;
    }
  }

  async findByCode(code: string): Promise<MerchantWithBalance | null> {
    return this.byCode.load(code);
  }

  /** Concurrent findByCode calls in one statement (the payment path's merchant lookup). */
  private readonly byCode = new CoalescedLookup<string, MerchantWithBalance>(async (codes) => {
    const rows = (await this.orm.em.fork().execute(`${SELECT} where m.code = any(?::text[])`, [
      // An array literal with every element quoted: a code is the caller's text.
      `{${codes.map((c) => `"${c.replace(/["\\]/g, '\\$&')}"`).join(',')}}`,
    ])) as MerchantRow[];
    return new Map(rows.map((r) => [r.code, toMerchant(r)]));
  });

  async list(): Promise<MerchantWithBalance[]> {
    const rows = (await this.orm.em.fork().execute(`${SELECT} order by m.code`)) as MerchantRow[];
    return rows.map(toMerchant);
  }

  async changeStatus(
    code: string,
    to: MerchantStatus,
    check: (locked: MerchantWithBalance) => void,
  ): Promise<{ before: MerchantWithBalance; after: MerchantWithBalance }> {
    return this.orm.em.fork().transactional(async (em) => {
      // The account row is the one payments change: locking it orders this after any payment in flight.
      const rows = (await em.execute(`${SELECT} where m.code = ? for update of m, a`, [code])) as MerchantRow[];
      if (!rows[0]) throw MerchantErrors.notFound();
      const before = toMerchant(rows[0]);
      check(before);
      await em
        .createQueryBuilder(MerchantSchema)
        .update({ status: to, updatedAt: raw('now()') })
        .where({ id: before.id })
        .execute();
      await em
        .createQueryBuilder(AccountSchema)
        .update({ accountStatus: to, updatedAt: raw('now()') })
        .where({ id: before.accountId })
        .execute();
      return { before, after: (await this.findIn(em, code))! };
    });
  }

  async setFreeze(
    code: string,
    freeze: AccountFreeze | null,
    check: (locked: MerchantWithBalance) => void,
  ): Promise<{ before: MerchantWithBalance; after: MerchantWithBalance }> {
    return this.orm.em.fork().transactional(async (em) => {
      // The account row is the one the ledger's conditional statement checks: locking it orders this after any movement in flight.
      const rows = (await em.execute(`${SELECT} where m.code = ? for update of a`, [code])) as MerchantRow[];
      if (!rows[0]) throw MerchantErrors.notFound();
      const before = toMerchant(rows[0]);
      check(before);
      await em.execute(`update accounts set freeze_level = ?, freeze_reason = ?, frozen_at = ?, frozen_by = ?, updated_at = now() where id = ?`, [
        freeze?.level ?? null,
        freeze?.reason ?? null,
        freeze?.frozenAt ?? null,
        freeze?.frozenBy ?? null,
        before.accountId,
      ]);
      return { before, after: (await this.findIn(em, code))! };
    });
  }

  async setFee(code: string, feeBps: number | null): Promise<MerchantWithBalance> {
    return this.update(code, { feeBps });
  }

  async setPayoutReserve(code: string, reserve: Money): Promise<MerchantWithBalance> {
    return this.update(code, { payoutReserve: reserve });
  }

  async journal(accountId: string, from: Date, to: Date): Promise<{ opening: Money; entries: MerchantJournalEntry[] }> {
    const em = this.orm.em.fork();
    const rows = (await em.execute(
      `select e.created_at, e.transaction_id, e.amount::text as amount, e.balance_before::text as before, e.balance_after::text as after,
              h.transaction_type::text as history_type, h.amount::text as history_amount
         from ledger_entries e left join historical_transactions h on h.transaction_id = e.transaction_id
        where e.account_id = ? and e.created_at >= ? and e.created_at < ? order by e.id`,
      [accountId, from, to],
    )) as {
      created_at: Date;
      transaction_id: string;
      amount: string;
      before: string;
      after: string;
      history_type: string | null;
      history_amount: string | null;
    }[];
    let opening: Money;
    if (rows[0]) opening = Money.parse(rows[0].before);
    else {
      const last = await em
        .createQueryBuilder(LedgerEntrySchema)
        .select(['balanceAfter'])
        .where({ accountId, createdAt: { $lt: from } })
        .orderBy({ id: 'desc' })
        .limit(1)
        .execute('get');
      opening = last ? Money.parse(String(last.balanceAfter)) : Money.zero();
    }
    const entries = rows.map((r): MerchantJournalEntry => ({
      at: new Date(r.created_at),
      transactionId: r.transaction_id,
      delta: signedMinor(r.amount),
      balanceBefore: Money.parse(r.before),
      balanceAfter: Money.parse(r.after),
      history: r.history_type && r.history_amount ? { type: r.history_type, amount: Money.parse(r.history_amount) } : null,
      // Payout movements are journalled under the payout reference (PO-…), their return under PO-…:RETURN.
      payout: r.transaction_id.startsWith('PO-')
        ? { reference: r.transaction_id.replace(/:RETURN$/, ''), returned: r.transaction_id.endsWith(':RETURN') }
        : null,
    }));
    return { opening, entries };
  }

  private async update(code: string, change: Pick<MerchantRecord, 'feeBps'> | Pick<MerchantRecord, 'payoutReserve'>): Promise<MerchantWithBalance> {
    const em = this.orm.em.fork();
    const { affectedRows } = await em
      .createQueryBuilder(MerchantSchema)
      .update({ ...change, updatedAt: raw('now()') })
      .where({ code })
      .execute('run');
    if (!affectedRows) throw MerchantErrors.notFound();
    return (await this.findIn(em, code))!;
  }

  private async findIn(em: EntityManager, code: string): Promise<MerchantWithBalance | null> {
    const rows = (await em.execute(`${SELECT} where m.code = ?`, [code])) as MerchantRow[];
    return rows[0] ? toMerchant(rows[0]) : null;
  }
}

/** "-10.50" → -1050n. */
function signedMinor(text: string): bigint {
  return text.startsWith('-') ? -Money.parse(text.slice(1)).minor : Money.parse(text).minor;
}

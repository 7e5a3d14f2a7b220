import { raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Kysely } from '@mikro-orm/sql';
import type { InferResult } from 'kysely';
import { kysely, type Database } from '../kysely.ts';
import { AccountSchema, LedgerEntrySchema, MerchantSchema, type MerchantRecord } from '../schemas/index.ts';
import type { Orm } from '../orm.ts';
import { CoalescedLookup } from '../coalesced-lookup.ts';
import { Money } from '../../../domain/shared/money.ts';
import { MerchantErrors, type Merchant, type MerchantStatus, type MerchantWithBalance } from '../../../domain/merchant/merchant.ts';
import type { MerchantRepository, NewMerchant } from '../../../domain/merchant/merchant.repository.ts';
import type { MerchantJournalEntry } from '../../../domain/merchant/statement.ts';
import type { AccountFreeze } from '../../../domain/wallet/freeze.ts';
import { toFreeze } from '../payment/ledger-rows.ts';

// The merchant and its account: the columns typed queries and the hot lookup's SQL both read.
const MERCHANT_COLUMNS = [
  'm.id',
  'm.code',
  'm.name',
  'm.category',
  'm.status',
  'm.bank_code',
  'm.bank_account_number',
  'm.bank_account_holder',
  'm.fee_bps',
  'm.payout_reserve',
  'a.id as account_id',
  'a.balance',
  'a.freeze_level',
  'a.freeze_reason',
  'a.frozen_at',
  'a.frozen_by',
  'm.created_at',
  'm.updated_at',
] as const;
// In the columns' own types (numerics as Money, timestamps as Date).
const merchants = (db: Kysely<Database>) => db.selectFrom('merchants as m').innerJoin('accounts as a', 'a.merchant_id', 'm.id').select(MERCHANT_COLUMNS);
type MerchantRow = InferResult<ReturnType<typeof merchants>>[number];
// As pg hands it over: numerics and timestamps as text.
type RawMerchantRow = Omit<MerchantRow, 'balance' | 'payout_reserve' | 'created_at' | 'updated_at'> & {
  balance: string;
  payout_reserve: string;
  created_at: string;
  updated_at: string;
};
const fromRaw = (r: RawMerchantRow): MerchantRow => ({
  ...r,
  balance: Money.parse(r.balance),
  payout_reserve: Money.parse(r.payout_reserve),
  created_at: new Date(r.created_at),
  updated_at: new Date(r.updated_at),
});
// An array parameter is written as a quoted list.
const MERCHANTS_BY_CODE = `select ${MERCHANT_COLUMNS.join(', ')} from merchants m join accounts a on a.merchant_id = m.id where m.code in (?)`;

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
    feeBps: r.fee_bps,
    payoutReserve: r.payout_reserve,
    accountId: r.account_id,
    balance: r.balance,
    freeze: toFreeze(r),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
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
  // Hand-written SQL: every payment makes this lookup, and kysely()'s convertValues plugin costs
  // about 0.3 ms of CPU a query against 0.06 ms for a string. The same columns as merchants(),
  // converted by fromRaw.
  private readonly byCode = new CoalescedLookup<string, MerchantWithBalance>(async (codes) => {
    const rows = (await this.orm.em.getConnection().execute(MERCHANTS_BY_CODE, [codes])) as RawMerchantRow[];
    return new Map(rows.map((r) => [r.code, toMerchant(fromRaw(r))]));
  });

  async list(): Promise<MerchantWithBalance[]> {
    const rows = await merchants(kysely(this.orm.em.fork())).orderBy('m.code').execute();
    return rows.map(toMerchant);
  }

  async changeStatus(
    code: string,
    to: MerchantStatus,
    check: (locked: MerchantWithBalance) => void,
  ): Promise<{ before: MerchantWithBalance; after: MerchantWithBalance }> {
    return this.orm.em.fork().transactional(async (em) => {
      // The account row is the one payments change: locking it orders this after any payment in flight.
      const row = await merchants(kysely(em)).where('m.code', '=', code).forUpdate(['m', 'a']).executeTakeFirst();
      if (!row) throw MerchantErrors.notFound();
      const before = toMerchant(row);
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
      const row = await merchants(kysely(em)).where('m.code', '=', code).forUpdate('a').executeTakeFirst();
      if (!row) throw MerchantErrors.notFound();
      const before = toMerchant(row);
      check(before);
      await em
        .createQueryBuilder(AccountSchema)
        .update({
          freezeLevel: freeze?.level ?? null,
          freezeReason: freeze?.reason ?? null,
          frozenAt: freeze?.frozenAt ?? null,
          frozenBy: freeze?.frozenBy ?? null,
          updatedAt: raw('now()'),
        })
        .where({ id: before.accountId })
        .execute();
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
    const rows = await kysely(em)
      .selectFrom('ledger_entries as e')
      .leftJoin('historical_transactions as h', 'h.transaction_id', 'e.transaction_id')
      .select((eb) => [
        'e.created_at',
        'e.transaction_id',
        // Signed (a debit is negative), which Money refuses: read as text.
        eb.cast<string>('e.amount', 'text').as('delta'),
        'e.balance_before',
        'e.balance_after',
        'h.transaction_type',
        'h.amount',
      ])
      .where('e.account_id', '=', accountId)
      .where('e.created_at', '>=', from)
      .where('e.created_at', '<', to)
      .orderBy('e.id')
      .execute();
    let opening: Money;
    if (rows[0]) opening = rows[0].balance_before;
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
      at: r.created_at,
      transactionId: r.transaction_id,
      delta: signedMinor(r.delta),
      balanceBefore: r.balance_before,
      balanceAfter: r.balance_after,
      history: r.transaction_type && r.amount ? { type: r.transaction_type, amount: r.amount } : null,
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
    const row = await merchants(kysely(em)).where('m.code', '=', code).executeTakeFirst();
    return row ? toMerchant(row) : null;
  }
}

/** "-10.50" → -1050n. */
function signedMinor(text: string): bigint {
  return text.startsWith('-') ? -Money.parse(text.slice(1)).minor : Money.parse(text).minor;
}

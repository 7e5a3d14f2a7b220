import type { Orm } from '../orm.ts';
import { CoalescedLookup } from '../coalesced-lookup.ts';
import type { Account, AccountStatus } from '../../../domain/wallet/account.ts';
import type { AccountRepository } from '../../../domain/wallet/account.repository.ts';
import { WalletErrors } from '../../../domain/wallet/wallet.errors.ts';
import { parseRecipient, type Recipient } from '../../../domain/wallet/recipient.ts';
import type { StoredIdentity } from '../../../domain/wallet/kyc.ts';
import type { AccountFreeze } from '../../../domain/wallet/freeze.ts';
import type { Selectable } from 'kysely';
import { kysely, type Database } from '../kysely.ts';
import {
  ACCOUNT_COLUMN_NAMES,
  ACCOUNT_COLUMNS as LEDGER_ACCOUNT_COLUMNS,
  toAccount as toLedgerAccount,
  toFreeze,
  type AccountRow as LedgerAccountRow,
} from './ledger-rows.ts';
import { BoundedMap } from '../../bounded-map.ts';

type AccountRow = Selectable<Database['accounts']>;
/** A row as Kysely returns it (convertValues: balance a Money, timestamps Dates). user_id is bigint: pg hands it over as text. */
function toAccount(r: Omit<AccountRow, 'merchant_id'> & { merchant_id?: string | null }): Account {
  return {
    id: r.id,
    userId: r.user_id === null ? null : Number(r.user_id),
    systemCode: r.system_code,
    merchantId: r.merchant_id ?? null,
    balance: r.balance,
    currency: 'IDR',
    status: r.account_status,
    kycTier: r.kyc_tier,
    freeze: toFreeze(r),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** About 100 bytes each: a replica's active payers. */
const ACCOUNT_IDS_MAX = 100_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class PostgresAccountRepository implements AccountRepository {
  private readonly orm: Orm;

  constructor(orm: Orm) {
    this.orm = orm;
  }

  async findByUserId(userId: number): Promise<Account | null> {
    return this.byUserId.load(userId);
  }

  /** Concurrent findByUserId calls in one statement (the payer lookup of payments and transfers). */
  // Hand-written SQL (the ledger's row and mapping): every payment and transfer makes this lookup,
  // and kysely()'s convertValues plugin costs about 0.3 ms of CPU a query against 0.06 ms for a string.
  private readonly byUserId = new CoalescedLookup<number, Account>(async (userIds) => {
    const rows = (await this.orm.em
      .getConnection()
      .execute(`select ${LEDGER_ACCOUNT_COLUMNS} from accounts where user_id in (?)`, [userIds])) as LedgerAccountRow[];
    return new Map(rows.map((r) => [Number(r.user_id), toLedgerAccount(r)]));
  });

  async accountIdOf(userId: number): Promise<string | null> {
    const known = this.accountIds.get(userId);
    if (known) return known;
    const id = (await this.byUserId.load(userId))?.id ?? null;
    if (id) this.accountIds.set(userId, id);
    return id;
  }

  /** Users' account ids found so far (never stale: user_id is unique and never reassigned; a miss is not remembered). */
  private readonly accountIds = new BoundedMap<number, string>(ACCOUNT_IDS_MAX);

  async findById(id: string): Promise<Account | null> {
    if (!UUID.test(id)) return null;
    const row = await kysely(this.orm.em.fork()).selectFrom('accounts').select(ACCOUNT_COLUMN_NAMES).where('id', '=', id).executeTakeFirst();
    return row ? toAccount(row) : null;
  }

  async findRecipient(recipient: string): Promise<Recipient | null> {
    const ref = parseRecipient(recipient);
    // Each kind of identifier in its own column: a phone-like text never reaches usernames.
    if (ref.kind !== 'account' && ref.kind !== 'phone' && ref.kind !== 'username') return null;
    const row = await kysely(this.orm.em.fork())
      .selectFrom('accounts as a')
      .innerJoin('users as u', 'u.id', 'a.user_id')
      .select([
        'a.id',
        'a.user_id',
        'a.system_code',
        'a.balance',
        'a.currency',
        'a.account_status',
        'a.kyc_tier',
        'a.freeze_level',
        'a.freeze_reason',
        'a.frozen_at',
        'a.frozen_by',
        'a.created_at',
        'a.updated_at',
        'u.username',
        'u.phone',
      ])
      .where((eb) =>
        ref.kind === 'account'
          ? eb('a.id', '=', ref.accountId)
          : ref.kind === 'phone'
            ? eb('u.phone', '=', ref.phone)
            : eb(eb.fn('lower', ['u.username']), '=', eb.fn('lower', [eb.val(ref.username)])),
      )
      .executeTakeFirst();
    return row ? { ...toAccount(row), username: row.username, phone: row.phone } : null;
  }

  async phoneOf(userId: number): Promise<string | null> {
    const row = await kysely(this.orm.em.fork()).selectFrom('users').select('phone').where('id', '=', userId).executeTakeFirst();
    return row?.phone ?? null;
  }

  async changeStatus(
    accountId: string,
    to: AccountStatus,
    check: (locked: Account, pendingTopUps: number) => void,
  ): Promise<{ before: Account; after: Account }> {
    if (!UUID.test(accountId)) throw WalletErrors.accountNotFound();
    return this.orm.em.fork().transactional(async (em) => {
      const k = kysely(em);
      const locked = await k.selectFrom('accounts').select(ACCOUNT_COLUMN_NAMES).where('id', '=', accountId).forUpdate().executeTakeFirst();
      if (!locked) throw WalletErrors.accountNotFound();
      const before = toAccount(locked);
      if (before.systemCode) throw WalletErrors.systemAccount();
      const { n } = await k
        .selectFrom('historical_transactions')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('account_id', '=', accountId)
        .where('transaction_type', '=', 'TOPUP')
        .where('transaction_status', '=', 'PENDING')
        .executeTakeFirstOrThrow();
      check(before, Number(n));
      const after = await k
        .updateTable('accounts')
        .set((eb) => ({ account_status: to, updated_at: eb.fn('now') }))
        .where('id', '=', accountId)
        .returning(ACCOUNT_COLUMN_NAMES)
        .executeTakeFirstOrThrow();
      return { before, after: toAccount(after) };
    });
  }

  async setFreeze(accountId: string, freeze: AccountFreeze | null, check: (locked: Account) => void): Promise<{ before: Account; after: Account }> {
    if (!UUID.test(accountId)) throw WalletErrors.accountNotFound();
    return this.orm.em.fork().transactional(async (em) => {
      // The row lock every movement takes first: a movement in flight commits before the freeze, none after it slips by.
      const k = kysely(em);
      const locked = await k.selectFrom('accounts').select(ACCOUNT_COLUMN_NAMES).where('id', '=', accountId).forUpdate().executeTakeFirst();
      if (!locked) throw WalletErrors.accountNotFound();
      const before = toAccount(locked);
      check(before);
      const after = await k
        .updateTable('accounts')
        .set((eb) => ({
          freeze_level: freeze?.level ?? null,
          freeze_reason: freeze?.reason ?? null,
          frozen_at: freeze?.frozenAt ?? null,
          frozen_by: freeze?.frozenBy ?? null,
          updated_at: eb.fn('now'),
        }))
        .where('id', '=', accountId)
        .returning(ACCOUNT_COLUMN_NAMES)
        .executeTakeFirstOrThrow();
      return { before, after: toAccount(after) };
    });
  }

  async register(accountId: string, identity: StoredIdentity, check: (locked: Account) => void): Promise<{ before: Account; after: Account }> {
    if (!UUID.test(accountId)) throw WalletErrors.accountNotFound();
    return this.orm.em.fork().transactional(async (em) => {
      const k = kysely(em);
      const locked = await k.selectFrom('accounts').select(ACCOUNT_COLUMN_NAMES).where('id', '=', accountId).forUpdate().executeTakeFirst();
      if (!locked) throw WalletErrors.accountNotFound();
      const before = toAccount(locked);
      check(before);
      await k
        .insertInto('account_identities')
        .values({
          account_id: accountId,
          id_type: identity.idType,
          id_number_sealed: identity.idNumberSealed,
          id_number_masked: identity.idNumberMasked,
          name_sealed: identity.nameSealed,
          verified_by: identity.verifiedBy,
          verified_at: identity.verifiedAt,
        })
        .execute();
      const after = await k
        .updateTable('accounts')
        .set((eb) => ({ kyc_tier: 'REGISTERED', updated_at: eb.fn('now') }))
        .where('id', '=', accountId)
        .returning(ACCOUNT_COLUMN_NAMES)
        .executeTakeFirstOrThrow();
      return { before, after: toAccount(after) };
    });
  }

  async identityOf(accountId: string): Promise<StoredIdentity | null> {
    if (!UUID.test(accountId)) return null;
    const r = await kysely(this.orm.em.fork()).selectFrom('account_identities').selectAll().where('account_id', '=', accountId).executeTakeFirst();
    return r
      ? {
          idType: r.id_type,
          idNumberSealed: r.id_number_sealed,
          idNumberMasked: r.id_number_masked,
          nameSealed: r.name_sealed,
          verifiedBy: r.verified_by,
          verifiedAt: r.verified_at,
        }
      : null;
  }
}

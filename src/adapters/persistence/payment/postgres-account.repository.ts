import type { Orm } from '../orm.ts';
import { CoalescedLookup } from '../coalesced-lookup.ts';
import type { Account, AccountStatus } from '../../../domain/wallet/account.ts';
import type { AccountRepository } from '../../../domain/wallet/account.repository.ts';
import { WalletErrors } from '../../../domain/wallet/wallet.errors.ts';
import { parseRecipient, type Recipient } from '../../../domain/wallet/recipient.ts';
import type { StoredIdentity } from '../../../domain/wallet/kyc.ts';
import type { AccountFreeze } from '../../../domain/wallet/freeze.ts';
import { ACCOUNT_COLUMNS, toAccount, type AccountRow } from './ledger-rows.ts';

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
  private readonly byUserId = new CoalescedLookup<number, Account>(async (userIds) => {
    const rows = (await this.orm.em
      .fork()
      .execute(`select ${ACCOUNT_COLUMNS} from accounts where user_id = any(?::int[])`, [`{${userIds.join(',')}}`])) as AccountRow[];
    return new Map(rows.map((r) => [Number(r.user_id), toAccount(r)]));
  });

  async findById(id: string): Promise<Account | null> {
    if (!UUID.test(id)) return null;
    const rows = (await this.orm.em.fork().execute(`select ${ACCOUNT_COLUMNS} from accounts where id = ?`, [id])) as AccountRow[];
    return rows[0] ? toAccount(rows[0]) : null;
  }

  async findRecipient(recipient: string): Promise<Recipient | null> {
    const ref = parseRecipient(recipient);
    // Each kind of identifier in its own column: a phone-like text never reaches usernames.
    const [where, value] =
      ref.kind === 'account'
        ? ['a.id = ?::uuid', ref.accountId]
        : ref.kind === 'phone'
          ? ['u.phone = ?', ref.phone]
          : ref.kind === 'username'
            ? ['lower(u.username) = lower(?)', ref.username]
            : [null, null];
    if (!where) return null;
    const rows = (await this.orm.em.fork().execute(
      `select a.id, a.user_id, a.system_code, a.balance, a.currency, a.account_status, a.kyc_tier, a.freeze_level, a.freeze_reason, a.frozen_at, a.frozen_by, a.created_at, a.updated_at, u.username, u.phone
         from accounts a join users u on u.id = a.user_id
        where ${where}`,
      [value],
    )) as (AccountRow & { username: string; phone: string })[];
    return rows[0] ? { ...toAccount(rows[0]), username: rows[0].username, phone: rows[0].phone } : null;
  }

  async phoneOf(userId: number): Promise<string | null> {
    const rows = (await this.orm.em.fork().execute(`select phone from users where id = ?`, [userId])) as { phone: string }[];
    return rows[0]?.phone ?? null;
  }

  async changeStatus(
    accountId: string,
    to: AccountStatus,
    check: (locked: Account, pendingTopUps: number) => void,
  ): Promise<{ before: Account; after: Account }> {
    if (!UUID.test(accountId)) throw WalletErrors.accountNotFound();
    return this.orm.em.fork().transactional(async (em) => {
      const rows = (await em.execute(`select ${ACCOUNT_COLUMNS} from accounts where id = ? for update`, [accountId])) as AccountRow[];
      if (!rows[0]) throw WalletErrors.accountNotFound();
      const before = toAccount(rows[0]);
      if (before.systemCode) throw WalletErrors.systemAccount();
      const [{ n }] = (await em.execute(
        `select count(*)::int as n from historical_transactions where account_id = ? and transaction_type = 'TOPUP' and transaction_status = 'PENDING'`,
        [accountId],
      )) as [{ n: number }];
      check(before, n);
      const updated = (await em.execute(`update accounts set account_status = ?, updated_at = now() where id = ? returning ${ACCOUNT_COLUMNS}`, [
        to,
        accountId,
      ])) as AccountRow[];
      return { before, after: toAccount(updated[0]!) };
    });
  }

  async setFreeze(accountId: string, freeze: AccountFreeze | null, check: (locked: Account) => void): Promise<{ before: Account; after: Account }> {
    if (!UUID.test(accountId)) throw WalletErrors.accountNotFound();
    return this.orm.em.fork().transactional(async (em) => {
      // The row lock every movement takes first: a movement in flight commits before the freeze, none after it slips by.
      const rows = (await em.execute(`select ${ACCOUNT_COLUMNS} from accounts where id = ? for update`, [accountId])) as AccountRow[];
      if (!rows[0]) throw WalletErrors.accountNotFound();
      const before = toAccount(rows[0]);
      check(before);
      const updated = (await em.execute(
        `update accounts set freeze_level = ?, freeze_reason = ?, frozen_at = ?, frozen_by = ?, updated_at = now() where id = ? returning ${ACCOUNT_COLUMNS}`,
        [freeze?.level ?? null, freeze?.reason ?? null, freeze?.frozenAt ?? null, freeze?.frozenBy ?? null, accountId],
      )) as AccountRow[];
      return { before, after: toAccount(updated[0]!) };
    });
  }

  async register(accountId: string, identity: StoredIdentity, check: (locked: Account) => void): Promise<{ before: Account; after: Account }> {
    if (!UUID.test(accountId)) throw WalletErrors.accountNotFound();
    return this.orm.em.fork().transactional(async (em) => {
      const rows = (await em.execute(`select ${ACCOUNT_COLUMNS} from accounts where id = ? for update`, [accountId])) as AccountRow[];
      if (!rows[0]) throw WalletErrors.accountNotFound();
      const before = toAccount(rows[0]);
      check(before);
      await em.execute(
        `insert into account_identities (account_id, id_type, id_number_sealed, id_number_masked, name_sealed, verified_by, verified_at) values (?, ?, ?, ?, ?, ?, ?)`,
        [accountId, identity.idType, identity.idNumberSealed, identity.idNumberMasked, identity.nameSealed, identity.verifiedBy, identity.verifiedAt],
      );
      const updated = (await em.execute(`update accounts set kyc_tier = 'REGISTERED', updated_at = now() where id = ? returning ${ACCOUNT_COLUMNS}`, [
        accountId,
      ])) as AccountRow[];
      return { before, after: toAccount(updated[0]!) };
    });
  }

  async identityOf(accountId: string): Promise<StoredIdentity | null> {
    if (!UUID.test(accountId)) return null;
    const rows = (await this.orm.em.fork().execute(`select * from account_identities where account_id = ?`, [accountId])) as {
      id_type: StoredIdentity['idType'];
      id_number_sealed: string;
      id_number_masked: string;
      name_sealed: string | null;
      verified_by: string;
      verified_at: Date;
    }[];
    const r = rows[0];
    return r
      ? {
          idType: r.id_type,
          idNumberSealed: r.id_number_sealed,
          idNumberMasked: r.id_number_masked,
          nameSealed: r.name_sealed,
          verifiedBy: r.verified_by,
          verifiedAt: new Date(r.verified_at),
        }
      : null;
  }
}

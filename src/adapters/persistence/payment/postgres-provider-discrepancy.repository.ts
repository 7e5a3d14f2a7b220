import type { EntityManager } from '@mikro-orm/postgresql';
import type { Orm } from '../orm.ts';
import { Money } from '../../../domain/shared/money.ts';
import { newTransactionId } from '../../../domain/shared/ids.ts';
import { settlementAccountOf } from '../../../domain/wallet/account.ts';
import {
  chooseResolution,
  type DiscrepancyReport,
  type DiscrepancyStatus,
  type ProviderDiscrepancy,
  type ProviderDiscrepancyRepository,
} from '../../../domain/ledger/provider-discrepancy.ts';
import type { PostgresLedgerRepository } from './postgres-ledger.repository.ts';
import { LedgerErrors } from '../../../domain/ledger/ledger.errors.ts';

interface DiscrepancyRow {
  id: string;
  transaction_id: string;
  kind: ProviderDiscrepancy['kind'];
  payment_method: ProviderDiscrepancy['paymentMethod'];
  account_id: string;
  user_id: number;
  amount: string;
  provider_reference: string | null;
  detected_via: ProviderDiscrepancy['detectedVia'];
  detected_at: Date | string;
  status: DiscrepancyStatus;
  resolution: ProviderDiscrepancy['resolution'];
  resolution_movement_id: string | null;
  resolution_transaction_id: string | null;
  resolved_by: string | null;
  resolved_at: Date | string | null;
  inserted?: boolean;
}

const toDiscrepancy = (r: DiscrepancyRow): ProviderDiscrepancy => ({
  id: r.id,
  transactionId: r.transaction_id,
  kind: r.kind,
  paymentMethod: r.payment_method,
  accountId: r.account_id,
  userId: Number(r.user_id),
  amount: Money.parse(String(r.amount)),
  providerReference: r.provider_reference,
  detectedVia: r.detected_via,
  // pg hands timestamps back as Date or as text depending on the connection's type parsers.
  detectedAt: new Date(r.detected_at),
  status: r.status,
  resolution: r.resolution,
  resolutionMovementId: r.resolution_movement_id,
  resolutionTransactionId: r.resolution_transaction_id,
  resolvedBy: r.resolved_by,
  resolvedAt: r.resolved_at === null ? null : new Date(r.resolved_at),
});

const COLUMNS = `id, transaction_id, kind, payment_method::text as payment_method, account_id, user_id, amount::text as amount, provider_reference, detected_via,
  detected_at, status, resolution, resolution_movement_id, resolution_transaction_id, resolved_by, resolved_at`;

export const discrepancyNotFound = () => LedgerErrors.discrepancyNotFound();

/** provider_discrepancies; the settlement moves money through the ledger in the case's own transaction. */
export class PostgresProviderDiscrepancyRepository implements ProviderDiscrepancyRepository {
  private readonly orm: Orm;
  private readonly ledger: PostgresLedgerRepository;

  constructor(orm: Orm, ledger: PostgresLedgerRepository) {
    this.orm = orm;
    this.ledger = ledger;
  }

  async recordSuccessAfterFailed(report: DiscrepancyReport): Promise<{ opened: boolean; discrepancy: ProviderDiscrepancy }> {
    // One case per top-up: a repeated detection (every webhook retry) only counts.
    const rows = (await this.orm.em.fork().execute(
      `insert into provider_discrepancies (transaction_id, kind, payment_method, account_id, user_id, amount, provider_reference, detected_via)
       select transaction_id, 'SUCCESS_AFTER_FAILED', payment_method, account_id, user_id, amount, ?, ?
         from historical_transactions
        where transaction_id = ? and transaction_type = 'TOPUP' and transaction_status = 'FAILED' and payment_method is not null
       on conflict (transaction_id, kind) do update set detections = provider_discrepancies.detections + 1
       returning ${COLUMNS}, (xmax = 0) as inserted`,
      [report.providerReference, report.detectedVia, report.transactionId],
    )) as DiscrepancyRow[];
    if (!rows[0]) throw LedgerErrors.transactionNotFailed(`top-up ${report.transactionId} is not FAILED: no discrepancy to record`);
    return { opened: rows[0].inserted === true, discrepancy: toDiscrepancy(rows[0]) };
  }

  async find(id: string): Promise<ProviderDiscrepancy | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const rows = (await this.orm.em.fork().execute(`select ${COLUMNS} from provider_discrepancies where id = ?`, [id])) as DiscrepancyRow[];
    return rows[0] ? toDiscrepancy(rows[0]) : null;
  }

  async list(filter: { status?: DiscrepancyStatus; limit: number }): Promise<ProviderDiscrepancy[]> {
    const rows = (await this.orm.em
      .fork()
      .execute(`select ${COLUMNS} from provider_discrepancies where (?::text is null or status = ?) order by detected_at, id limit ?`, [
        filter.status ?? null,
        filter.status ?? null,
        filter.limit,
      ])) as DiscrepancyRow[];
    return rows.map(toDiscrepancy);
  }

  async settle(id: string, operator: string): Promise<{ settled: boolean; discrepancy: ProviderDiscrepancy }> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw discrepancyNotFound();
    return this.ledger.transaction(async ({ em, move }): Promise<{ result: { settled: boolean; discrepancy: ProviderDiscrepancy }; userIds: number[] }> => {
      // The case's row lock serialises every settlement of it: the second one finds it RESOLVED.
      const locked = await lockCase(em, id);
      if (locked.status === 'RESOLVED') return { result: { settled: false, discrepancy: locked }, userIds: [] };
      const [account] = (await em.execute(`select balance::text as balance from accounts where id = ? for update`, [locked.accountId])) as {
        balance: string;
      }[];
      const resolution = chooseResolution(Money.parse(account!.balance), locked.amount);
      const settlement = settlementAccountOf(locked.paymentMethod);
      // REDEBIT: the customer pays back the amount released twice, as a top-up that succeeded
      // (linked to the original), whatever the account's status: it is a correction, like the
      // release was. BANK_LOSS: the bank's own FUNDING account makes the settlement account whole.
      const moved =
        resolution === 'REDEBIT'
          ? await move({
              amount: locked.amount,
              from: { accountId: locked.accountId },
              to: { system: settlement },
              fromRule: 'any',
              toRule: 'any',
              fromRow: {
                transactionId: newTransactionId('TOP'),
                type: 'TOPUP',
                status: 'SUCCESS',
                description: 'top-up confirmed late by the provider: released amount taken back',
                paymentMethod: locked.paymentMethod,
                externalReference: locked.providerReference,
                relatedTransactionId: locked.transactionId,
                metadata: { correction_of: locked.transactionId, discrepancy_id: locked.id, reason: locked.kind },
              },
            })
          : await move({ amount: locked.amount, from: { system: 'FUNDING' }, to: { system: settlement }, fromRule: 'any', toRule: 'any' });
      const rows = (await em.execute(
        `update provider_discrepancies
            set status = 'RESOLVED', resolution = ?, resolution_movement_id = ?, resolution_transaction_id = ?, resolved_by = ?, resolved_at = now()
          where id = ? and status = 'OPEN'
        returning ${COLUMNS}`,
        [resolution, moved.movementId, moved.fromRow?.transactionId ?? null, operator, id],
      )) as DiscrepancyRow[];
      return { result: { settled: true, discrepancy: toDiscrepancy(rows[0]!) }, userIds: resolution === 'REDEBIT' ? [locked.userId] : [] };
    });
  }
}

async function lockCase(em: EntityManager, id: string): Promise<ProviderDiscrepancy> {
  const rows = (await em.execute(`select ${COLUMNS} from provider_discrepancies where id = ? for update`, [id])) as DiscrepancyRow[];
  if (!rows[0]) throw discrepancyNotFound();
  return toDiscrepancy(rows[0]);
}

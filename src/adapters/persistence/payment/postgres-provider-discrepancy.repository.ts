import { sql, type InferResult } from 'kysely';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Kysely } from '@mikro-orm/sql';
import type { Orm } from '../orm.ts';
import { kysely, type Database } from '../kysely.ts';
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

const COLUMNS = [
  'id',
  'transaction_id',
  'kind',
  'payment_method',
  'account_id',
  'user_id',
  'amount',
  'provider_reference',
  'detected_via',
  'detected_at',
  'status',
  'resolution',
  'resolution_movement_id',
  'resolution_transaction_id',
  'resolved_by',
  'resolved_at',
] as const;
const discrepancies = (db: Kysely<Database>) => db.selectFrom('provider_discrepancies').select(COLUMNS);
type DiscrepancyRow = InferResult<ReturnType<typeof discrepancies>>[number];

const toDiscrepancy = (r: DiscrepancyRow): ProviderDiscrepancy => ({
  id: r.id,
  transactionId: r.transaction_id,
  kind: r.kind,
  paymentMethod: r.payment_method,
  accountId: r.account_id,
  userId: r.user_id,
  amount: r.amount,
  providerReference: r.provider_reference,
  detectedVia: r.detected_via,
  detectedAt: r.detected_at,
  status: r.status,
  resolution: r.resolution,
  resolutionMovementId: r.resolution_movement_id,
  resolutionTransactionId: r.resolution_transaction_id,
  resolvedBy: r.resolved_by,
  resolvedAt: r.resolved_at,
});

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
    const db = kysely(this.orm.em.fork());
    const rows = await db
      .insertInto('provider_discrepancies')
      .columns(['transaction_id', 'kind', 'payment_method', 'account_id', 'user_id', 'amount', 'provider_reference', 'detected_via'])
      .expression((eb) =>
        eb
          .selectFrom('historical_transactions')
          .select((h) => [
            'transaction_id',
            h.val('SUCCESS_AFTER_FAILED').as('kind'),
            'payment_method',
            'account_id',
            'user_id',
            'amount',
            h.val(report.providerReference).as('provider_reference'),
            h.val(report.detectedVia).as('detected_via'),
          ])
          .where('transaction_id', '=', report.transactionId)
          .where('transaction_type', '=', 'TOPUP')
          .where('transaction_status', '=', 'FAILED')
          .where('payment_method', 'is not', null),
      )
      .onConflict((oc) => oc.columns(['transaction_id', 'kind']).doUpdateSet((eb) => ({ detections: eb('provider_discrepancies.detections', '+', 1) })))
      // xmax is 0 on a row this statement inserted, not on one it updated: a system column the schemas do not describe.
      .returning([...COLUMNS, sql<boolean>`(xmax = 0)`.as('inserted')])
      .execute();
    if (!rows[0]) throw LedgerErrors.transactionNotFailed(`top-up ${report.transactionId} is not FAILED: no discrepancy to record`);
    return { opened: rows[0].inserted === true, discrepancy: toDiscrepancy(rows[0]) };
  }

  async find(id: string): Promise<ProviderDiscrepancy | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const row = await discrepancies(kysely(this.orm.em.fork())).where('id', '=', id).executeTakeFirst();
    return row ? toDiscrepancy(row) : null;
  }

  async list(filter: { status?: DiscrepancyStatus; limit: number }): Promise<ProviderDiscrepancy[]> {
    const rows = await discrepancies(kysely(this.orm.em.fork()))
      .$if(filter.status != null, (q) => q.where('status', '=', filter.status!))
      .orderBy('detected_at')
      .orderBy('id')
      .limit(filter.limit)
      .execute();
    return rows.map(toDiscrepancy);
  }

  async settle(id: string, operator: string): Promise<{ settled: boolean; discrepancy: ProviderDiscrepancy }> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw discrepancyNotFound();
    return this.ledger.transaction(async ({ em, move }): Promise<{ result: { settled: boolean; discrepancy: ProviderDiscrepancy }; userIds: number[] }> => {
      // The case's row lock serialises every settlement of it: the second one finds it RESOLVED.
      const locked = await lockCase(em, id);
      if (locked.status === 'RESOLVED') return { result: { settled: false, discrepancy: locked }, userIds: [] };
      // A customer's account: never below zero, so its balance reads as Money.
      const account = await kysely(em).selectFrom('accounts').select('balance').where('id', '=', locked.accountId).forUpdate().executeTakeFirstOrThrow();
      const resolution = chooseResolution(account.balance, locked.amount);
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
      const row = await kysely(em)
        .updateTable('provider_discrepancies')
        .set({
          status: 'RESOLVED',
          resolution,
          resolution_movement_id: moved.movementId,
          resolution_transaction_id: moved.fromRow?.transactionId ?? null,
          resolved_by: operator,
          resolved_at: sql<Date>`now()`,
        })
        .where('id', '=', id)
        .where('status', '=', 'OPEN')
        .returning(COLUMNS)
        .executeTakeFirstOrThrow();
      return { result: { settled: true, discrepancy: toDiscrepancy(row) }, userIds: resolution === 'REDEBIT' ? [locked.userId] : [] };
    });
  }
}

async function lockCase(em: EntityManager, id: string): Promise<ProviderDiscrepancy> {
  const row = await discrepancies(kysely(em)).where('id', '=', id).forUpdate().executeTakeFirst();
  if (!row) throw discrepancyNotFound();
  return toDiscrepancy(row);
}

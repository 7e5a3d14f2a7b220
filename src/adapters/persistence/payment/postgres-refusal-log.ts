import type { Orm } from '../orm.ts';
import { kysely } from '../kysely.ts';
import { Money } from '../../../domain/shared/money.ts';
import type { RefusalLog } from '../../../application/ports/refusal-log.ts';
import type { Refusal } from '../../../domain/ledger/refusal.ts';

/**
 * movement_refusals on its own connection (a fresh fork, outside any movement's transaction):
 * what the regulator report counts by rule. A failure to write is reported to `onError` and
 * swallowed, so the client still gets the refusal it caused.
 */
export class PostgresRefusalLog implements RefusalLog {
  private readonly orm: Orm;
  private readonly onError: (err: unknown, refusal: Refusal) => void;

  constructor(orm: Orm, onError: (err: unknown, refusal: Refusal) => void = () => {}) {
    this.orm = orm;
    this.onError = onError;
  }

  async record(r: Refusal & { at?: Date }): Promise<void> {
    try {
      await kysely(this.orm.em.fork())
        .insertInto('movement_refusals')
        .values({
          rule: r.rule.slice(0, 100),
          code: r.code.slice(0, 64),
          account_id: r.accountId,
          amount: r.amountMinor === null || r.amountMinor <= 0n ? null : Money.ofMinor(r.amountMinor),
          refused_at: r.at ?? new Date(),
        })
        .execute();
    } catch (err) {
      this.onError(err, r);
    }
  }
}

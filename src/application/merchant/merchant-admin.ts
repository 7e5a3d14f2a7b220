import {
  MerchantErrors,
  assertFeeBps,
  assertMerchantStatusChange,
  validateNewMerchant,
  type Merchant,
  type MerchantStatus,
  type MerchantWithBalance,
  type SettlementBankAccount,
} from '../../domain/merchant/merchant.ts';
import type { MerchantRepository } from '../../domain/merchant/merchant.repository.ts';
import type { Money } from '../../domain/shared/money.ts';
import { parseFreeze } from '../../domain/wallet/freeze.ts';

/** The operator's merchant use cases (CLI `merchants …`). */
export class MerchantAdmin {
  private readonly merchants: MerchantRepository;

  constructor(merchants: MerchantRepository) {
    this.merchants = merchants;
  }

  create(input: { code: string; name: string; category: string; bankAccount?: SettlementBankAccount | null; feeBps?: number | null }): Promise<Merchant> {
    return this.merchants.create(validateNewMerchant(input));
  }

  async show(code: string): Promise<MerchantWithBalance> {
    const m = await this.merchants.findByCode(code);
    if (!m) throw MerchantErrors.notFound();
    return m;
  }

  list(): Promise<MerchantWithBalance[]> {
    return this.merchants.list();
  }

  /** Suspend, reactivate or close; closing needs a zero balance (pay it out first). */
  changeStatus(code: string, to: MerchantStatus): Promise<{ before: MerchantWithBalance; after: MerchantWithBalance }> {
    return this.merchants.changeStatus(code, to, (locked) => {
      assertMerchantStatusChange(locked.status, to);
      if (to === 'CLOSED' && !locked.balance.isZero()) throw MerchantErrors.balanceNotZero();
    });
  }

  /**
   * Freezes the merchant's account (DEBIT: no payouts; CREDIT: no payments to it; ALL: both;
   * refunds to payers still go out, wallet/freeze.ts), or lifts the freeze. A CLOSED merchant is not frozen.
   */
  async freeze(
    code: string,
    input: { level: string; reason: string; operator: string },
    now = new Date(),
  ): Promise<{ before: MerchantWithBalance; after: MerchantWithBalance }> {
    const { level, reason } = parseFreeze(input);
    return this.merchants.setFreeze(code, { level, reason, frozenAt: now, frozenBy: input.operator }, (locked) => {
      if (locked.status === 'CLOSED') throw MerchantErrors.notActive(locked.status);
    });
  }

  unfreeze(code: string): Promise<{ before: MerchantWithBalance; after: MerchantWithBalance }> {
    return this.merchants.setFreeze(code, null, (locked) => {
      if (!locked.freeze) throw MerchantErrors.notFrozen();
    });
  }

  /** The rolling reserve payouts leave in the merchant's account, so later refunds are covered. */
  setPayoutReserve(code: string, reserve: Money): Promise<MerchantWithBalance> {
    return this.merchants.setPayoutReserve(code, reserve);
  }

  /** A per-merchant MDR in basis points, or null for the category's rate. */
  setFee(code: string, feeBps: number | null): Promise<MerchantWithBalance> {
    if (feeBps !== null) assertFeeBps(feeBps);
    return this.merchants.setFee(code, feeBps);
  }
}

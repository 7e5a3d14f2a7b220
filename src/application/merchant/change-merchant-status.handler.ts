import { MerchantErrors, assertMerchantStatusChange, type MerchantStatus, type MerchantWithBalance } from '../../domain/merchant/merchant.ts';
import type { MerchantRepository } from '../../domain/merchant/merchant.repository.ts';

/** Suspend, reactivate or close a merchant; closing needs a zero balance (pay it out first). */
export class ChangeMerchantStatusHandler {
  private readonly merchants: MerchantRepository;

  constructor(merchants: MerchantRepository) {
    this.merchants = merchants;
  }

  execute(code: string, to: MerchantStatus): Promise<{ before: MerchantWithBalance; after: MerchantWithBalance }> {
    return this.merchants.changeStatus(code, to, (locked) => {
      assertMerchantStatusChange(locked.status, to);
      if (to === 'CLOSED' && !locked.balance.isZero()) throw MerchantErrors.balanceNotZero();
    });
  }
}

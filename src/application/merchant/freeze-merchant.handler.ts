import { MerchantErrors, type MerchantWithBalance } from '../../domain/merchant/merchant.ts';
import type { MerchantRepository } from '../../domain/merchant/merchant.repository.ts';
import { parseFreeze } from '../../domain/wallet/freeze.ts';

/**
 * Freezes the merchant's account (DEBIT: no payouts; CREDIT: no payments to it; ALL: both;
 * refunds to payers still go out, wallet/freeze.ts). A CLOSED merchant is not frozen.
 */
export class FreezeMerchantHandler {
  private readonly merchants: MerchantRepository;

  constructor(merchants: MerchantRepository) {
    this.merchants = merchants;
  }

  async execute(
    code: string,
    input: { level: string; reason: string; operator: string },
    now = new Date(),
  ): Promise<{ before: MerchantWithBalance; after: MerchantWithBalance }> {
    const { level, reason } = parseFreeze(input);
    return this.merchants.setFreeze(code, { level, reason, frozenAt: now, frozenBy: input.operator }, (locked) => {
      if (locked.status === 'CLOSED') throw MerchantErrors.notActive(locked.status);
    });
  }
}

import type { MerchantWithBalance } from '../../domain/merchant/merchant.ts';
import type { MerchantRepository } from '../../domain/merchant/merchant.repository.ts';
import type { Money } from '../../domain/shared/money.ts';

/** The rolling reserve payouts leave in the merchant's account, so later refunds are covered. */
export class SetPayoutReserveHandler {
  private readonly merchants: MerchantRepository;

  constructor(merchants: MerchantRepository) {
    this.merchants = merchants;
  }

  execute(code: string, reserve: Money): Promise<MerchantWithBalance> {
    return this.merchants.setPayoutReserve(code, reserve);
  }
}

import { assertFeeBps, type MerchantWithBalance } from '../../domain/merchant/merchant.ts';
import type { MerchantRepository } from '../../domain/merchant/merchant.repository.ts';

/** A per-merchant MDR in basis points, or null for the category's rate. */
export class SetMerchantFeeHandler {
  private readonly merchants: MerchantRepository;

  constructor(merchants: MerchantRepository) {
    this.merchants = merchants;
  }

  execute(code: string, feeBps: number | null): Promise<MerchantWithBalance> {
    if (feeBps !== null) assertFeeBps(feeBps);
    return this.merchants.setFee(code, feeBps);
  }
}

import type { MerchantWithBalance } from '../../domain/merchant/merchant.ts';
import type { MerchantRepository } from '../../domain/merchant/merchant.repository.ts';

/** Every merchant with its balance (CLI `merchants list`). */
export class ListMerchantsQuery {
  private readonly merchants: MerchantRepository;

  constructor(merchants: MerchantRepository) {
    this.merchants = merchants;
  }

  execute(): Promise<MerchantWithBalance[]> {
    return this.merchants.list();
  }
}

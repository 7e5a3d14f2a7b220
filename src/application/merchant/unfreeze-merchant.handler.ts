import { MerchantErrors, type MerchantWithBalance } from '../../domain/merchant/merchant.ts';
import type { MerchantRepository } from '../../domain/merchant/merchant.repository.ts';

/** Lifts a merchant's freeze; a merchant that is not frozen is refused. */
export class UnfreezeMerchantHandler {
  private readonly merchants: MerchantRepository;

  constructor(merchants: MerchantRepository) {
    this.merchants = merchants;
  }

  execute(code: string): Promise<{ before: MerchantWithBalance; after: MerchantWithBalance }> {
    return this.merchants.setFreeze(code, null, (locked) => {
      if (!locked.freeze) throw MerchantErrors.notFrozen();
    });
  }
}

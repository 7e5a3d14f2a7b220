import { MerchantErrors, type MerchantWithBalance } from '../../domain/merchant/merchant.ts';
import type { MerchantRepository } from '../../domain/merchant/merchant.repository.ts';

/** The operator's view of one merchant (CLI `merchants show`): balance, bank account in full, fee. */
export class GetMerchantQuery {
  private readonly merchants: MerchantRepository;

  constructor(merchants: MerchantRepository) {
    this.merchants = merchants;
  }

  async execute(code: string): Promise<MerchantWithBalance> {
    const m = await this.merchants.findByCode(code);
    if (!m) throw MerchantErrors.notFound();
    return m;
  }
}

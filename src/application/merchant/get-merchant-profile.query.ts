import { MerchantErrors, type MerchantCategory, type MerchantStatus } from '../../domain/merchant/merchant.ts';
import type { MerchantRepository } from '../../domain/merchant/merchant.repository.ts';

export interface MerchantProfile {
  code: string;
  name: string;
  category: MerchantCategory;
  status: MerchantStatus;
}

/** What a payer sees before paying: who the merchant is and whether it takes payments; nothing about its money or bank. */
export class GetMerchantProfileQuery {
  private readonly merchants: MerchantRepository;

  constructor(merchants: MerchantRepository) {
    this.merchants = merchants;
  }

  async execute(code: string): Promise<MerchantProfile> {
    const m = await this.merchants.findByCode(code);
    if (!m) throw MerchantErrors.notFound();
    return { code: m.code, name: m.name, category: m.category, status: m.status };
  }
}

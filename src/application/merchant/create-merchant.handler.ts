import { validateNewMerchant, type Merchant, type SettlementBankAccount } from '../../domain/merchant/merchant.ts';
import type { MerchantRepository } from '../../domain/merchant/merchant.repository.ts';

/** An operator onboards a merchant (CLI `merchants create`): its own ledger account at 0.00. */
export class CreateMerchantHandler {
  private readonly merchants: MerchantRepository;

  constructor(merchants: MerchantRepository) {
    this.merchants = merchants;
  }

  execute(input: { code: string; name: string; category: string; bankAccount?: SettlementBankAccount | null; feeBps?: number | null }): Promise<Merchant> {
    return this.merchants.create(validateNewMerchant(input));
  }
}

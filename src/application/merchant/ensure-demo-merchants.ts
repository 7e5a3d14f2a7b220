import type { MerchantCategory } from '../../domain/merchant/merchant.ts';
import type { MerchantRepository } from '../../domain/merchant/merchant.repository.ts';

/** The embedded default's demo merchants: one per fee case worth trying (0.7%, 0.3% with its free threshold, 0.6%, 0%). */
export const DEMO_MERCHANTS: { code: string; name: string; category: MerchantCategory }[] = [
  { code: 'TOKO-DEMO', name: 'Toko Demo', category: 'REGULAR' },
  { code: 'WARUNG-DEMO', name: 'Warung Demo', category: 'MICRO' },
  { code: 'SEKOLAH-DEMO', name: 'Sekolah Demo', category: 'EDUCATION' },
  { code: 'DONASI-DEMO', name: 'Donasi Demo', category: 'DONATION' },
];

/** Creates the demo merchants that are missing; returns every demo merchant's code and category. */
export async function ensureDemoMerchants(merchants: MerchantRepository): Promise<typeof DEMO_MERCHANTS> {
  for (const d of DEMO_MERCHANTS) {
    if (await merchants.findByCode(d.code)) continue;
    await merchants
      .create({ ...d, bankAccount: { bankCode: 'BCA', accountNumber: '0000000000', holderName: d.name }, feeBps: null })
      .catch(async (err: unknown) => {
        if (!(await merchants.findByCode(d.code))) throw err; // created concurrently by another start: fine
      });
  }
  return DEMO_MERCHANTS;
}

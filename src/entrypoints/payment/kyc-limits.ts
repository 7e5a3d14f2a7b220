import { Money } from '../../domain/shared/money.ts';
import { DEFAULT_KYC_LIMITS, type KycLimits } from '../../domain/ledger/limits.ts';
import type { Config } from '../shared/config.ts';

/** The KYC limits from configuration (defaults: Bank Indonesia's figures, src/domain/ledger/limits.ts). */
export function kycLimitsOf(config: Config): KycLimits {
  const m = (v: string) => Money.parse(v).minor;
  return {
    UNREGISTERED: {
      ...DEFAULT_KYC_LIMITS.UNREGISTERED,
      maxBalance: m(config.KYC_MAX_BALANCE_UNREGISTERED),
      monthlyIncoming: m(config.KYC_MONTHLY_INCOMING_UNREGISTERED),
    },
    REGISTERED: {
      ...DEFAULT_KYC_LIMITS.REGISTERED,
      maxBalance: m(config.KYC_MAX_BALANCE_REGISTERED),
      monthlyIncoming: m(config.KYC_MONTHLY_INCOMING_REGISTERED),
    },
  };
}

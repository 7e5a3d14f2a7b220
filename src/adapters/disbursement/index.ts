import type { Logger } from 'pino';
import type { DisbursementProvider } from '../../domain/disbursement/disbursement-provider.ts';
import { callOptionsFrom, type EWalletConfig } from '../ewallet/index.ts';
import { DISBURSEMENT_SANDBOX_CREDENTIALS, startDisbursementSandbox, type DisbursementSandbox } from './sandbox/disbursement-sandbox.ts';
import { SnapDisbursementProvider } from './snap-disbursement-provider.ts';

/** The configuration this adapter reads (a slice of the platform's, handed in by the composition root). */
export type DisbursementConfig = Pick<
  EWalletConfig,
  'NODE_ENV' | 'EWALLET_TIMEOUT_MS' | 'EWALLET_RETRIES' | 'EWALLET_BACKOFF_MS' | 'EWALLET_CIRCUIT_THRESHOLD' | 'EWALLET_CIRCUIT_OPEN_MS'
> & {
  DISBURSEMENT_BASE_URL?: string | undefined;
  DISBURSEMENT_PARTNER_ID?: string | undefined;
  DISBURSEMENT_CLIENT_SECRET?: string | undefined;
  SANDBOX_HOST?: string | undefined;
};

export interface DisbursementAdapter {
  provider: DisbursementProvider;
  /** The in-process sandbox the provider talks to, when no DISBURSEMENT_BASE_URL is configured. */
  sandbox: DisbursementSandbox | null;
  close(): Promise<void>;
}

/**
 * The configured bank-transfer API, or — outside production, with no DISBURSEMENT_BASE_URL — a
 * sandbox started in this process (it accepts every transfer; a check against a fresh sandbox
 * re-sends the same reference, which is idempotent). The calls use the e-wallet call limits
 * (EWALLET_TIMEOUT_MS, EWALLET_RETRIES, EWALLET_BACKOFF_MS), which config.ts checks the payout
 * checker's delay and lease against. Production refuses the sandbox: it would fake real transfers.
 */
export async function createDisbursementAdapter(config: DisbursementConfig, logger?: Logger): Promise<DisbursementAdapter> {
  const call = callOptionsFrom(config);
  const log = logger?.child({ component: 'disbursement' });
  if (config.DISBURSEMENT_BASE_URL) {
    const provider = new SnapDisbursementProvider(
      { baseUrl: config.DISBURSEMENT_BASE_URL, partnerId: config.DISBURSEMENT_PARTNER_ID!, clientSecret: config.DISBURSEMENT_CLIENT_SECRET!, call },
      log,
    );
    return { provider, sandbox: null, close: async () => {} };
  }
  if (config.NODE_ENV === 'production') throw new Error('DISBURSEMENT_BASE_URL is required in production (the sandbox fakes bank transfers)');
  const sandbox = await startDisbursementSandbox({ host: config.SANDBOX_HOST });
  return { provider: new SnapDisbursementProvider({ baseUrl: sandbox.url, ...DISBURSEMENT_SANDBOX_CREDENTIALS, call }, log), sandbox, close: sandbox.stop };
}

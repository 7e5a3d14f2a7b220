import { ContainerModule } from 'inversify';
import { CORE, EWALLET, type EWalletState } from './ids.ts';
import { createEWalletProviders, needsSandboxes, startSandboxes, type EWalletAdapters } from '../../adapters/ewallet/index.ts';
import type { EWalletMethod, EWalletProvider, EWalletWebhookVerifier } from '../../domain/ewallet/ewallet-provider.ts';
export { EWALLET, type EWalletState };

function lazy<T extends EWalletProvider | EWalletWebhookVerifier>(get: () => Record<EWalletMethod, T>): Record<EWalletMethod, T> {
  return {
    get GOPAY() {
      return get().GOPAY;
    },
    get SHOPEE_PAY() {
      return get().SHOPEE_PAY;
    },
  };
}

/**
 * The e-wallet adapter group: GoPay and ShopeePay over HTTP, against the configured providers or,
 * without base URLs, against sandboxes this process starts (the embedded default and tests).
 */
export function ewalletModule(): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(EWALLET.State).toDynamicValue(() => ({ adapters: null, sandboxes: null }));
    bind(EWALLET.Providers).toDynamicValue((c) => {
      const state = c.get(EWALLET.State);
      return lazy(() => ready(state).providers);
    });
    bind(EWALLET.Verifiers).toDynamicValue((c) => {
      const state = c.get(EWALLET.State);
      return lazy(() => ready(state).verifiers);
    });
    bind(CORE.Workers).toDynamicValue((c) => {
      const state = c.get(EWALLET.State);
      const config = c.get(CORE.Config);
      const logger = c.get(CORE.Logger);
      return {
        name: 'e-wallet adapters',
        async start() {
          if (state.adapters) return;
          if (needsSandboxes(config)) {
            // The embedded default and tests: the providers' simulators in-process. Their
            // notifications reach this server when it listens on a known port; tests on PORT=0 set
            // the URL with sandboxes.setWebhookBaseUrl.
            state.sandboxes = await startSandboxes({
              webhookBaseUrl: config.PORT ? `http://127.0.0.1:${config.PORT}/api/payment/webhooks` : undefined,
              host: config.SANDBOX_HOST,
              // The embedded default keeps its sandboxes' wallets beside its database (.data/embedded-sandbox), across restarts.
              stateDir: config.SANDBOX_STATE_DIR ?? (config.embedded ? `${config.EMBEDDED_DATA_DIR.replace(/\/+$/, '')}-sandbox` : undefined),
              gopayPort: config.SANDBOX_GOPAY_PORT,
              shopeepayPort: config.SANDBOX_SHOPEEPAY_PORT,
            });
            // The simulated providers keep the acceptance window we are configured with.
            state.sandboxes.gopay.control.acceptanceWindowMs = config.GOPAY_ACCEPTANCE_WINDOW_MS;
            state.sandboxes.shopeepay.control.acceptanceWindowMs = config.SHOPEEPAY_ACCEPTANCE_WINDOW_MS;
            logger.info({ gopay: state.sandboxes.gopay.url, shopeepay: state.sandboxes.shopeepay.url }, 'e-wallet sandboxes started');
          }
          state.adapters = createEWalletProviders(config, logger, state.sandboxes ?? undefined);
        },
        async stop() {
          await state.sandboxes?.stop();
        },
      };
    });
  });
}

function ready(state: EWalletState): EWalletAdapters {
  if (!state.adapters) throw new Error('payment module not started: e-wallet providers are set when its workers start');
  return state.adapters;
}

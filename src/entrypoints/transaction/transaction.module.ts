import type { ServiceModule } from '../shared/service-module.ts';

/** The transaction service's bindings, routes and workers (filled in by the transaction issue). */
export const transactionModule: ServiceModule = {
  name: 'transaction',
  bind() {},
  routes() {},
};

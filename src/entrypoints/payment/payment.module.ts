import type { ServiceModule } from '../shared/service-module.ts';

/** The payment service's bindings, routes and workers (filled in by the payment issue). */
export const paymentModule: ServiceModule = {
  name: 'payment',
  bind() {},
  routes() {},
};

import type { ServiceModule } from '../shared/service-module.ts';

/** The auth service's bindings, routes and workers (filled in by the auth issue). */
export const authModule: ServiceModule = {
  name: 'auth',
  bind() {},
  routes() {},
};

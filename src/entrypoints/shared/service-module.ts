import type Router from '@koa/router';
import type { Container, ContainerModule } from 'inversify';
import type { OpenApiRegistry } from '../../adapters/http/openapi.ts';

/**
 * One deployable service: the container modules it loads (its bounded contexts, and the adapter
 * groups only it needs) and its routes. An entrypoint picks the services it runs; the same
 * modules serve the three deployments, the all-in-one process, the admin CLI and the tests.
 */
export interface ServiceModule {
  name: 'auth' | 'payment' | 'transaction';
  /** Bindings of its use cases, repositories and workers (see src/entrypoints/composition). */
  modules?: ContainerModule[];
  /** Mounts the service's routes over what the container resolves. */
  routes(router: Router, openapi: OpenApiRegistry, container: Container): void;
}

import type Router from '@koa/router';
import type { Container } from 'inversify';
import type { OpenApiRegistry } from '../../adapters/http/openapi.ts';
import type { Infrastructure } from './infrastructure.ts';

/**
 * One bounded context as a deployable unit: its bindings, its routes and its background
 * workers. An entrypoint picks the modules it runs; the same code serves three deployments.
 */
export interface ServiceModule {
  name: 'auth' | 'payment' | 'transaction';
  /** Binds the module's ports and use cases into the container. */
  bind(container: Container, infra: Infrastructure): void;
  /** Mounts the module's routes. */
  routes(router: Router, openapi: OpenApiRegistry, container: Container): void;
  /** Starts background workers (outbox relay, consumers, reconcilers). */
  start?(container: Container): Promise<void>;
  /** Stops them, after the HTTP server stopped accepting. */
  stop?(container: Container): Promise<void>;
}

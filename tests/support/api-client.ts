import createClient, { type Client, type Middleware } from 'openapi-fetch';
import { responseProblems, type OpenApiRegistry } from '../../src/adapters/http/openapi.ts';
import type { RunningPlatform } from '../../src/entrypoints/shared/platform.ts';
import type { paths } from './api-types.ts';

/*
 * The e2e suites call the API through a client typed from the OpenAPI document (openapi-fetch over
 * the types openapi-typescript generated into api-types.ts): a request or response field that the
 * document does not have fails `npm run typecheck`. And every answer is checked at run time against
 * the route's documentation (the same zod schemas that build it): an undocumented status or error
 * code, or a payload of another shape than documented, fails the test that received it.
 */

export type Api = Client<paths>;

export interface ApiAuth {
  /** Sent as Authorization: Bearer. */
  token?: string;
  /** A regulator's key, sent as X-API-Key. */
  apiKey?: string;
  headers?: Record<string, string>;
}

/** Fails the call when the answer is not what the route's documentation says. */
export function conformsToDocument(openapi: OpenApiRegistry): Middleware {
  return {
    async onResponse({ request, response, schemaPath }) {
      const route = openapi.find(request.method, schemaPath);
      if (!route) throw new Error(`${request.method} ${schemaPath} is not a documented route of this server`);
      const type = response.headers.get('content-type') ?? '';
      if (!type.includes('application/json')) {
        const success = route.responses[response.status];
        const documented = success?.content && Object.keys(success.content).some((t) => type.startsWith(t));
        if (!documented) throw new Error(`${request.method} ${schemaPath} → ${response.status} answered ${type || 'no content type'}, which is not documented`);
        return undefined;
      }
      const problems = responseProblems(route, response.status, await response.clone().json());
      if (problems.length) throw new Error(`answer differs from the OpenAPI document:\n${problems.join('\n')}`);
      return undefined;
    },
  };
}

export function apiClient(p: Pick<RunningPlatform, 'url' | 'openapi'>, auth: ApiAuth = {}): Api {
  const headers: Record<string, string> = { ...(auth.headers ?? {}) };
  if (auth.token) headers.authorization = `Bearer ${auth.token}`;
  if (auth.apiKey) headers['x-api-key'] = auth.apiKey;
  const client = createClient<paths>({ baseUrl: p.url, headers });
  client.use(conformsToDocument(p.openapi));
  return client;
}

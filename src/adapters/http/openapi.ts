import { z, type ZodType } from 'zod';
import type { AnyRouteSpec, ErrorResponse, Method, Security, SuccessResponse } from './route.ts';

/*
 * The OpenAPI 3.1 document, built from the routes a server mounts (defineRoute registers each) and
 * from the same zod schemas the code validates requests with and builds responses from. Adding a
 * route's documentation is writing its RouteSpec: nothing here names a route.
 */

export const FieldErrorSchema = z
  .strictObject({ field: z.string(), message: z.string() })
  .meta({ id: 'FieldError', description: 'One invalid field of a refused request.' });

/**
 * What a refusal by a rule says beyond its code (`meta.details`): which rule, and for Bank
 * Indonesia's limits the figure and what remains, for a freeze its level and which side it hit.
 */
export const ErrorDetailsSchema = z
  .strictObject({
    rule: z.enum(['balance_limit', 'monthly_incoming_limit', 'transfers_to_others', 'freeze']).describe('the rule that refused'),
    tier: z.string().optional().describe('BALANCE_LIMIT_EXCEEDED, MONTHLY_LIMIT_EXCEEDED, KYC_REQUIRED: the KYC tier of the account the limit applies to'),
    limit: z.string().optional().describe('BALANCE_LIMIT_EXCEEDED, MONTHLY_LIMIT_EXCEEDED: the limit, IDR ("2000000.00")'),
    remaining: z
      .string()
      .optional()
      .describe('BALANCE_LIMIT_EXCEEDED: what the account may still receive; MONTHLY_LIMIT_EXCEEDED: what remains this calendar month (Asia/Jakarta), IDR'),
    required_tier: z.string().optional().describe('KYC_REQUIRED: the tier the movement needs'),
    level: z.enum(['DEBIT', 'CREDIT', 'ALL']).optional().describe('ACCOUNT_FROZEN: the level of the freeze that applied'),
    side: z.enum(['payer', 'payee']).optional().describe('ACCOUNT_FROZEN: whether the frozen account was the one paying or the one paid'),
    owner: z.enum(['customer', 'merchant']).optional().describe("ACCOUNT_FROZEN: a customer's account or a merchant's"),
  })
  .meta({
    id: 'ErrorDetails',
    description: 'Facts about a refusal by a rule (BALANCE_LIMIT_EXCEEDED, MONTHLY_LIMIT_EXCEEDED, KYC_REQUIRED, ACCOUNT_FROZEN); never personal data.',
    examples: [{ rule: 'balance_limit', tier: 'UNREGISTERED', limit: '2000000.00', remaining: '150000.00' }],
  });

/** The `meta` of an error status whose codes include refusals by a rule: routes declare it in their `errors`. */
export const RefusalMeta = z.object({
  details: ErrorDetailsSchema.optional().describe(
    'BALANCE_LIMIT_EXCEEDED, MONTHLY_LIMIT_EXCEEDED, KYC_REQUIRED, ACCOUNT_FROZEN: which rule refused and what remains',
  ),
});

/** The success envelope of one response: `{meta: {code, message, ...}, data}`. */
export function successEnvelope(status: number, r: SuccessResponse): z.ZodObject {
  return z.strictObject({
    meta: z.strictObject({ code: z.literal(String(status)), message: z.string(), ...(r.meta?.shape ?? {}) }),
    data: r.data ?? z.null(),
  });
}

/** The error envelope of one status on one route: `meta.error` is one of its codes, `data` is null. */
export function errorEnvelope(status: number, e: ErrorResponse): z.ZodObject {
  return z.strictObject({
    meta: z.strictObject({
      code: z.literal(String(status)),
      message: z.string(),
      error: z.enum(e.codes as [string, ...string[]]),
      request_id: z.string().optional().describe('the X-Request-Id of the request; quote it when reporting a problem'),
      errors: z.array(FieldErrorSchema).optional().describe('the invalid fields (VALIDATION_ERROR)'),
      ...(e.meta?.shape ?? {}),
    }),
    data: z.null(),
  });
}

const SECURITY: Record<Security, Record<string, string[]>[]> = {
  none: [],
  bearer: [{ bearerAuth: [] }, { cookieAuth: [] }],
  apiKey: [{ apiKey: [] }],
  // The refresh token travels in the body or in its cookie; either is enough, so the scheme is optional.
  refresh: [{}, { refreshCookie: [] }],
  // Provider webhooks carry a signature over the raw body (described on the operation), not a credential of ours.
  signature: [],
};

/** What each credential is; a document lists the ones its routes use. */
const SECURITY_SCHEMES: Record<string, Record<string, string>> = {
  bearerAuth: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'The access_token from login or refresh (ES256 JWT; public keys at /api/auth/.well-known/jwks.json).',
  },
  cookieAuth: {
    type: 'apiKey',
    in: 'cookie',
    name: 'auth-token',
    description: 'The HttpOnly auth-token cookie set by login and refresh (same token as bearerAuth).',
  },
  refreshCookie: {
    type: 'apiKey',
    in: 'cookie',
    name: 'refresh-token',
    description: 'The HttpOnly refresh-token cookie set by login and refresh (instead of refresh_token in the body).',
  },
  apiKey: {
    type: 'apiKey',
    in: 'header',
    name: 'X-API-Key',
    description: "A regulator's API key, issued by an operator (npm run admin). Never in the query string: that is refused.",
  },
};

const TAGS: Record<string, string> = {
  auth: 'Registration, login, sessions (access token as bearer JWT or the auth-token cookie) and the public keys that verify tokens.',
  payment:
    "The caller's account and balance, e-wallet top-ups, merchant payments, transfers between users, refunds by operators, and the providers' webhooks. Money-moving calls accept an Idempotency-Key.",
  transaction: "The caller's own transaction history and monthly reports.",
  regulator:
    'For regulators and external services with an API key (X-API-Key): transactions with personal data masked, a streamed export and aggregate reports. Every request is audited.',
};

/** Kong's rate-limiting plugin answers in its own shape, before the request reaches us. */
export const GATEWAY_RATE_LIMITED: ErrorResponse = {
  codes: [],
  description: 'Too Many Requests: over the per-client-IP limit of the Kong gateway (deployments behind Kong only; its own body, Retry-After)',
  body: z.strictObject({ message: z.string() }).meta({ examples: [{ message: 'API rate limit exceeded' }] }),
};

const REASON: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** The errors every route of a kind can answer, besides its own (the middleware in front of every handler). */
function commonErrors(r: AnyRouteSpec): Record<number, string[]> {
  const out: Record<number, string[]> = { 500: ['INTERNAL_ERROR'], 503: ['DEPENDENCY_UNAVAILABLE'] };
  const add = (status: number, ...codes: string[]) => (out[status] = [...(out[status] ?? []), ...codes]);
  if (r.body || r.query || r.params) add(400, 'VALIDATION_ERROR');
  // The body parser reads every POST/PUT/PATCH/DELETE body, whether or not the route has a schema for it.
  if (['post', 'put', 'patch', 'delete'].includes(r.method)) {
    add(400, 'MALFORMED_JSON', 'JSON_TOO_DEEP', 'UNSUPPORTED_CHARACTER');
    // A write that carries our cookies but no bearer token must come from one of our own pages.
    add(403, 'ORIGIN_NOT_ALLOWED');
    add(413, 'PAYLOAD_TOO_LARGE');
    add(415, 'UNSUPPORTED_MEDIA_TYPE');
  }
  if (r.security === 'bearer') {
    add(401, 'UNAUTHENTICATED', 'INVALID_TOKEN');
    add(503, 'SESSION_STORE_UNAVAILABLE');
  }
  if (r.idempotent) {
    add(400, 'INVALID_IDEMPOTENCY_KEY');
    add(409, 'IDEMPOTENCY_KEY_IN_FLIGHT');
    add(422, 'IDEMPOTENCY_KEY_REUSED');
  }
  return out;
}

/** Every error status of a route with its codes and extra meta fields: its own merged with the common ones. */
export function errorsOf(r: AnyRouteSpec): Record<number, ErrorResponse> {
  const out: Record<number, ErrorResponse> = {};
  for (const [status, codes] of Object.entries(commonErrors(r))) out[Number(status)] = { codes };
  for (const [status, e] of Object.entries(r.errors ?? {})) {
    const own: ErrorResponse = Array.isArray(e) ? { codes: e as readonly string[] } : (e as ErrorResponse);
    const prev = out[Number(status)];
    out[Number(status)] = { ...own, codes: [...new Set([...(prev?.codes ?? []), ...own.codes])] };
  }
  return out;
}

/** The example a schema carries (`.meta({examples})`), looking through arrays and nullables. */
function exampleOf(schema: ZodType | undefined): unknown {
  if (!schema) return null;
  const own = z.globalRegistry.get(schema) as { examples?: unknown[] } | undefined;
  if (own?.examples?.length) return own.examples[0];
  const def = (schema as unknown as { def: { type: string; element?: ZodType; innerType?: ZodType } }).def;
  if (def.type === 'array') {
    const item = exampleOf(def.element);
    return item === undefined ? undefined : [item];
  }
  if (def.type === 'nullable' || def.type === 'optional') return exampleOf(def.innerType);
  if (def.type === 'null') return null;
  return undefined;
}

/** Zod → JSON Schema; named schemas (`.meta({id})`) are lifted into `components.schemas` and referenced. */
class SchemaSet {
  readonly components: Record<string, unknown> = {};

  convert(schema: ZodType, io: 'input' | 'output'): Record<string, unknown> {
    const json = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown> & { $defs?: Record<string, unknown> };
    delete json.$schema;
    const defs = json.$defs ?? {};
    delete json.$defs;
    for (const [id, def] of Object.entries(defs)) {
      const prev = this.components[id];
      const rewritten = rewriteRefs(def);
      if (prev && JSON.stringify(prev) !== JSON.stringify(rewritten)) throw new Error(`two different schemas are named ${id}`);
      this.components[id] = rewritten;
    }
    return rewriteRefs(json) as Record<string, unknown>;
  }
}

function rewriteRefs(json: unknown): unknown {
  return JSON.parse(JSON.stringify(json).replaceAll('"#/$defs/', '"#/components/schemas/'));
}

export interface DocumentOptions {
  title: string;
  version?: string;
}

/** Collects the routes that a server mounts and renders them as an OpenAPI 3.1 document. */
export class OpenApiRegistry {
  private readonly routes: AnyRouteSpec[] = [];

  add(route: AnyRouteSpec): void {
    if (this.routes.some((r) => r.operationId === route.operationId)) throw new Error(`operationId ${route.operationId} is used twice`);
    this.routes.push(route);
  }

  list(): readonly AnyRouteSpec[] {
    return this.routes;
  }

  /** The route documented at an OpenAPI path (`/api/x/{id}`) and method. */
  find(method: string, openApiPath: string): AnyRouteSpec | undefined {
    return this.routes.find((r) => r.method === method.toLowerCase() && openApiPathOf(r.path) === openApiPath);
  }

  document(opts: DocumentOptions): Record<string, unknown> {
    const schemas = new SchemaSet();
    const paths: Record<string, Record<string, unknown>> = {};
    for (const r of this.routes) {
      paths[openApiPathOf(r.path)] ??= {};
      paths[openApiPathOf(r.path)]![r.method] = operation(r, schemas);
    }
    const tags = [...new Set(this.routes.map((r) => r.tag))].map((name) => ({ name, description: TAGS[name] ?? name }));
    return {
      openapi: '3.1.0',
      info: {
        title: opts.title,
        version: opts.version ?? '1.0.0',
        description:
          'One Gate Payment API: IDR accounts, e-wallet top-ups, payments, transfers and a regulator API.\n\n' +
          'Every JSON response uses the `{meta, data}` envelope: `meta.code` is the HTTP status as a string, `meta.message` a short text; ' +
          'an error has `data: null`, a machine-readable `meta.error` code (listed per operation and status below) and `meta.request_id`. ' +
          'Amounts are decimal strings in rupiah with two decimals ("10000.00"); requests also accept a JSON number.',
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      },
      servers: [{ url: '/', description: 'This server, or the Kong gateway in front of it (the paths are the same)' }],
      tags,
      paths,
      components: {
        // Only the schemes this server's routes use (a service's document lists its own).
        securitySchemes: Object.fromEntries(
          Object.entries(SECURITY_SCHEMES).filter(([name]) => this.routes.some((r) => SECURITY[r.security].some((req) => name in req))),
        ),
        schemas: Object.fromEntries(Object.entries(schemas.components).sort(([a], [b]) => a.localeCompare(b))),
      },
    };
  }
}

export function openApiPathOf(koaPath: string): string {
  return koaPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function operation(r: AnyRouteSpec, schemas: SchemaSet): Record<string, unknown> {
  const parameters = [
    ...objectParams(r.params, 'path', schemas),
    ...objectParams(r.query, 'query', schemas),
    ...(r.idempotent
      ? [
          {
            name: 'Idempotency-Key',
            in: 'header',
            required: false,
            description:
              'Makes a retry safe: the same key with the same body replays the first answer and never moves money twice (1–255 visible ASCII characters).',
            schema: { type: 'string', minLength: 1, maxLength: 255 },
            example: 'c0a8012e-7d3b-4f7a-9a51-topup-1',
          },
        ]
      : []),
  ];
  const responses: Record<string, unknown> = {};
  for (const [status, s] of Object.entries(r.responses)) responses[status] = successResponse(Number(status), s, schemas);
  for (const [status, e] of Object.entries(errorsOf(r)).sort(([a], [b]) => Number(a) - Number(b)))
    responses[status] = errorResponse(Number(status), e, schemas);
  return {
    operationId: r.operationId,
    summary: r.summary,
    ...(r.description ? { description: r.description } : {}),
    tags: [r.tag],
    security: SECURITY[r.security],
    ...(parameters.length ? { parameters } : {}),
    // A body whose every field is optional (refresh, logout) is not required.
    ...(r.body
      ? {
          requestBody: {
            required: !r.body.safeParse({}).success,
            content: { 'application/json': { schema: schemas.convert(r.body, 'input'), ...(r.bodyExample !== undefined ? { example: r.bodyExample } : {}) } },
          },
        }
      : {}),
    responses,
  };
}

function successResponse(status: number, s: SuccessResponse, schemas: SchemaSet): Record<string, unknown> {
  const headers = s.headers
    ? { headers: Object.fromEntries(Object.entries(s.headers).map(([name, description]) => [name, { description, schema: { type: 'string' } }])) }
    : {};
  if (s.content) {
    const content = Object.fromEntries(
      Object.entries(s.content).map(([type, c]) => {
        const example = c.example ?? exampleOf(c.schema);
        return [type, { schema: schemas.convert(c.schema, 'output'), ...(example !== undefined ? { example } : {}) }];
      }),
    );
    return { description: s.description, ...headers, content };
  }
  const example = s.example ?? exampleOf(s.data);
  return {
    description: s.description,
    ...headers,
    content: {
      'application/json': {
        schema: schemas.convert(successEnvelope(status, s), 'output'),
        ...(example !== undefined ? { example: { meta: { code: String(status), message: s.description, ...exampleMeta(s.meta) }, data: example } } : {}),
      },
    },
  };
}

function exampleMeta(meta: z.ZodObject | undefined): Record<string, unknown> {
  return (meta && (z.globalRegistry.get(meta) as { examples?: Record<string, unknown>[] } | undefined)?.examples?.[0]) ?? {};
}

function errorResponse(status: number, e: ErrorResponse, schemas: SchemaSet): Record<string, unknown> {
  const retry =
    status === 429 || status === 503 ? { headers: { 'Retry-After': { description: 'seconds to wait before retrying', schema: { type: 'integer' } } } } : {};
  return {
    description: e.description ?? `${REASON[status] ?? 'Error'}: ${e.codes.join(', ')}`,
    ...retry,
    content: { 'application/json': { schema: schemas.convert(e.body ?? errorEnvelope(status, e), 'output') } },
  };
}

function objectParams(schema: ZodType | undefined, where: 'path' | 'query', schemas: SchemaSet): Record<string, unknown>[] {
  if (!schema) return [];
  const json = schemas.convert(schema, 'input') as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => {
    const { description, ...rest } = s;
    return {
      name,
      in: where,
      required: where === 'path' || (json.required ?? []).includes(name),
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}

/** Checks one real response against the document of its route: status documented, body of the documented shape. */
export function responseProblems(route: AnyRouteSpec, status: number, body: unknown): string[] {
  const name = `${route.method.toUpperCase()} ${route.path} → ${status}`;
  const success = route.responses[status];
  if (success) {
    if (success.content) return [];
    const r = successEnvelope(status, success).safeParse(body);
    return r.success ? [] : [`${name}: ${z.prettifyError(r.error)}`];
  }
  const error = errorsOf(route)[status];
  if (!error) return [`${name}: status not documented`];
  const r = (error.body ?? errorEnvelope(status, error)).safeParse(body);
  return r.success ? [] : [`${name}: ${z.prettifyError(r.error)}`];
}

export type { Method };

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allModules } from '../../src/entrypoints/all-in-one/modules.ts';
import { startPlatform, type RunningPlatform } from '../../src/entrypoints/shared/platform.ts';
import { createUser, type TestUser } from '../support/fixtures.ts';
import { createIsolatedDatabase } from '../support/isolated-database.ts';
import { realServicesConfig } from '../support/services.ts';
import { accessTokenFor } from '../support/tokens.ts';

// Property-based fuzzing of every route the platform documents, driven by its own OpenAPI
// document (generated from the zod schemas that validate the requests): wrong types, missing and
// unknown fields, huge and deep JSON, amounts at and beyond decimal(15,2), unicode and control
// characters, SQL and header injection. Checks: no 5xx, every answer in the envelope with
// meta.code equal to the status, and a refused request changes nothing.

interface Operation {
  method: string;
  path: string;
  security: Record<string, string[]>[];
  bodyFields: string[];
  queryFields: string[];
}

const nasty = [
  "' OR '1'='1",
  "'; drop table accounts; --",
  '<script>alert(1)</script>',
  '\u0000\u0001\u001f',
  '\r\nX-Injected: 1',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🚀 مرحبا',
  '../../etc/passwd',
  '%00',
  '9'.repeat(400),
  '-1',
  '0',
  '0.001',
  '1e309',
  '9999999999999.99',
  '10000000000000.00',
  'NaN',
  'Infinity',
  '0x10',
  ' ',
  '',
];
const amountLike = fc.oneof(
  fc.constantFrom('9999999999999.99', '10000000000000', '0.00', '0.001', '-10000', '1e5', '10000.005', '١٠٠٠٠'),
  fc.double(),
  fc.integer(),
  fc.bigInt().map(String),
);
const anyValue = fc.oneof(
  fc.constantFrom(...nasty),
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.jsonValue({ maxDepth: 3 }),
  amountLike,
  fc.constant(null),
  fc.boolean(),
  fc.array(fc.string(), { maxLength: 3 }),
);

function bodyFor(fields: string[]) {
  return fc.oneof(
    fc.dictionary(fc.constantFrom(...fields, 'balance', 'account_status', 'role', 'user_id', '__proto__'), anyValue, { maxKeys: fields.length + 2 }),
    fc.jsonValue({ maxDepth: 4 }),
    fc.constant(JSON.parse('{"a":'.repeat(40) + '1' + '}'.repeat(40))),
  );
}

function envelopeOk(status: number, body: unknown): boolean {
  const b = body as { meta?: { code?: string; error?: string }; data?: unknown };
  if (!b || typeof b !== 'object' || !b.meta) return false;
  if (b.meta.code !== String(status)) return false;
  if (status >= 400 && (typeof b.meta.error !== 'string' || b.data !== null)) return false;
  return true;
}

let db: Awaited<ReturnType<typeof createIsolatedDatabase>>;
let p: RunningPlatform;
let user: TestUser;
let token: string;
let operations: Operation[];

beforeAll(async () => {
  // A database of its own: "nothing changed" is checked over whole tables, which other suites write to.
  db = await createIsolatedDatabase('onegate_fuzz');
  p = await startPlatform({ service: 'all-in-one', modules: allModules, config: realServicesConfig({ DATABASE_URL: db.url }) });
  user = await createUser(p.infra.orm, { balance: '50000.00' });
  token = accessTokenFor(p, { userId: user.userId, username: user.username });
  const doc = (await (await fetch(`${p.url}/openapi.json`)).json()) as {
    paths: Record<string, Record<string, { security?: Record<string, string[]>[]; requestBody?: { content: { 'application/json': { schema: { properties?: Record<string, unknown> } } } }; parameters?: { name: string; in: string }[] }>>;
  };
  operations = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      operations.push({
        method: method.toUpperCase(),
        path,
        security: op.security ?? [],
        bodyFields: Object.keys(op.requestBody?.content['application/json'].schema.properties ?? {}),
        queryFields: (op.parameters ?? []).filter((x) => x.in === 'query').map((x) => x.name),
      });
    }
  }
});
afterAll(async () => {
  await p?.stop();
  await db?.drop();
});

async function snapshot(): Promise<string> {
  const conn = p.infra.orm.em.getConnection();
  const [row] = (await conn.execute(
    `select (select coalesce(sum(balance), 0)::text from accounts) as total,
            (select balance::text from accounts where id = ?) as mine,
            (select count(*)::int from historical_transactions) as tx,
            (select count(*)::int from users) as users`,
    [user.accountId],
  )) as [Record<string, unknown>];
  return JSON.stringify(row);
}

describe('fuzzing every documented route', () => {
  it('documents routes to fuzz', () => {
    expect(operations.length).toBeGreaterThan(0);
  });

  it('never answers 5xx, always answers in the envelope, and refused requests change nothing', { timeout: 300_000 }, async () => {
    for (const op of operations) {
      const authed = op.security.some((s) => 'bearerAuth' in s);
      await fc.assert(
        fc.asyncProperty(
          bodyFor(op.bodyFields.length ? op.bodyFields : ['x']),
          fc.dictionary(fc.constantFrom(...op.queryFields, 'page', 'size', 'cursor', 'from', 'to', 'api_key'), fc.constantFrom(...nasty, '1', '100000', '-5'), { maxKeys: 4 }),
          fc.constantFrom(...nasty, '00000000-0000-0000-0000-000000000000', 'TRX-1', '1'),
          fc.boolean(),
          async (body, query, param, withToken) => {
            const path = op.path.replace(/\{[^}]+\}/g, encodeURIComponent(param));
            const qs = new URLSearchParams(query as Record<string, string>).toString();
            const before = await snapshot();
            const res = await fetch(`${p.url}${path}${qs ? `?${qs}` : ''}`, {
              method: op.method,
              headers: {
                'content-type': 'application/json',
                'x-request-id': 'fuzz <script> id',
                ...(authed && withToken ? { authorization: `Bearer ${token}` } : {}),
              },
              ...(op.method === 'GET' ? {} : { body: JSON.stringify(body) }),
            });
            const text = await res.text();
            expect(res.status, `${op.method} ${path} → ${res.status}: ${text.slice(0, 300)}`).toBeLessThan(500);
            expect(res.headers.get('x-request-id')).not.toContain('<');
            // A JWKS document keeps its standard shape ({keys}); every other JSON answer is in the envelope.
            if (res.headers.get('content-type')?.includes('application/json') && !path.includes('/.well-known/')) {
              expect(envelopeOk(res.status, JSON.parse(text)), `${op.method} ${path}: ${text.slice(0, 300)}`).toBe(true);
            }
            if (res.status >= 400) expect(await snapshot(), `${op.method} ${path} changed state while refusing`).toBe(before);
          },
        ),
        { numRuns: 25, seed: 20261125 },
      );
    }
  });
});

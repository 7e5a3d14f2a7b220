import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { OpenApiRegistry, responseProblems } from '../../src/adapters/http/openapi.ts';
import { allModules } from '../../src/entrypoints/all-in-one/modules.ts';
import { startPlatform, type RunningPlatform } from '../../src/entrypoints/shared/platform.ts';
import { API_TYPES_FILE, renderApiTypes } from '../../scripts/generate-api-types.ts';
import { realServicesConfig, uniq } from '../support/services.ts';

/*
 * /openapi.json as clients and tools read it: valid under Redocly's recommended rules with no
 * error and no warning, every operation named, tagged, typed and with its error codes, and the
 * committed client types (tests/support/api-types.ts) generated from exactly this document.
 */

interface Operation {
  operationId?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  requestBody?: { content: Record<string, { schema?: unknown; example?: unknown }> };
  responses: Record<string, { content?: Record<string, { schema?: Record<string, unknown>; example?: unknown }> }>;
}
interface Document {
  servers?: { url: string }[];
  tags?: { name: string; description?: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, Record<string, string>>; schemas: Record<string, unknown> };
}

let p: RunningPlatform;
let doc: Document;
let raw: Record<string, unknown>;
const dir = mkdtempSync(join(tmpdir(), 'onegate-openapi-test-'));

beforeAll(async () => {
  p = await startPlatform({
    service: 'all-in-one',
    modules: allModules,
    config: realServicesConfig({ KAFKA_CONSUMER_GROUP: uniq('openapi-doc-'), KAFKA_TOPIC_TRANSACTIONS: uniq('openapi-doc-events-') }),
  });
  raw = (await (await fetch(`${p.url}/openapi.json`)).json()) as Record<string, unknown>;
  doc = raw as unknown as Document;
}, 60_000);
afterAll(async () => {
  await p?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const operations = () => Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method, op })));

describe('the OpenAPI document', () => {
  it('passes redocly lint with the recommended rules: no error, no warning (the all-in-one and each service)', { timeout: 90_000 }, async () => {
    const files = [join(dir, 'all-in-one.json')];
    writeFileSync(files[0]!, JSON.stringify(raw));
    // Each deployment serves the routes of its module: the same specs, so the same registry filtered by prefix.
    for (const service of ['auth', 'payment', 'transaction']) {
      const registry = new OpenApiRegistry();
      for (const route of p.openapi.list()) if (route.path.startsWith(`/api/${service}/`)) registry.add(route);
      files.push(join(dir, `${service}.json`));
      writeFileSync(files.at(-1)!, JSON.stringify(registry.document({ title: `One Gate Payment — ${service}-service` })));
    }
    const config = join(dir, 'redocly.yaml');
    writeFileSync(config, 'extends:\n  - recommended\n');
    const run = promisify(execFile);
    const problems: string[] = [];
    const totals: { file: string; errors: number; warnings: number }[] = [];
    for (const file of files) {
      const out = await run(join(process.cwd(), 'node_modules/.bin/redocly'), ['lint', file, '--config', config, '--format', 'json'], {
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
        maxBuffer: 16 * 1024 * 1024,
      }).catch((err: { stdout?: string; stderr?: string }) => ({ stdout: err.stdout ?? '', stderr: err.stderr ?? '' }));
      const report = JSON.parse(out.stdout) as {
        totals: { errors: number; warnings: number };
        problems: { ruleId: string; message: string; location: { pointer: string }[] }[];
      };
      problems.push(...report.problems.map((x) => `${file}: ${x.ruleId}: ${x.message} at ${x.location.map((l) => l.pointer).join(', ')}`));
      totals.push({ file, errors: report.totals.errors, warnings: report.totals.warnings });
    }
    expect(problems).toEqual([]);
    expect(totals).toEqual(files.map((file) => ({ file, errors: 0, warnings: 0 })));
  });

  it('names, tags and secures every operation, with servers and the three security schemes', () => {
    expect(doc.servers?.length).toBeGreaterThan(0);
    expect(Object.keys(doc.components.securitySchemes)).toEqual(expect.arrayContaining(['bearerAuth', 'cookieAuth', 'apiKey']));
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    const tags = new Set((doc.tags ?? []).map((t) => t.name));
    const ids = new Set<string>();
    // Every mounted route is in the document (all of them are mounted through defineRoute).
    expect(operations().length).toBe(p.openapi.list().length);
    expect(operations().length).toBeGreaterThanOrEqual(23);
    for (const { path, method, op } of operations()) {
      const name = `${method} ${path}`;
      expect(op.operationId, name).toMatch(/^[a-z][A-Za-z0-9]+$/);
      expect(ids.has(op.operationId!), `${name}: operationId used twice`).toBe(false);
      ids.add(op.operationId!);
      expect(op.tags?.length, name).toBe(1);
      expect(tags.has(op.tags![0]!), `${name}: tag ${op.tags![0]} not declared`).toBe(true);
    }
  });

  it('types every success body and gives it a real example, and lists every error status with its codes', () => {
    for (const { path, method, op } of operations()) {
      const statuses = Object.keys(op.responses);
      const success = statuses.filter((s) => s.startsWith('2'));
      expect(success.length, `${method} ${path}`).toBeGreaterThan(0);
      for (const s of success) {
        const content = op.responses[s]!.content ?? {};
        expect(Object.keys(content).length, `${method} ${path} ${s}`).toBeGreaterThan(0);
        for (const [type, media] of Object.entries(content)) {
          expect(media.schema, `${method} ${path} ${s} ${type}`).toBeDefined();
          expect(media.example, `${method} ${path} ${s} ${type}: an example`).toBeDefined();
          // The envelope's data is a real schema, never "anything".
          const data = (media.schema as { properties?: { data?: unknown } }).properties?.data;
          if (type === 'application/json' && data !== undefined) expect(data, `${method} ${path} ${s}`).not.toEqual({});
        }
      }
      for (const s of statuses.filter((x) => /^[45]/.test(x))) {
        const schema = op.responses[s]!.content?.['application/json']?.schema as
          { properties?: { meta?: { properties?: { error?: { enum?: string[] } } } } } | undefined;
        const codes = schema?.properties?.meta?.properties?.error?.enum;
        // Every error is in our envelope with its codes, except the Kong gateway's own 429.
        if (codes === undefined) expect(`${path} ${s}`).toBe('/api/auth/.well-known/jwks.json 429');
        else expect(codes.length, `${method} ${path} ${s}`).toBeGreaterThan(0);
      }
      expect(statuses, `${method} ${path}`).toContain('500');
    }
    // The export documents both formats it streams.
    expect(Object.keys(doc.paths['/api/transaction/histories/export']!.get!.responses['200']!.content!)).toEqual(['application/x-ndjson', 'text/csv']);
    // Request bodies have examples too.
    for (const { path, method, op } of operations())
      if (op.requestBody) expect(op.requestBody.content['application/json']!.example, `${method} ${path}`).toBeDefined();
  });

  it('is what the committed client types were generated from (run `npm run generate:client` after changing a route)', async () => {
    const fresh = await renderApiTypes(raw);
    const committed = readFileSync(API_TYPES_FILE, 'utf8');
    expect(committed === fresh, 'tests/support/api-types.ts is stale: run `npm run generate:client` and commit it').toBe(true);
  });

  it('checks a real answer against the route’s documentation: undocumented status, code or shape is a problem', () => {
    const route = p.openapi.find('get', '/api/payment/balance')!;
    expect(responseProblems(route, 200, { meta: { code: '200', message: 'balance' }, data: { balance: '1.00', currency: 'IDR' } })).toEqual([]);
    expect(responseProblems(route, 200, { meta: { code: '200', message: 'balance' }, data: { balance: 1, currency: 'IDR' } })).toHaveLength(1);
    expect(
      responseProblems(route, 200, { meta: { code: '200', message: 'balance' }, data: { balance: '1.00', currency: 'IDR', email: 'x@y.z' } }),
    ).toHaveLength(1);
    expect(responseProblems(route, 404, { meta: { code: '404', message: 'x', error: 'ACCOUNT_NOT_FOUND', request_id: 'r' }, data: null })).toEqual([]);
    expect(responseProblems(route, 404, { meta: { code: '404', message: 'x', error: 'SOMETHING_ELSE' }, data: null })).toHaveLength(1);
    expect(responseProblems(route, 418, { meta: { code: '418', message: 'x', error: 'TEAPOT' }, data: null })).toEqual([
      'GET /api/payment/balance → 418: status not documented',
    ]);
    expect(z.globalRegistry.get(p.openapi.find('get', '/api/payment/account')!.responses[200]!.data!)).toMatchObject({ id: 'Account' });
  });
});

import { z, type ZodType } from 'zod';
import type { Method, Security } from './route.ts';

interface Documented {
  method: Method;
  path: string;
  summary: string;
  tag: string;
  security: Security;
  body?: ZodType;
  query?: ZodType;
  params?: ZodType;
  responses?: Record<number, string>;
}

const SECURITY: Record<Security, Record<string, string[]>[] | undefined> = {
  none: [],
  bearer: [{ bearerAuth: [] }, { cookieAuth: [] }],
  apiKey: [{ apiKey: [] }],
  refresh: [],
  signature: [],
};

/** Collects the routes that a server mounts and renders them as an OpenAPI 3.1 document. */
export class OpenApiRegistry {
  private readonly routes: Documented[] = [];

  add(route: Documented): void {
    this.routes.push(route);
  }

  list(): readonly Documented[] {
    return this.routes;
  }

  document(title: string): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const r of this.routes) {
      const path = r.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      const parameters = [
        ...objectParams(r.params, 'path'),
        ...objectParams(r.query, 'query'),
      ];
      const responses: Record<string, unknown> = {};
      for (const [status, description] of Object.entries(r.responses ?? { 200: 'OK' })) {
        responses[status] = { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Envelope' } } } };
      }
      paths[path] ??= {};
      paths[path][r.method] = {
        summary: r.summary,
        tags: [r.tag],
        security: SECURITY[r.security],
        ...(parameters.length ? { parameters } : {}),
        // A body whose every field is optional (refresh, logout) is not required.
        ...(r.body ? { requestBody: { required: !r.body.safeParse({}).success, content: { 'application/json': { schema: toSchema(r.body, 'input') } } } } : {}),
        responses,
      };
    }
    return {
      openapi: '3.1.0',
      info: { title, version: '1.0.0', description: 'One Gate Payment API. Every response uses the {meta, data} envelope.' },
      paths,
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          cookieAuth: { type: 'apiKey', in: 'cookie', name: 'auth-token' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        },
        schemas: {
          Envelope: {
            type: 'object',
            required: ['meta', 'data'],
            properties: {
              meta: {
                type: 'object',
                required: ['code', 'message'],
                properties: {
                  code: { type: 'string' },
                  message: { type: 'string' },
                  error: { type: 'string' },
                  request_id: { type: 'string' },
                  errors: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } } },
                  page: { type: 'integer' },
                  size: { type: 'integer' },
                  total: { type: 'integer' },
                  next_cursor: { type: ['string', 'null'] },
                },
              },
              data: {},
            },
          },
        },
      },
    };
  }
}

function toSchema(schema: ZodType, io: 'input' | 'output'): Record<string, unknown> {
  try {
    const json = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
    delete json.$schema;
    return json;
  } catch {
    return {};
  }
}

function objectParams(schema: ZodType | undefined, where: 'path' | 'query'): Record<string, unknown>[] {
  if (!schema) return [];
  const json = toSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    schema: s,
  }));
}

/** A small page that renders /openapi.json without loading anything from another host. */
export function docsPage(title: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${title} — API docs</title>
<style>body{font-family:system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem}code{background:#f3f3f3;padding:0 .2rem}
.op{border:1px solid #ddd;border-radius:6px;margin:.5rem 0;padding:.5rem 1rem}.m{font-weight:bold;text-transform:uppercase;margin-right:.5rem}
pre{background:#f7f7f7;padding:.5rem;overflow:auto;font-size:12px}</style></head>
<body><h1>${title}</h1><p>Machine-readable: <a href="/openapi.json">/openapi.json</a></p><div id="ops">Loading…</div>
<script>
fetch('/openapi.json').then(r=>r.json()).then(doc=>{
  const el=document.getElementById('ops');el.textContent='';
  for(const [path,ops] of Object.entries(doc.paths)){for(const [m,op] of Object.entries(ops)){
    const d=document.createElement('div');d.className='op';
    const h=document.createElement('div');const b=document.createElement('span');b.className='m';b.textContent=m;h.append(b);
    const c=document.createElement('code');c.textContent=path;h.append(c,' — '+(op.summary||''));d.append(h);
    const p=document.createElement('pre');p.textContent=JSON.stringify({parameters:op.parameters,requestBody:op.requestBody,responses:Object.keys(op.responses||{}),security:op.security},null,1);d.append(p);
    el.append(d);}}
});
</script></body></html>`;
}

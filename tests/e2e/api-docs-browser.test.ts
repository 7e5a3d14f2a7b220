import { existsSync } from 'node:fs';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allModules } from '../../src/entrypoints/all-in-one/modules.ts';
import { startPlatform, type RunningPlatform } from '../../src/entrypoints/shared/platform.ts';
import { realServicesConfig, uniq } from '../support/services.ts';

/*
 * /docs as a person sees it, in headless Chromium (Debian's `chromium`; CHROMIUM_PATH overrides):
 * the Swagger UI page lists every operation of /openapi.json with its parameters, request body and
 * responses and their schemas, loads nothing from another host, and "Try it out" calls this server.
 * Without Chromium the suite fails: install it with `apt-get install -y chromium`.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

interface Operation {
  operationId: string;
  tags: string[];
  parameters?: { name: string }[];
  requestBody?: { content: { 'application/json': { schema: { properties?: Record<string, unknown> } } } };
  responses: Record<string, unknown>;
}

let p: RunningPlatform;
let browser: Browser;
let page: Page;
let operations: { method: string; path: string; op: Operation }[];
const requested: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`headless Chromium not found at ${CHROMIUM}: install it (apt-get install -y chromium) or set CHROMIUM_PATH`);
  p = await startPlatform({
    service: 'all-in-one',
    modules: allModules,
    config: realServicesConfig({ KAFKA_CONSUMER_GROUP: uniq('docs-ui-'), KAFKA_TOPIC_TRANSACTIONS: uniq('docs-ui-events-') }),
  });
  const doc = (await (await fetch(`${p.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, Operation>> };
  operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ method, path, op })));
  // Root in containers and CI: Chromium's sandbox needs user namespaces it does not have there.
  browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  page = await browser.newPage();
  page.on('request', (r) => requested.push(r.url()));
  await page.goto(`${p.url}/docs`, { waitUntil: 'load' });
  await page.waitForSelector('.opblock', { timeout: 60_000 });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await p?.stop();
});

const opSelector = (o: { op: Operation }) => `#operations-${o.op.tags[0]}-${o.op.operationId}`;

describe('/docs (Swagger UI from swagger-ui-dist)', () => {
  it('loads everything from this server: no CDN, works offline', () => {
    const foreign = requested.filter((u) => !u.startsWith(p.url) && !u.startsWith('data:'));
    expect(foreign).toEqual([]);
    expect(requested).toContain(`${p.url}/openapi.json`);
  });

  it('lists every operation of the document, by its operationId under its tag', async () => {
    const shown = await page.$$eval('.opblock', (els) => els.map((e) => e.id));
    expect(shown.sort()).toEqual(operations.map((o) => opSelector(o).slice(1)).sort());
  });

  it('shows each operation with its parameters, request body schema and every response with its schema', { timeout: 180_000 }, async () => {
    const problems: string[] = [];
    for (const o of operations) {
      const sel = opSelector(o);
      const name = `${o.method.toUpperCase()} ${o.path}`;
      await page.click(`${sel} .opblock-summary-control`);
      await page.waitForSelector(`${sel} .responses-wrapper`);
      const view = await page.$eval(sel, (el) => ({
        params: [...el.querySelectorAll('.parameters .parameter__name')].map((e) => e.textContent?.replace(/\*|required/g, '').trim() ?? ''),
        hasBody: !!el.querySelector('.opblock-section-request-body'),
        bodyExample: el.querySelector('.opblock-section-request-body .body-param__example, .opblock-section-request-body pre')?.textContent ?? '',
        codes: [...el.querySelectorAll('tr.response')].map((e) => e.getAttribute('data-code')),
        responseExamples: [...el.querySelectorAll('tr.response')].map((e) => ({
          code: e.getAttribute('data-code'),
          text: e.querySelector('.model-example pre, .example')?.textContent ?? '',
        })),
      }));
      for (const param of o.op.parameters ?? [])
        if (!view.params.includes(param.name)) problems.push(`${name}: parameter ${param.name} not shown (${view.params.join(',')})`);
      if (o.op.requestBody) {
        if (!view.hasBody) problems.push(`${name}: no request body shown`);
        for (const field of Object.keys(o.op.requestBody.content['application/json'].schema.properties ?? {})) {
          if (!view.bodyExample.includes(`"${field}"`)) problems.push(`${name}: request field ${field} not in the shown example`);
        }
      }
      const documented = Object.keys(o.op.responses);
      if (view.codes.join() !== documented.join()) problems.push(`${name}: responses shown ${view.codes.join()} ≠ documented ${documented.join()}`);
      for (const r of view.responseExamples) if (!r.text.trim()) problems.push(`${name}: response ${r.code} shows no example body`);
      // The schemas themselves: the request body's and the first success response's "Schema" tab.
      const schemaTabs = await page.$$(
        `${sel} .opblock-section-request-body button.tablinks[data-name="model"], ${sel} tr.response button.tablinks[data-name="model"]`,
      );
      if (!schemaTabs.length) problems.push(`${name}: no schema tab`);
      await schemaTabs[0]?.click();
      const schemaText = await page.$eval(sel, (el) =>
        [...el.querySelectorAll('.model-box, .json-schema-2020-12, .model')].map((e) => e.textContent).join(' '),
      );
      if (!schemaText.trim()) problems.push(`${name}: schema tab renders nothing`);
      await page.click(`${sel} .opblock-summary-control`);
    }
    expect(problems).toEqual([]);
  });

  it('tries an operation out against the running server', { timeout: 60_000 }, async () => {
    const sel = '#operations-auth-getJwks';
    await page.click(`${sel} .opblock-summary-control`);
    await page.waitForSelector(`${sel} .try-out__btn`);
    await page.click(`${sel} .try-out__btn`);
    await page.waitForSelector(`${sel} .execute`);
    await page.click(`${sel} .execute`);
    await page.waitForSelector(`${sel} .live-responses-table .response-col_status`, { timeout: 30_000 });
    const answer = await page.$eval(`${sel} .live-responses-table`, (el) => ({
      status: el.querySelector('.response .response-col_status')?.textContent?.trim(),
      body: el.querySelector('.response-col_description pre, .microlight')?.textContent ?? '',
    }));
    expect(answer.status).toBe('200');
    expect(answer.body).toContain('"keys"');
    expect(answer.body).toContain('ES256');
  });
});

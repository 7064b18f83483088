/**
 * /openapi.json is generated from the contracts and /docs renders it in a real browser (Debian's Chromium through
 * playwright-core) from self-hosted Swagger UI assets: every route is listed and nothing is fetched elsewhere.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createTestPgliteDb, REQUIRE_INFRA } from '@planexe/testing/infra';
import { PUBLIC_TOOLS, TOOL_NAMES } from '@planexe/contracts';
import type { DbHandle } from '@planexe/db';
import { startTestServer, type TestServer } from '../../../tests/harness/testServer.ts';
import { CHROMIUM, launchChromium } from '../../../tests/harness/browser.ts';

const ROUTES = [
  '/',
  '/healthcheck',
  '/livez',
  '/readyz',
  '/robots.txt',
  '/llms.txt',
  '/llm.txt',
  '/.well-known/mcp/server-card.json',
  '/mcp/server-card',
  '/.well-known/ai-catalog.json',
  '/.well-known/glama.json',
  '/openapi.json',
  '/mcp',
  '/mcp/tools',
  '/mcp/tools/call',
  '/sse/plan/{plan_id}',
  '/download/{plan_id}/{filename}',
  '/examples/{plan_id}/{file}',
];

describe('OpenAPI document and /docs', () => {
  let dbh: DbHandle;
  let srv: TestServer;
  beforeAll(async () => {
    dbh = await createTestPgliteDb();
    srv = await startTestServer(dbh, { PLANEXE_MCP_REQUIRE_AUTH: 'true' });
  });
  afterAll(async () => {
    await srv?.close();
    await dbh?.close();
  });

  it('describes every route, with one REST request body per tool', async () => {
    const doc = (await (await fetch(`${srv.url}/openapi.json`)).json()) as any;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toMatchObject({ title: 'PlanExe – AI Project Planning', version: '1.0.1' });
    expect(Object.keys(doc.paths).sort()).toEqual([...ROUTES].sort());
    const body = doc.paths['/mcp/tools/call'].post.requestBody.content['application/json'].schema;
    expect(body.oneOf.map((r: any) => r.$ref)).toEqual(TOOL_NAMES.map((t) => `#/components/schemas/call_${t}`));
    const create = doc.components.schemas.call_plan_create;
    expect(create.properties.tool.enum ?? [create.properties.tool.const]).toEqual(['plan_create']);
    expect(create.properties.arguments.required).toEqual(['prompt']);
    for (const t of TOOL_NAMES) expect(doc.components.schemas[`${t}_payload`], t).toBeDefined();
    expect(doc.components.securitySchemes.ApiKey).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-API-Key' });
    expect(doc.paths['/mcp/tools/call'].post.description).toContain(PUBLIC_TOOLS[0]);
    expect((await fetch(`${srv.url}/redoc`, { redirect: 'manual' })).headers.get('location')).toBe('/docs');
  });

  it.skipIf(!CHROMIUM && !REQUIRE_INFRA)('/docs renders in headless Chromium from local assets and lists every route', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      const foreign: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      page.on('request', (r) => !r.url().startsWith(srv.url) && !r.url().startsWith('data:') && foreign.push(r.url()));
      await page.goto(`${srv.url}/docs`, { waitUntil: 'networkidle' });
      await page.waitForSelector('.opblock-summary-path', { timeout: 15_000 });
      const listed = await page.$$eval('.opblock-summary-path', (els) => els.map((e) => e.getAttribute('data-path') ?? e.textContent ?? ''));
      expect([...new Set(listed.map((p) => p.replace(/\u200b/g, '')))].sort()).toEqual([...ROUTES].sort());
      expect(await page.title()).toContain('PlanExe');
      expect(await page.textContent('.info .title')).toContain('PlanExe');
      expect(foreign).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});

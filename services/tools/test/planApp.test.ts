/**
 * The plan view (an MCP App) on the MCP surface, standalone and distributed (gateway → tools): the tools that show
 * it name it in `_meta.ui.resourceUri`, its resource is one self-contained HTML document within budget under a
 * CSP that pins its only script and style, the report template serves owners only, and plan_status takes the
 * view's wait_seconds. Hosts without MCP Apps keep the same text and structured results.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash } from 'node:crypto';
import { createTestPgliteDb } from '@planexe/testing/infra';
import type { DbHandle } from '@planexe/db';
import { startTestServer, connectClient, createUserWithKey, payloadOf, type TestServer } from '../../../tests/harness/testServer.ts';
import { startDistributed } from '../../../tests/harness/distributedServer.ts';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';

const APP_TOOLS = ['plan_create', 'plan_status', 'plan_retry', 'plan_resume', 'plan_file_info'];
const sha = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

async function checkSurface(client: Client): Promise<string> {
  const { tools } = await client.listTools();
  for (const t of tools) {
    const meta = t._meta as Record<string, any> | undefined;
    if (APP_TOOLS.includes(t.name)) expect(meta).toEqual({ ui: { resourceUri: 'ui://planexe/plan' }, 'ui/resourceUri': 'ui://planexe/plan' });
    else expect(meta?.ui).toBeUndefined();
  }
  const { resources } = await client.listResources();
  expect(resources).toEqual([expect.objectContaining({ uri: 'ui://planexe/plan', mimeType: 'text/html;profile=mcp-app' })]);
  const { resourceTemplates } = await client.listResourceTemplates();
  // the plan files' planexe:// templates sit beside the view's own
  expect(resourceTemplates.map((t) => t.uriTemplate).filter((u) => u.startsWith('ui://'))).toEqual(['ui://planexe/plan/{plan_id}/report.html']);

  const read = await client.readResource({ uri: 'ui://planexe/plan' });
  const content = read.contents[0] as { uri: string; mimeType: string; text: string; _meta?: any };
  expect(content.mimeType).toBe('text/html;profile=mcp-app');
  expect(content._meta?.ui?.csp).toEqual({ connectDomains: [], resourceDomains: [] });
  const html = content.text;
  expect(Buffer.byteLength(html)).toBeLessThanOrEqual(150 * 1024);
  // one inline script and one inline style, each pinned by hash; nothing else may load or connect
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
  const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]);
  expect([scripts.length, styles.length]).toEqual([1, 1]);
  const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
  expect(csp.split('; ')).toEqual([
    "default-src 'none'",
    `script-src ${sha(scripts[0])}`,
    `style-src ${sha(styles[0])}`,
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ]);
  expect(html).not.toMatch(/<(script|link|img|iframe)[^>]+(src|href)=/i);
  return html;
}

describe('plan view (MCP App) on the MCP surface', () => {
  let dbh: DbHandle;
  let srv: TestServer;
  let alice: Client;
  let bob: Client;
  beforeAll(async () => {
    dbh = await createTestPgliteDb();
    srv = await startTestServer(dbh);
    alice = await connectClient(srv.mcpUrl, { 'X-API-Key': (await createUserWithKey(srv.db)).key });
    bob = await connectClient(srv.mcpUrl, { 'X-API-Key': (await createUserWithKey(srv.db)).key });
  }, 60_000);
  afterAll(async () => {
    await alice?.close();
    await bob?.close();
    await srv?.close();
    await dbh?.close();
  });

  it('standalone and distributed serve the same view document', async () => {
    const standalone = await checkSurface(alice);
    const dist = await startDistributed(dbh);
    const client = await connectClient(dist.mcpUrl, { 'X-API-Key': (await createUserWithKey(dbh.db)).key });
    try {
      expect(await checkSurface(client)).toBe(standalone);
    } finally {
      await client.close();
      await dist.close();
    }
  });

  it('tools keep their text and structured results; plan_status takes wait_seconds', async () => {
    const created = await alice.callTool({ name: 'plan_create', arguments: { prompt: 'A view test plan' } });
    const planId = payloadOf(created).plan_id as string;
    const r = await alice.callTool({ name: 'plan_status', arguments: { plan_id: planId, wait_seconds: 0 } });
    expect(r.isError).toBeFalsy();
    expect(payloadOf(r)).toMatchObject({ plan_id: planId, state: 'pending' });
  });

  it("serves a report to its owner only: another user's plan, an unknown id and a plan not done are refused", async () => {
    const planId = payloadOf(await alice.callTool({ name: 'plan_create', arguments: { prompt: 'A private plan' } })).plan_id as string;
    const uri = `ui://planexe/plan/${planId}/report.html`;
    await expect(bob.readResource({ uri })).rejects.toThrow(/not found/i);
    await expect(alice.readResource({ uri: 'ui://planexe/plan/00000000-0000-4000-8000-000000000000/report.html' })).rejects.toThrow(/not found/i);
    await expect(alice.readResource({ uri: 'ui://planexe/plan/not-a-uuid/report.html' })).rejects.toThrow(/not found/i);
    await expect(alice.readResource({ uri })).rejects.toThrow(/not available \(state pending\)/);
  });
});

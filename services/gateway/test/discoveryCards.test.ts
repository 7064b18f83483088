/**
 * 2026-07-28 discovery over HTTP: the SEP-2127 server card at /mcp/server-card (its own media type, absolute URLs
 * built from the request or PLANEXE_MCP_PUBLIC_BASE_URL), the AI catalog pointing at it, and the older well-known
 * card still answering; all open (no key) with auth on.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createTestPgliteDb } from '@planexe/testing/infra';
import type { DbHandle } from '@planexe/db';
import { startTestServer, type TestServer } from '../../../tests/harness/testServer.ts';

describe('discovery cards', () => {
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

  it('the AI catalog leads to the server card, which leads to the MCP endpoint', async () => {
    const catalogRes = await fetch(`${srv.url}/.well-known/ai-catalog.json`);
    expect(catalogRes.status).toBe(200);
    const catalog: any = await catalogRes.json();
    expect(catalog.entries).toHaveLength(1);
    expect(catalog.entries[0].type).toBe('application/mcp-server-card+json');
    expect(catalog.entries[0].url).toBe(`${srv.url}/mcp/server-card`);
    const cardRes = await fetch(catalog.entries[0].url);
    expect(cardRes.status).toBe(200);
    expect(cardRes.headers.get('content-type')).toMatch(/^application\/mcp-server-card\+json/);
    const card: any = await cardRes.json();
    expect(card.remotes[0].url).toBe(`${srv.url}/mcp`);
    expect(card.remotes[0].supportedProtocolVersions).toContain('2026-07-28');
    expect(card.remotes[0].headers[0].name).toBe('X-API-Key'); // auth is on
    // the endpoint the card names is the MCP endpoint
    const rpc = await fetch(card.remotes[0].url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
    });
    expect(((await rpc.json()) as any).result.tools.length).toBeGreaterThan(0);
  });

  it('behind a proxy the card names the public host; the old well-known card still answers', async () => {
    const card: any = await (await fetch(`${srv.url}/mcp/server-card`, { headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'plans.example.org' } })).json();
    expect(card.remotes[0].url).toBe('https://plans.example.org/mcp');
    const old = await fetch(`${srv.url}/.well-known/mcp/server-card.json`);
    expect(old.status).toBe(200);
    expect(((await old.json()) as any).transport.type).toBe('streamable-http');
    const head = await fetch(`${srv.url}/mcp/server-card`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect((await fetch(`${srv.url}/mcp/server-card`, { method: 'POST' })).status).toBe(405);
  });
});

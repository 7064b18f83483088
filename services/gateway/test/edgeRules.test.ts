/**
 * The edge rules besides authentication (spec/http.md §4–§5, probes), on the standalone app with the in-memory
 * limiter: CORS preflights and decoration, body size, rate limits and their headers, health and probes, and key
 * revocation taking effect within the key cache's 5 s.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { request } from 'node:http';
import { createTestPgliteDb } from '@planexe/testing/infra';
import { revokeApiKey, type DbHandle } from '@planexe/db';
import { startTestServer, createUserWithKey, connectClient, type TestServer } from '../../../tests/harness/testServer.ts';

const H = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const ALLOWED = 'https://app.example';
const rpc = (method: string, params: unknown = {}) => JSON.stringify({ jsonrpc: '2.0', id: 1, method, params });

/** A POST with full control over Content-Length / Transfer-Encoding (fetch sets them itself). */
function rawPost(url: string, path: string, body: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = request({ host: u.hostname, port: u.port, path, method: 'POST', headers }, (res) => {
      let data = '';
      res.on('data', (c) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('edge rules (standalone, in-memory limiter)', () => {
  let dbh: DbHandle;
  let srv: TestServer;
  let user: Awaited<ReturnType<typeof createUserWithKey>>;
  beforeAll(async () => {
    dbh = await createTestPgliteDb();
    srv = await startTestServer(dbh, {
      PLANEXE_MCP_REQUIRE_AUTH: 'true',
      PLANEXE_MCP_HTTP_HOST: '0.0.0.0', // as deployed: the DNS-rebinding guard would refuse remote origins first
      PLANEXE_MCP_CORS_ORIGINS: `["${ALLOWED}", "http://localhost:6274"]`,
      PLANEXE_MCP_MAX_BODY_BYTES: '2048',
      PLANEXE_MCP_RATE_LIMIT: '8',
      PLANEXE_MCP_RATE_WINDOW_SECONDS: '60',
      PLANEXE_MCP_PLAN_CREATE_COST: '5',
      PLANEXE_MCP_DOWNLOAD_RATE_LIMIT: '2',
    });
    user = await createUserWithKey(dbh.db, 100);
  });
  afterAll(async () => {
    await srv?.close();
    await dbh?.close();
  });

  it('answers an allowed preflight with the CORS headers, and refuses a foreign origin or method', async () => {
    const ok = await fetch(`${srv.url}/mcp/tools/call`, {
      method: 'OPTIONS',
      headers: { origin: ALLOWED, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, x-api-key', 'x-forwarded-for': 'pre' },
    });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('OK');
    expect(ok.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(ok.headers.get('access-control-allow-methods')).toBe('GET, HEAD, POST, DELETE, OPTIONS');
    expect(ok.headers.get('access-control-allow-headers')).toBe('content-type, x-api-key');
    expect(ok.headers.get('access-control-max-age')).toBe('600');
    expect(ok.headers.get('vary')).toContain('Origin');
    const foreign = await fetch(`${srv.url}/mcp/`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect([foreign.status, await foreign.text()]).toEqual([400, 'Disallowed CORS origin']);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    const method = await fetch(`${srv.url}/mcp/`, { method: 'OPTIONS', headers: { origin: ALLOWED, 'access-control-request-method': 'PUT' } });
    expect([method.status, await method.text()]).toEqual([400, 'Disallowed CORS method']);
    const both = await fetch(`${srv.url}/mcp/`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'PUT' } });
    expect(await both.text()).toBe('Disallowed CORS origin, method');
  });

  it('decorates early refusals for an allowed origin only', async () => {
    const refused = await fetch(`${srv.url}/mcp/tools/call`, { method: 'POST', headers: { ...H, origin: ALLOWED }, body: JSON.stringify({ tool: 'plan_list', arguments: {} }) });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(refused.headers.get('access-control-allow-headers')).toBe('*');
    expect(refused.headers.get('vary')).toBe('Origin');
    const inspector = await fetch(`${srv.url}/healthcheck`, { headers: { origin: 'http://localhost:6274' } });
    expect(inspector.headers.get('access-control-allow-origin')).toBe('http://localhost:6274');
    const foreign = await fetch(`${srv.url}/mcp/tools/call`, { method: 'POST', headers: { ...H, origin: 'https://evil.example' }, body: '{}' });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('enforces the body size rule after auth with contract errors', async () => {
    const key = { 'x-api-key': user.key, origin: ALLOWED };
    const big = JSON.stringify({ tool: 'plan_create', arguments: { prompt: 'x'.repeat(4000) } });
    const tooLarge = await fetch(`${srv.url}/mcp/tools/call`, { method: 'POST', headers: { ...H, ...key }, body: big });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(await tooLarge.json()).toEqual({ error: { code: 'PAYLOAD_TOO_LARGE', message: 'Request body too large' }, detail: 'Request body too large' });
    // no key: auth answers first (the body is not read), as in the spec's order
    expect((await fetch(`${srv.url}/mcp/tools/call`, { method: 'POST', headers: H, body: big })).status).toBe(401);
    const chunked = await rawPost(srv.url, '/mcp/tools/call', '{"tool":"plan_list","arguments":{}}', { ...H, ...key, 'transfer-encoding': 'chunked' });
    expect(chunked.status).toBe(411);
    expect(JSON.parse(chunked.body)).toEqual({ error: { code: 'LENGTH_REQUIRED', message: 'Length Required' }, detail: 'Length Required' });
    const chunkedBig = await rawPost(srv.url, '/mcp/', rpc('tools/call', { name: 'plan_create', arguments: { prompt: 'y'.repeat(4000) } }), { ...H, ...key, 'transfer-encoding': 'chunked' });
    expect(chunkedBig.status).toBe(413);
    expect(JSON.parse(chunkedBig.body).error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('limits per key with RateLimit headers; plan_create costs 5 points; refusals take nothing and say when to retry', async () => {
    const other = await createUserWithKey(dbh.db, 100);
    const post = (body: string) => fetch(`${srv.url}/mcp/`, { method: 'POST', headers: { ...H, 'x-api-key': other.key, origin: ALLOWED }, body });
    const first = await post(rpc('tools/call', { name: 'plan_list', arguments: {} }));
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit-limit')).toBe('8');
    expect(first.headers.get('ratelimit-remaining')).toBe('7');
    expect(Number(first.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
    const create = await post(rpc('tools/call', { name: 'plan_create', arguments: { prompt: 'Rate limited plan' } }));
    expect(create.headers.get('ratelimit-remaining')).toBe('2');
    const again = await post(rpc('tools/call', { name: 'plan_create', arguments: { prompt: 'Second plan' } }));
    expect(again.status).toBe(429);
    expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(again.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    // /mcp speaks JSON-RPC: the refusal is a JSON-RPC error answering the request's id (still 429 + Retry-After)
    expect(await again.json()).toEqual({
      jsonrpc: '2.0',
      error: { code: -32029, message: 'Rate limit exceeded', data: { code: 'RATE_LIMITED', retry_after_seconds: Number(again.headers.get('retry-after')) } },
      id: 1,
    });
    // the refused plan_create took nothing: two cheap calls still fit
    const list = () => post(rpc('tools/call', { name: 'plan_list', arguments: {} }));
    expect((await list()).status).toBe(200);
    expect((await list()).status).toBe(200);
    expect((await list()).status).toBe(429);
    const refused = await fetch(`${srv.url}/mcp/`, { method: 'POST', headers: { ...H, 'x-api-key': other.key }, body: JSON.stringify({ jsonrpc: '2.0', id: 'abc-7', method: 'tools/call', params: { name: 'plan_list', arguments: {} } }) });
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as any).id).toBe('abc-7');
    // a 2026-07-28 request the edge classified from its headers alone (body unread) still gets its id back
    const modern = await fetch(`${srv.url}/mcp`, {
      method: 'POST',
      headers: { ...H, 'x-api-key': other.key, 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'plan_list' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 42, method: 'tools/call', params: { name: 'plan_list', arguments: {}, _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28' } } }),
    });
    expect(modern.status).toBe(429);
    expect(Number(modern.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await modern.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32029 }, id: 42 });
    // the real SDK client sees the refusal as an HTTP 429 error carrying that JSON-RPC body
    const client = await connectClient(srv.mcpUrl, { 'x-api-key': other.key });
    try {
      const err = (await client.callTool({ name: 'plan_list', arguments: {} }).catch((e: unknown) => e)) as Error & { code?: number };
      expect(err).toBeInstanceOf(Error);
      expect(err.code).toBe(429); // the SDK's StreamableHTTPError carries the HTTP status
      expect(err.message).toContain('"code":-32029');
    } finally {
      await client.close();
    }
    // the REST bridge keeps its REST-shaped refusal
    const restRefused = await fetch(`${srv.url}/mcp/tools/call`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': other.key }, body: JSON.stringify({ tool: 'plan_list', arguments: {} }) });
    expect(restRefused.status).toBe(429);
    expect(await restRefused.json()).toEqual({ error: { code: 'RATE_LIMITED', message: 'Rate limit exceeded' }, detail: 'Rate limit exceeded' });
    // the handshake, ping and the listings spend nothing: still served with the budget used up; a batch only when
    // every member is free
    for (const m of ['ping', 'tools/list', 'prompts/list', 'resources/templates/list']) expect((await post(rpc(m))).status, m).toBe(200);
    expect((await post(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }))).status).toBe(202);
    expect((await post(JSON.stringify([JSON.parse(rpc('ping')), JSON.parse(rpc('tools/list'))]))).status).not.toBe(429);
    expect((await post(JSON.stringify([JSON.parse(rpc('ping')), JSON.parse(rpc('tools/call', { name: 'plan_list', arguments: {} }))]))).status).toBe(429);
    // another key has its own budget; discovery is never limited
    expect((await fetch(`${srv.url}/mcp/`, { method: 'POST', headers: { ...H, 'x-api-key': user.key }, body: rpc('ping') })).status).toBe(200);
    for (let i = 0; i < 10; i++) expect((await fetch(`${srv.url}/healthcheck`)).status).toBe(200);
  });

  it('limits downloads on their own budget', async () => {
    const third = await createUserWithKey(dbh.db, 1);
    const get = () => fetch(`${srv.url}/download/11111111-2222-4333-8444-555555555555/report.html`, { headers: { 'x-api-key': third.key } });
    expect((await get()).status).toBe(404);
    expect((await get()).status).toBe(404);
    const refused = await get();
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as any).detail).toBe('Download rate limit exceeded');
  });

  it('reports health with dependencies, and liveness/readiness probes', async () => {
    const h = (await (await fetch(`${srv.url}/healthcheck`)).json()) as any;
    expect(h).toEqual({ status: 'healthy', service: 'planexe-mcp-cloud', authentication_required: true, dependencies: { database: 'ok', bus: 'ok' } });
    expect((await fetch(`${srv.url}/livez`)).status).toBe(200);
    expect((await fetch(`${srv.url}/readyz`)).status).toBe(200);
    srv.standalone.lifecycle.markStopping();
    const r = await fetch(`${srv.url}/readyz`);
    expect([r.status, ((await r.json()) as any).status]).toEqual([503, 'stopping']);
    expect((await fetch(`${srv.url}/livez`)).status).toBe(200);
  });

  it('a revoked key stops working within the key cache lifetime (5 s)', async () => {
    const k = await createUserWithKey(dbh.db, 1);
    const list = () => fetch(`${srv.url}/mcp/tools`, { headers: { 'x-api-key': k.key } });
    expect((await list()).status).toBe(200);
    await revokeApiKey(dbh.db, k.keyRow.id);
    const t0 = Date.now();
    while ((await list()).status === 200) {
      expect(Date.now() - t0).toBeLessThan(5_500);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect((await list()).status).toBe(403);
  });
});

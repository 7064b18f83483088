import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createTestPgliteDb } from '@planexe/testing/infra';
import { revokeApiKey, type DbHandle } from '@planexe/db';
import { startTestServer, connectClient, createUserWithKey, payloadOf, type TestServer } from '../../../tests/harness/testServer.ts';

const SHARED = 'shared-secret-for-tests';
const H = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const call = (name: string, args: Record<string, unknown> = {}, id = 7) =>
  JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });

describe('edge authentication (auth required)', () => {
  let dbh: DbHandle;
  let srv: TestServer;
  let user: Awaited<ReturnType<typeof createUserWithKey>>;
  beforeAll(async () => {
    dbh = await createTestPgliteDb();
    srv = await startTestServer(dbh, { PLANEXE_MCP_REQUIRE_AUTH: 'true', PLANEXE_MCP_API_KEY: SHARED });
    user = await createUserWithKey(dbh.db);
  });
  afterAll(async () => {
    await srv?.close();
    await dbh?.close();
  });
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${srv.url}${path}`, { method: 'POST', headers: { ...H, ...headers }, body });

  it('handshake, listing and the open tools need no key', async () => {
    const c = await connectClient(srv.mcpUrl);
    expect((await c.listTools()).tools).toHaveLength(11);
    expect(payloadOf(await c.callTool({ name: 'example_prompts', arguments: {} })).samples.length).toBeGreaterThan(0);
    await c.close();
    expect((await fetch(`${srv.url}/mcp/tools`)).status).toBe(200);
    expect((await post('/mcp/tools/call', JSON.stringify({ tool: 'model_profiles', arguments: {} }))).status).toBe(200);
  });

  it('a protected tool without a key is refused: JSON-RPC -32001 on /mcp, 401 on REST', async () => {
    for (const path of ['/mcp', '/mcp/']) {
      const res = await post(path, call('plan_create', { prompt: 'x' }));
      expect(res.status).toBe(200);
      expect(await res.json() as any).toEqual({
        jsonrpc: '2.0',
        error: { code: -32001, message: 'Missing API key. Create an API key at https://home.planexe.org/' },
        id: 7,
      });
    }
    const rest = await post('/mcp/tools/call', JSON.stringify({ tool: 'plan_list', arguments: {} }));
    expect(rest.status).toBe(401);
    expect((await rest.json() as any).error.code).toBe('UNAUTHORIZED');
    const none = await dbh.db.selectFrom('plans').select('id').execute();
    expect(none).toHaveLength(0);
  });

  it('a wrong or revoked key is refused even on open requests; a mixed batch needs a key', async () => {
    const wrong = await post('/mcp/', JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }), { 'x-api-key': 'pex_wrong' });
    expect((await wrong.json() as any).error.code).toBe(-32001);
    const revoked = await createUserWithKey(dbh.db);
    await revokeApiKey(dbh.db, revoked.keyRow.id);
    const r = await post('/mcp/tools/call', JSON.stringify({ tool: 'plan_list', arguments: {} }), { 'x-api-key': revoked.key });
    expect(r.status).toBe(403);
    const mixed = await post('/mcp/', JSON.stringify([{ jsonrpc: '2.0', id: 1, method: 'tools/list' }, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'plan_list' } }]));
    expect((await mixed.json() as any).error.code).toBe(-32001);
  });

  it('a user key works in every accepted header form, and the shared secret works without identity', async () => {
    for (const headers of [{ 'x-api-key': user.key }, { authorization: `Bearer ${user.key}` }, { 'api-key': `"${user.key}"` }] as Record<string, string>[]) {
      const res = await post('/mcp/', call('plan_list', {}), headers);
      const body = await res.json() as any;
      expect(body.result?.isError, JSON.stringify(body)).toBe(false);
    }
    const c = await connectClient(srv.mcpUrl, { 'X-API-Key': SHARED });
    const created = payloadOf(await c.callTool({ name: 'plan_create', arguments: { prompt: 'Shared-secret plan' } }));
    await c.close();
    const row = await dbh.db.selectFrom('plans').select('user_id').where('id', '=', created.plan_id).executeTakeFirstOrThrow();
    expect(row.user_id).toBe('admin');
    const asUser = await connectClient(srv.mcpUrl, { 'X-API-Key': user.key });
    const seen = payloadOf(await asUser.callTool({ name: 'plan_status', arguments: { plan_id: created.plan_id } }));
    await asUser.close();
    expect(seen.error.code).toBe('PLAN_NOT_FOUND');
  });

  it('OPTIONS needs no key', async () => {
    expect((await fetch(`${srv.url}/mcp/`, { method: 'OPTIONS' })).status).toBe(200);
  });
});

describe('edge authentication (auth off)', () => {
  let dbh: DbHandle;
  let srv: TestServer;
  beforeAll(async () => {
    dbh = await createTestPgliteDb();
    srv = await startTestServer(dbh, { PLANEXE_MCP_REQUIRE_AUTH: 'false', PLANEXE_MCP_API_KEY: SHARED });
  });
  afterAll(async () => {
    await srv?.close();
    await dbh?.close();
  });

  it('no key is anonymous; the shared secret is rejected as a key; a user key attributes the plan', async () => {
    const ok = await fetch(`${srv.url}/mcp/`, { method: 'POST', headers: H, body: call('plan_list') });
    expect((await ok.json() as any).result.isError).toBe(false);
    const shared = await fetch(`${srv.url}/mcp/tools/call`, { method: 'POST', headers: { ...H, 'x-api-key': SHARED }, body: JSON.stringify({ tool: 'plan_list', arguments: {} }) });
    expect(shared.status).toBe(403);
    const u = await createUserWithKey(dbh.db);
    const c = await connectClient(srv.mcpUrl, { 'X-API-Key': u.key });
    const created = payloadOf(await c.callTool({ name: 'plan_create', arguments: { prompt: 'Attributed plan' } }));
    await c.close();
    const row = await dbh.db.selectFrom('plans').select('user_id').where('id', '=', created.plan_id).executeTakeFirstOrThrow();
    expect(row.user_id).toBe(u.user.id);
  });
});

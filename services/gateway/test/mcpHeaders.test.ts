/**
 * The MCP request headers at the edge (issue 15): header/body agreement (-32020 on every protocol version when the
 * edge reads the body), a header only ever raising a request's cost, never exempting it from auth or budget, the
 * 2026-07-28 methods' auth classes, and CORS for the new headers. Standalone app, auth on, in-memory limiter.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createTestPgliteDb } from '@planexe/testing/infra';
import type { DbHandle } from '@planexe/db';
import { startTestServer, createUserWithKey, type TestServer } from '../../../tests/harness/testServer.ts';

const H = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const ALLOWED = 'https://app.example';
const call = (name: string, id: number | string = 7) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: {} } });
const req = (method: string, id: number | string = 7) => ({ jsonrpc: '2.0', id, method, params: {} });

describe('MCP headers at the edge (standalone, auth on)', () => {
  let dbh: DbHandle;
  let srv: TestServer;
  beforeAll(async () => {
    dbh = await createTestPgliteDb();
    srv = await startTestServer(dbh, {
      PLANEXE_MCP_REQUIRE_AUTH: 'true',
      PLANEXE_MCP_HTTP_HOST: '0.0.0.0',
      PLANEXE_MCP_CORS_ORIGINS: `["${ALLOWED}"]`,
      PLANEXE_MCP_RATE_LIMIT: '20',
      PLANEXE_MCP_RATE_WINDOW_SECONDS: '60',
      PLANEXE_MCP_PLAN_CREATE_COST: '5',
    });
  });
  afterAll(async () => {
    await srv?.close();
    await dbh?.close();
  });

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${srv.url}/mcp`, { method: 'POST', headers: { ...H, ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  /** What the key had left before this probe (a plan_list, which costs 1). */
  const remaining = async (key: string) => {
    const r = await post(call('plan_list', 99), { 'x-api-key': key });
    return Number(r.headers.get('ratelimit-remaining')) + 1;
  };

  it.each([
    ['2025-11-25', 'Mcp-Method says tools/list, the body tools/call', { 'mcp-protocol-version': '2025-11-25', 'mcp-method': 'tools/list' }, call('plan_create')],
    ['2025-11-25', 'Mcp-Method says initialize, the body tools/call', { 'mcp-method': 'initialize' }, call('plan_create')],
    ['2025-06-18', 'Mcp-Name says plan_status, the body plan_create', { 'mcp-protocol-version': '2025-06-18', 'mcp-method': 'tools/call', 'mcp-name': 'plan_status' }, call('plan_create')],
    ['2025-11-25', 'Mcp-Name is an invalid Base64 sentinel', { 'mcp-method': 'tools/call', 'mcp-name': '=?base64?!!!?=' }, call('plan_list')],
    ['2026-07-28', 'a batch behind a modern tools/call header', { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'plan_status' }, [call('plan_create', 1), call('plan_create', 2)]],
    ['2026-07-28', 'a free method claimed for tools/call', { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'server/discover' }, call('plan_create')],
  ])('%s: %s → 400 -32020 with the id, with or without a key, no budget spent', async (_v, _what, headers, body) => {
    const { key } = await createUserWithKey(dbh.db, 100);
    const before = await remaining(key);
    for (const auth of [{}, { 'x-api-key': key }] as Record<string, string>[]) {
      const r = await post(body, { ...headers, ...auth });
      expect(r.status).toBe(400);
      const j: any = await r.json();
      expect(j.error.code).toBe(-32020);
      expect(j.id).toBe(Array.isArray(body) ? 1 : 7);
    }
    expect(await remaining(key)).toBe(before - 1); // only the first probe's plan_list
  });

  it('agreeing headers pass on to the server (2025 revision, keyless public listing)', async () => {
    const r = await post(req('tools/list'), { 'mcp-protocol-version': '2025-11-25', 'mcp-method': 'tools/list' });
    expect(r.status).toBe(200);
    expect(JSON.stringify(await r.json())).not.toContain('-32020');
  });

  it('the hot path charges what the header claims without parsing, and a claim never lowers the price', async () => {
    const { key } = await createUserWithKey(dbh.db, 100);
    const before = await remaining(key);
    const modern = { 'x-api-key': key, 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call' };
    // the header names plan_create: charged as plan_create whatever the body (the server refuses the disagreement)
    await post(call('plan_status'), { ...modern, 'mcp-name': 'plan_create' });
    expect(await remaining(key)).toBe(before - 5 - 1);
    // no Mcp-Name: it may be plan_create, so it is charged as one
    await post(call('plan_status'), modern);
    expect(await remaining(key)).toBe(before - 5 - 1 - 5 - 1);
  });

  it('2026-07-28 has no handshake to hide behind: keyless tool calls and subscriptions/listen need a key', async () => {
    const modern = { 'mcp-protocol-version': '2026-07-28' };
    for (const [body, headers] of [
      [call('plan_create'), { ...modern, 'mcp-method': 'tools/call', 'mcp-name': 'plan_create' }],
      [req('subscriptions/listen'), { ...modern, 'mcp-method': 'subscriptions/listen' }],
      [req('subscriptions/listen'), {}],
    ] as const) {
      const r = await post(body, headers);
      expect(r.status).toBe(200);
      expect(((await r.json()) as any).error.code).toBe(-32001);
    }
    // server/discover takes initialize's place among the public methods
    const discover = await post(req('server/discover'), { 'mcp-method': 'server/discover' });
    expect(JSON.stringify(await discover.json())).not.toContain('-32001');
  });

  it('CORS: a preflight may list the MCP headers, and a browser may read the session id and protocol version', async () => {
    const asked = 'content-type, mcp-protocol-version, mcp-method, mcp-name, mcp-session-id';
    const pre = await fetch(`${srv.url}/mcp`, { method: 'OPTIONS', headers: { origin: ALLOWED, 'access-control-request-method': 'DELETE', 'access-control-request-headers': asked } });
    expect(pre.status).toBe(200);
    expect(pre.headers.get('access-control-allow-headers')).toBe(asked);
    expect(pre.headers.get('access-control-allow-methods')).toContain('DELETE');
    const r = await post(req('tools/list'), { origin: ALLOWED });
    expect(r.headers.get('access-control-expose-headers')).toContain('Mcp-Session-Id');
    expect(r.headers.get('access-control-expose-headers')).toContain('MCP-Protocol-Version');
  });
});

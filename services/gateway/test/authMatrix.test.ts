/**
 * The authentication matrix of spec/http.md §3, run against both run modes: the standalone app (edge in front of
 * the in-process services) and the distributed gateway proxying to a separately listening tools service. In
 * distributed mode downloads reach a stand-in artifacts service that echoes the caller it was given; in standalone
 * the real artifacts service answers, and ownership shows the caller (own plan: no report yet; other: no plan).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createTestPgliteDb } from '@planexe/testing/infra';
import { CALLER_HEADER, INTERNAL_SECRET_HEADER, MISSING_KEY, INVALID_KEY, INVALID_KEY_LOCAL } from '@planexe/auth';
import { PUBLIC_TOOLS, TOOL_NAMES } from '@planexe/contracts';
import { insertPlan, revokeApiKey, type DbHandle } from '@planexe/db';
import { startTestServer, createUserWithKey } from '../../../tests/harness/testServer.ts';
import { INTERNAL_SECRET, listen, startDistributed, type Listening } from '../../../tests/harness/distributedServer.ts';

const SHARED = 'shared-secret-for-the-matrix';
const H = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const PLAN = '11111111-2222-4333-8444-555555555555';
const PROTECTED = TOOL_NAMES.filter((t) => !PUBLIC_TOOLS.includes(t));
const ARGS: Record<string, Record<string, unknown>> = {
  plan_create: { prompt: 'A plan made while testing the auth matrix' },
  plan_list: {},
  send_feedback: { category: 'mcp', message: 'matrix' },
  plan_file_info: { plan_id: PLAN },
};
const argsOf = (tool: string) => ARGS[tool] ?? { plan_id: PLAN };
const rpcBody = (method: string, params: unknown = {}, id: unknown = 7) => JSON.stringify({ jsonrpc: '2.0', id, method, params });
const EXEMPT_METHODS: [string, unknown][] = [
  ['initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'matrix', version: '1' } }],
  ['tools/list', {}],
  ['prompts/list', {}],
  ['prompts/get', { name: 'getting_started' }],
  ['resources/templates/list', {}],
  ['ping', {}],
];

type Mode = 'standalone' | 'distributed';
interface Srv {
  url: string;
  close(): Promise<void>;
}

/** Who a download reached the artifacts service as: the echoed caller (distributed) or the ownership answer (standalone). */
async function downloadSeenAs(mode: Mode, url: string, headers: Record<string, string> = {}): Promise<any> {
  const res = await fetch(url, { headers });
  const body = (await res.json()) as any;
  return mode === 'distributed' ? body.caller : body.detail;
}

/** Stand-in artifacts and stream service (distributed mode): answers every request with the caller it received. */
const echoServer = () =>
  listen((req, res) => {
    const ok = req.headers[INTERNAL_SECRET_HEADER] === INTERNAL_SECRET;
    res.writeHead(ok ? 200 : 403, { 'content-type': 'application/json' });
    const caller = req.headers[CALLER_HEADER];
    res.end(JSON.stringify({ caller: ok && typeof caller === 'string' ? JSON.parse(caller) : null }));
  });

async function start(mode: Mode, dbh: DbHandle, env: Record<string, string>): Promise<Srv> {
  if (mode === 'standalone') return startTestServer(dbh, env);
  const echo: Listening = await echoServer();
  const d = await startDistributed(dbh, { env, artifacts: echo.url, stream: echo.url });
  return { url: d.url, close: async () => (await d.close(), await echo.close()) };
}

describe.each(['standalone', 'distributed'] as Mode[])('auth matrix, auth required (%s)', (mode) => {
  let dbh: DbHandle;
  let srv: Srv;
  let user: Awaited<ReturnType<typeof createUserWithKey>>;
  let revokedKey: string;
  beforeAll(async () => {
    dbh = await createTestPgliteDb();
    srv = await start(mode, dbh, { PLANEXE_MCP_REQUIRE_AUTH: 'true', PLANEXE_MCP_API_KEY: SHARED });
    user = await createUserWithKey(dbh.db, 100);
    const revoked = await createUserWithKey(dbh.db);
    await revokeApiKey(dbh.db, revoked.keyRow.id);
    revokedKey = revoked.key;
  });
  afterAll(async () => {
    await srv?.close();
    await dbh?.close();
  });
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${srv.url}${path}`, { method: 'POST', headers: { ...H, ...headers }, body });
  const rest = (tool: string, headers: Record<string, string> = {}) => post('/mcp/tools/call', JSON.stringify({ tool, arguments: argsOf(tool) }), headers);
  const rpcRefusal = (message: string) => ({ jsonrpc: '2.0', error: { code: -32001, message }, id: 7 });

  it('every exempt JSON-RPC method and open tool needs no key, on /mcp and /mcp/', async () => {
    for (const path of ['/mcp', '/mcp/']) {
      for (const [method, params] of EXEMPT_METHODS) {
        const res = await post(path, rpcBody(method, params));
        const body = (await res.json()) as any;
        expect(body.error, `${path} ${method}`).toBeUndefined();
        expect(body.result, `${path} ${method}`).toBeDefined();
      }
      const note = await post(path, JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
      expect(note.status).toBe(202);
      for (const tool of PUBLIC_TOOLS) {
        const body = (await (await post(path, rpcBody('tools/call', { name: tool, arguments: {} }))).json()) as any;
        expect(body.result?.isError, `${path} ${tool}`).toBe(false);
      }
    }
  });

  it('GET/HEAD /mcp(/), GET /mcp/tools and the open tools on the REST bridge need no key', async () => {
    for (const path of ['/mcp', '/mcp/']) {
      expect((await fetch(`${srv.url}${path}`, { method: 'HEAD' })).status).toBe(200);
      const get = await fetch(`${srv.url}${path}`, { headers: { accept: 'text/event-stream' } });
      expect(get.status).toBe(200);
      await get.body?.cancel();
    }
    expect((await fetch(`${srv.url}/mcp/tools`)).status).toBe(200);
    for (const tool of PUBLIC_TOOLS) {
      const res = await post('/mcp/tools/call', JSON.stringify({ tool, arguments: {} }));
      expect(res.status, tool).toBe(200);
    }
  });

  it('methods outside the exempt list, mixed batches and unparsable bodies need a key', async () => {
    for (const body of [
      rpcBody('resources/read', { uri: 'x' }),
      rpcBody('resources/list', {}),
      rpcBody('completion/complete', {}),
      rpcBody('logging/setLevel', { level: 'info' }),
      JSON.stringify([{ jsonrpc: '2.0', id: 7, method: 'tools/list' }, { jsonrpc: '2.0', id: 8, method: 'tools/call', params: { name: 'plan_list' } }]),
      '{not json',
    ]) {
      const res = await post('/mcp/', body);
      expect(res.status).toBe(200);
      expect(((await res.json()) as any).error).toMatchObject({ code: -32001, message: MISSING_KEY });
    }
  });

  it.each(PROTECTED)('%s: refused without a key, with a wrong key and with a revoked key', async (tool) => {
    for (const [headers, message, status] of [
      [{}, MISSING_KEY, 401],
      [{ 'x-api-key': 'pex_wrong_key_for_matrix' }, INVALID_KEY, 403],
      [{ authorization: `Bearer ${revokedKey}` }, INVALID_KEY, 403],
    ] as [Record<string, string>, string, number][]) {
      for (const path of ['/mcp', '/mcp/']) {
        const res = await post(path, rpcBody('tools/call', { name: tool, arguments: argsOf(tool) }), headers);
        expect(res.status).toBe(200);
        expect(await res.json()).toEqual(rpcRefusal(message));
      }
      const r = await rest(tool, headers);
      expect(r.status).toBe(status);
      expect(await r.json()).toEqual({ error: { code: status === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN', message }, detail: message });
    }
  });

  it.each(PROTECTED)('%s: served with a user key and with the shared key', async (tool) => {
    for (const headers of [{ 'x-api-key': user.key }, { 'x-api-key': SHARED }, { authorization: `Bearer ${user.key}` }] as Record<string, string>[]) {
      const body = (await (await post('/mcp/', rpcBody('tools/call', { name: tool, arguments: argsOf(tool) }), headers)).json()) as any;
      expect(body.result, JSON.stringify(body)).toBeDefined();
      const r = await rest(tool, headers);
      expect(r.status).toBe(200);
    }
  });

  it('a bad key is reported even on an exempt request', async () => {
    const body = (await (await post('/mcp/', rpcBody('tools/list'), { 'x-api-key': 'pex_bad' })).json()) as any;
    expect(body.error).toMatchObject({ code: -32001, message: INVALID_KEY });
    expect((await fetch(`${srv.url}/mcp/tools`, { headers: { 'x-api-key': 'pex_bad' } })).status).toBe(403);
  });

  it('downloads need a key (or a valid token); the artifacts service is told who is calling', async () => {
    const own = await insertPlan(dbh.db, { prompt: 'Owned by the matrix user', userId: user.user.id, apiKeyId: user.keyRow.id, parameters: {} });
    const url = `${srv.url}/download/${own.id}/report.html`;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { 'x-api-key': 'pex_wrong' } })).status).toBe(403);
    const asUser = await downloadSeenAs(mode, url, { 'x-api-key': user.key });
    const asShared = await downloadSeenAs(mode, url, { 'x-api-key': SHARED });
    if (mode === 'distributed') {
      expect(asUser).toMatchObject({ kind: 'user', owner: user.user.id, userId: user.user.id, apiKeyId: user.keyRow.id });
      expect(asShared).toMatchObject({ kind: 'shared', owner: 'admin', userId: null });
    } else {
      expect(asUser).toBe('Report not found'); // the owner's plan, without a report yet
      expect(asShared).toBe('Plan not found'); // the shared key owns only admin plans
    }
  });

  it('OPTIONS needs no key', async () => {
    for (const path of ['/mcp', '/mcp/', '/mcp/tools/call', `/download/${PLAN}/report.html`]) {
      const res = await fetch(`${srv.url}${path}`, { method: 'OPTIONS' });
      expect(res.status, path).not.toBe(401);
      expect(res.status, path).toBeLessThan(500);
    }
  });

  it('look-alike paths match no route: 404 before auth, with or without a key', async () => {
    for (const path of ['/mcp/foo', '/mcpx', '/downloads', '/download/x', '/MCP/tools/call', '/mcp/tools/']) {
      for (const headers of [{}, { 'x-api-key': user.key }, { 'x-api-key': 'pex_wrong' }] as Record<string, string>[]) {
        const res = await fetch(`${srv.url}${path}`, { headers });
        expect(res.status, path).toBe(404);
        expect(((await res.json()) as any).error.code).toBe('NOT_FOUND');
      }
    }
  });
});

describe.each(['standalone', 'distributed'] as Mode[])('auth matrix, auth off (%s)', (mode) => {
  let dbh: DbHandle;
  let srv: Srv;
  beforeAll(async () => {
    dbh = await createTestPgliteDb();
    srv = await start(mode, dbh, { PLANEXE_MCP_REQUIRE_AUTH: 'false', PLANEXE_MCP_API_KEY: SHARED });
  });
  afterAll(async () => {
    await srv?.close();
    await dbh?.close();
  });
  const rest = (tool: string, headers: Record<string, string> = {}) =>
    fetch(`${srv.url}/mcp/tools/call`, { method: 'POST', headers: { ...H, ...headers }, body: JSON.stringify({ tool, arguments: argsOf(tool) }) });

  it('no key is anonymous, a user key is attributed, the shared key and wrong keys are refused', async () => {
    expect((await rest('plan_list')).status).toBe(200);
    const u = await createUserWithKey(dbh.db, 10);
    const own = await insertPlan(dbh.db, { prompt: 'Owned by u', userId: u.user.id, apiKeyId: u.keyRow.id, parameters: {} });
    const url = `${srv.url}/download/${own.id}/run.zip`;
    const asUser = await downloadSeenAs(mode, url, { 'x-api-key': u.key });
    const anon = await downloadSeenAs(mode, url);
    if (mode === 'distributed') {
      expect(asUser.userId).toBe(u.user.id);
      expect(anon).toMatchObject({ kind: 'anonymous', owner: 'admin' });
    } else {
      expect(asUser).toBe('Report not found');
      expect(anon).toBe('Plan not found');
    }
    for (const key of [SHARED, 'pex_wrong']) {
      const r = await rest('plan_list', { 'x-api-key': key });
      expect(r.status).toBe(403);
      expect(((await r.json()) as any).detail).toBe(INVALID_KEY_LOCAL);
    }
  });
});

/**
 * Regressions for each reproduction of issue 11 (and the two edge items of issue 12): case variants of the MCP paths,
 * idle MCP streams past the SSE caps, NUL and invalid Unicode in ids and strings, PROPFIND on /healthcheck, security
 * headers on /docs, /openapi.json and example reports, the DNS-rebinding guard for every loopback spelling of the
 * bind address, failed-auth throttling, download-token secrets, the handshake's free budget and initialize without
 * params.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DownloadTokens, FailedAuthThrottle, KeyCache, KeyDirectory, hashApiKey } from '@planexe/auth';
import { insertPlan, revokeApiKey, setExample, type DbHandle } from '@planexe/db';
import { MemoryLimits } from '@planexe/infra';
import { createTestPgliteDb } from '@planexe/testing/infra';
import { createUserWithKey, startTestServer, TEST_SECRET, type TestServer } from '../harness/testServer.ts';
import { startGateway } from '../harness/distributedServer.ts';
import { sendRaw } from './sendRaw.ts';

const countPlans = async (db: DbHandle['db']) => Number((await sql<{ n: string }>`select count(*) as n from plans`.execute(db)).rows[0].n);
const AUTH = { PLANEXE_MCP_REQUIRE_AUTH: 'true', PLANEXE_API_KEY_SECRET: TEST_SECRET };
const rest = (tool: string, args: Record<string, unknown>) => JSON.stringify({ tool, arguments: args });
const rpc = (method: string, params?: unknown, id = 1) => JSON.stringify({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) });
const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

describe('security regressions (standalone, auth required)', () => {
  let dbh: DbHandle;
  let srv: TestServer;
  let user: Awaited<ReturnType<typeof createUserWithKey>>;
  beforeAll(async () => {
    dbh = await createTestPgliteDb();
    srv = await startTestServer(dbh, { ...AUTH, PLANEXE_SSE_MAX_CONNECTIONS: '3', PLANEXE_SSE_MAX_DURATION: '2' });
    user = await createUserWithKey(dbh.db, 100);
  }, 60_000);
  afterAll(async () => {
    await srv?.close();
    await dbh?.close();
  });

  it('case variants of the MCP paths are no route: 404 before auth, and plan_create never runs', async () => {
    const before = await countPlans(dbh.db);
    for (const path of ['/MCP/tools/call', '/Mcp/tools/call', '/mcP/tools/call', '/MCP/TOOLS/CALL', '/mcp/Tools/call', '/MCP', '/Mcp/', '/mcP/']) {
      for (const method of ['POST', 'GET']) {
        const r = await sendRaw(srv.url, { method, path, headers: JSON_HEADERS, body: method === 'POST' ? rest('plan_create', { prompt: 'Unauthenticated plan: a small bakery in Aarhus with two staff.' }) : undefined });
        expect(r.status, `${method} ${path}`).toBe(404);
        expect(JSON.parse(r.body).error.code).toBe('NOT_FOUND');
      }
    }
    expect(await countPlans(dbh.db)).toBe(before);
    // the exact spelling is the protected route
    const exact = await sendRaw(srv.url, { method: 'POST', path: '/mcp/tools/call', headers: JSON_HEADERS, body: rest('plan_create', { prompt: 'x' }) });
    expect(exact.status).toBe(401);
  });

  it('PROPFIND on /healthcheck is 405 with Allow; OPTIONS lists the methods; an unknown path is 404', async () => {
    const r = await sendRaw(srv.url, { method: 'PROPFIND', path: '/healthcheck' });
    expect(r.status).toBe(405);
    expect(r.headers.allow).toBe('GET, HEAD, OPTIONS');
    const o = await sendRaw(srv.url, { method: 'OPTIONS', path: '/mcp', body: 'x' });
    expect([o.status, o.headers.allow]).toEqual([200, 'POST, HEAD, DELETE, GET, OPTIONS']);
    expect((await sendRaw(srv.url, { method: 'PROPFIND', path: '/nowhere' })).status).toBe(404);
  });

  it('idle GET /mcp streams count against the per-address SSE cap (429 SSE_CONNECTION_LIMIT) and end at PLANEXE_SSE_MAX_DURATION', async () => {
    const open = () => fetch(`${srv.url}/mcp`, { headers: { accept: 'text/event-stream' } });
    const held = [await open(), await open(), await open()];
    expect(held.map((r) => r.status)).toEqual([200, 200, 200]);
    const refused = await open();
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as any).error.code).toBe('SSE_CONNECTION_LIMIT');
    // plan streams share the cap
    const plan = await fetch(`${srv.url}/sse/plan/11111111-2222-4333-8444-555555555555`);
    expect(plan.status).toBe(429);
    await plan.body?.cancel();
    // every stream ends by itself at the maximum duration (2 s), and the slots come back
    const t0 = Date.now();
    const texts = await Promise.all(held.map((r) => r.text()));
    expect(Date.now() - t0).toBeLessThan(5_000);
    for (const t of texts) expect(t).toContain('maximum stream duration');
    const again = await open();
    expect(again.status).toBe(200);
    await again.body?.cancel();
  });

  it('idle GET /mcp streams are closed on shutdown with a reconnect comment', async () => {
    const db2 = await createTestPgliteDb();
    const s2 = await startTestServer(db2, AUTH);
    try {
      const r = await fetch(`${s2.url}/mcp/`, { headers: { accept: 'text/event-stream' } });
      expect(r.status).toBe(200);
      const text = r.text();
      await s2.standalone.close();
      expect(await text).toContain('reconnect: this server is shutting down');
    } finally {
      await s2.close().catch(() => {});
      await db2.close();
    }
  });

  it('a NUL byte or a lone surrogate in an id or string is the field\'s contract error, never INTERNAL_ERROR', async () => {
    const h = { ...JSON_HEADERS, 'x-api-key': user.key };
    for (const tool of ['plan_status', 'plan_stop', 'plan_retry', 'plan_resume', 'plan_file_info']) {
      for (const id of ['a\u0000b', '\ud800abc']) {
        const r = await sendRaw(srv.url, { method: 'POST', path: '/mcp/tools/call', headers: h, body: rest(tool, { plan_id: id }) });
        expect(r.status, tool).toBe(200);
        expect(JSON.parse(r.body).error?.code, tool).toBe('PLAN_NOT_FOUND');
      }
    }
    const create = await sendRaw(srv.url, { method: 'POST', path: '/mcp/tools/call', headers: h, body: rest('plan_create', { prompt: 'A bakery\u0000 in Aarhus' }) });
    expect(JSON.parse(create.body).error?.code).toBe('INVALID_ARGUMENT');
    const viaMcp = await sendRaw(srv.url, { method: 'POST', path: '/mcp/', headers: h, body: rpc('tools/call', { name: 'plan_stop', arguments: { plan_id: 'a\u0000b' } }) });
    expect(JSON.parse(JSON.parse(viaMcp.body).result.content[0].text).error.code).toBe('PLAN_NOT_FOUND');
    // in a path: no route (the parameter may not hold a control character)
    expect((await sendRaw(srv.url, { method: 'GET', path: '/download/a%00b/report.html', headers: { 'x-api-key': user.key } })).status).toBe(404);
  });

  it('security headers on /docs, /openapi.json and the published example reports (CSP with frame-ancestors, nosniff)', async () => {
    const docs = await fetch(`${srv.url}/docs`);
    expect(docs.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
    expect(docs.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(docs.headers.get('x-content-type-options')).toBe('nosniff');
    const api = await fetch(`${srv.url}/openapi.json`);
    expect(api.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(api.headers.get('x-content-type-options')).toBe('nosniff');
    const plan = await insertPlan(dbh.db, { prompt: 'example', userId: 'admin', apiKeyId: null, parameters: {} });
    await sql`update plans set state = 'completed', generated_report_html = ${'<html><script>1</script></html>'} where id = ${plan.id}`.execute(dbh.db);
    await setExample(dbh.db, plan.id, true);
    const report = await fetch(`${srv.url}/examples/${plan.id}/report.html`);
    expect(report.status).toBe(200);
    expect(report.headers.get('content-security-policy')).toMatch(/^sandbox allow-scripts/);
    expect(report.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
    expect(report.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('handshake and listing traffic spends no budget; initialize without params is -32602 with a readable message', async () => {
    const db2 = await createTestPgliteDb();
    const s2 = await startTestServer(db2, { ...AUTH, PLANEXE_MCP_RATE_LIMIT: '2' });
    try {
      const post = (body: string) => sendRaw(s2.url, { method: 'POST', path: '/mcp', headers: JSON_HEADERS, body });
      const init = rpc('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } });
      for (let i = 0; i < 10; i++) {
        for (const b of [init, rpc('ping'), rpc('tools/list'), rpc('prompts/list'), rpc('resources/templates/list')]) {
          const r = await post(b);
          expect(r.status).toBe(200);
          expect(r.headers['ratelimit-limit']).toBeUndefined();
        }
      }
      const bare = await post(rpc('initialize'));
      expect(bare.status).toBe(200);
      const e = JSON.parse(bare.body).error;
      expect(e.code).toBe(-32602);
      expect(e.message).toMatch(/^Invalid params: initialize needs params/);
      const partial = JSON.parse((await post(rpc('initialize', { protocolVersion: '2025-06-18' }))).body).error;
      expect([partial.code, partial.message]).toEqual([-32602, 'Invalid params: initialize params lack capabilities, clientInfo']);
      // tool calls do spend it
      const call = () => post(rpc('tools/call', { name: 'example_prompts', arguments: {} }));
      expect((await call()).status).toBe(200);
      expect((await call()).status).toBe(200);
      expect((await call()).status).toBe(429);
    } finally {
      await s2.close();
      await db2.close();
    }
  });

  it("a client's answer (a JSON-RPC response POSTed to /mcp) is authenticated like any call, never public, and free", async () => {
    const answer = (id: string) => JSON.stringify({ jsonrpc: '2.0', id, result: { action: 'accept', content: { name: 'x' } } });
    const id = '0123456789ab.AAAAAAAAAAAAAAAAAAAAAA'; // a wire id no call holds
    const post = (headers: Record<string, string>, body = answer(id)) =>
      sendRaw(srv.url, { method: 'POST', path: '/mcp', headers: { ...JSON_HEADERS, 'mcp-protocol-version': '2025-11-25', ...headers }, body });
    // no key, a wrong key, a batch of answers, and a header claiming a public method: each refused like a call
    for (const [headers, body] of [
      [{}, answer(id)],
      [{ 'x-api-key': 'pex_wrongwrongwrongwrongwrongwrongwr' }, answer(id)],
      [{}, `[${answer(id)}]`],
      [{ 'mcp-method': 'tools/list' }, answer(id)],
      [{ 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/list' }, answer(id)],
    ] as [Record<string, string>, string][]) {
      const r = await post(headers, body);
      expect(r.status, body).toBe(200);
      expect(JSON.parse(r.body).error.code).toBe(-32001);
    }
    // with the key: taken (202, empty) whether or not a call waits on the id, and no budget spent
    const ok = await post({ 'x-api-key': user.key });
    expect(ok.status).toBe(202);
    expect(ok.body).toBe('');
    expect(ok.headers['ratelimit-limit']).toBeUndefined();
    // under a 2026-07-28 header (a revision without posted responses), whatever the method claimed: a bad request
    for (const method of ['tools/call', 'ping']) {
      const modern = await post({ 'x-api-key': user.key, 'mcp-protocol-version': '2026-07-28', 'mcp-method': method });
      expect(modern.status, method).toBe(400);
      expect(JSON.parse(modern.body).error.code, method).toBe(-32600);
    }
  });

  it('download tokens verify against the signing secret only (PLANEXE_DOWNLOAD_TOKEN_SECRET when set)', () => {
    const planId = '11111111-2222-4333-8444-555555555555';
    const edge = new DownloadTokens(['download-secret', 'api-key-secret'], 900);
    const byApiSecret = new DownloadTokens(['api-key-secret'], 900).sign(planId, 'report.html').token;
    expect(edge.verify(byApiSecret, planId, 'report.html')).toBe(false);
    expect(edge.verify(edge.sign(planId, 'report.html').token, planId, 'report.html')).toBe(true);
    // without a download secret, the API-key secret is the signing secret
    expect(new DownloadTokens([undefined, 'api-key-secret'], 900).verify(byApiSecret, planId, 'report.html')).toBe(true);
  });
});

describe('DNS-rebinding guard for every loopback spelling of the bind address', () => {
  let dbh: DbHandle;
  beforeAll(async () => {
    dbh = await createTestPgliteDb();
  });
  afterAll(async () => dbh?.close());

  it.each(['::ffff:127.0.0.1', '::1', '127.0.0.2', 'localhost', '127.0.0.1'])('bound to %s: a foreign Host is 421 and never reflected into download_url', async (bind) => {
    const srv = await startTestServer(dbh, { PLANEXE_MCP_HTTP_HOST: bind });
    try {
      const evil = await sendRaw(srv.url, { method: 'GET', path: '/healthcheck', headers: { host: 'evil.example' } });
      expect(evil.status).toBe(421);
      const evilPort = await sendRaw(srv.url, { method: 'POST', path: '/mcp/tools/call', headers: { ...JSON_HEADERS, host: `evil.example:${srv.port}` }, body: rest('plan_file_info', { plan_id: 'x' }) });
      expect(evilPort.status).toBe(421);
      const origin = await sendRaw(srv.url, { method: 'GET', path: '/healthcheck', headers: { host: `127.0.0.1:${srv.port}`, origin: 'https://evil.example' } });
      expect(origin.status).toBe(403);
      for (const host of [`127.0.0.1:${srv.port}`, `localhost:${srv.port}`, `[::1]:${srv.port}`, `[::ffff:127.0.0.1]:${srv.port}`]) {
        expect((await sendRaw(srv.url, { method: 'GET', path: '/healthcheck', headers: { host } })).status, host).toBe(200);
      }
    } finally {
      await srv.close();
    }
  });

  it('bound to 0.0.0.0 the guard is off (a public bind sits behind a proxy)', async () => {
    const srv = await startTestServer(dbh, { PLANEXE_MCP_HTTP_HOST: '0.0.0.0' });
    try {
      expect((await sendRaw(srv.url, { method: 'GET', path: '/healthcheck', headers: { host: 'mcp.example.org' } })).status).toBe(200);
    } finally {
      await srv.close();
    }
  });
});

describe('failed authentication is throttled per address; valid keys never are', () => {
  let dbh: DbHandle;
  beforeAll(async () => {
    dbh = await createTestPgliteDb();
  });
  afterAll(async () => dbh?.close());

  it('past the limit a wrong key is 429 without a lookup, while a valid key from the same address is served', async () => {
    const srv = await startTestServer(dbh, { ...AUTH, PLANEXE_MCP_RATE_LIMIT: '20', PLANEXE_MCP_RATE_WINDOW_SECONDS: '60' });
    try {
      const user = await createUserWithKey(dbh.db, 10);
      const get = (key: string) => sendRaw(srv.url, { method: 'GET', path: '/download/11111111-2222-4333-8444-555555555555/report.html', headers: { 'x-api-key': key } });
      const statuses: number[] = [];
      for (let i = 0; i < 25; i++) statuses.push((await get(`pex_guess_${i}`)).status);
      expect(statuses.slice(0, 20).every((s) => s === 403)).toBe(true);
      expect(statuses.slice(20).every((s) => s === 429)).toBe(true);
      const throttled = await get('pex_guess_more');
      expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
      expect(JSON.parse(throttled.body).error.code).toBe('RATE_LIMITED');
      // a valid key, never seen before by this process, from the throttled address: served (404: no such plan)
      expect((await get(user.key)).status).toBe(404);
      // and a key created after the throttle started
      const late = await createUserWithKey(dbh.db, 10);
      expect((await get(late.key)).status).toBe(404);
    } finally {
      await srv.close();
    }
  });

  it('the directory refreshes once for any number of concurrent misses, and finds a key created meanwhile', async () => {
    const dir = new KeyDirectory(dbh.db);
    const user = await createUserWithKey(dbh.db, 1);
    const misses = await Promise.all(Array.from({ length: 200 }, (_, i) => dir.mayExist(hashApiKey(`pex_nope_${i}`, TEST_SECRET))));
    expect(misses.every((m) => m === false)).toBe(true);
    expect(await dir.mayExist(hashApiKey(user.key, TEST_SECRET))).toBe(true);
    const throttle = new FailedAuthThrottle(new MemoryLimits(), dir, { limit: 1, windowSeconds: 60 });
    await throttle.failed('10.0.0.1');
    expect((await throttle.admit('10.0.0.1', hashApiKey('pex_nope', TEST_SECRET))).ok).toBe(false);
    expect((await throttle.admit('10.0.0.1', hashApiKey(user.key, TEST_SECRET))).ok).toBe(true);
    expect((await throttle.admit('10.0.0.2', hashApiKey('pex_nope', TEST_SECRET))).ok).toBe(true);
  });

  it('the key cache holds valid keys only: a flood of wrong keys cannot flush it', () => {
    const cache = new KeyCache(5_000, 100);
    const valid = { user: { id: 'u' } as any, apiKeyId: 'k' };
    cache.set('valid', valid);
    // wrong keys are never cached (resolveUserKey caches found keys only); valid ones evict the oldest, one at a time
    for (let i = 0; i < 99; i++) cache.set(`other-${i}`, valid);
    expect(cache.get('valid')).toBeDefined();
    cache.set('one-more', valid);
    expect(cache.size).toBe(100);
  });

  it('a revoked key stops working within 5 s on every replica', async () => {
    const user = await createUserWithKey(dbh.db, 10);
    const a = await startGateway(dbh, { env: { PLANEXE_MCP_REQUIRE_AUTH: 'true' } });
    const b = await startGateway(dbh, { env: { PLANEXE_MCP_REQUIRE_AUTH: 'true' } });
    try {
      const list = (url: string) => sendRaw(url, { method: 'GET', path: '/download/11111111-2222-4333-8444-555555555555/report.html', headers: { 'x-api-key': user.key } });
      // both replicas have the key cached (the artifacts upstream is closed: 502, but auth passed)
      for (const g of [a, b]) expect((await list(g.url)).status).not.toBe(403);
      await revokeApiKey(dbh.db, user.keyRow.id);
      await new Promise((r) => setTimeout(r, 5_200));
      for (const g of [a, b]) expect((await list(g.url)).status).toBe(403);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createTestPgliteDb } from '@planexe/testing/infra';
import type { DbHandle } from '@planexe/db';
import { TOOL_NAMES } from '@planexe/contracts';
import { startTestServer, type TestServer } from '../../../tests/harness/testServer.ts';

const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const rpc = (method: string, params: unknown = {}, id: unknown = 1) => JSON.stringify({ jsonrpc: '2.0', id, method, params });

describe('Streamable HTTP transport and REST bridge', () => {
  let dbh: DbHandle;
  let srv: TestServer;
  beforeAll(async () => {
    dbh = await createTestPgliteDb();
    srv = await startTestServer(dbh);
  });
  afterAll(async () => {
    await srv?.close();
    await dbh?.close();
  });
  const post = (path: string, body: string, headers: Record<string, string> = JSON_HEADERS) =>
    fetch(`${srv.url}${path}`, { method: 'POST', headers, body, redirect: 'manual' });

  it('answers on /mcp and /mcp/ alike, statelessly, without initialize and without a session id', async () => {
    for (const path of ['/mcp', '/mcp/']) {
      const res = await post(path, rpc('tools/list', {}, 'abc'));
      expect(res.status).toBe(200);
      expect(res.headers.get('mcp-session-id')).toBeNull();
      const body = await res.json() as any;
      expect(body.id).toBe('abc');
      expect(body.jsonrpc).toBe('2.0');
      expect(body.result.tools.map((t: any) => t.name)).toEqual([...TOOL_NAMES]);
    }
  });

  it('keeps concurrent requests with the same JSON-RPC id apart', async () => {
    const bodies = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        post('/mcp/', JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'plan_status', arguments: { plan_id: `bad-${i}` } } })).then((r) => r.json() as any),
      ),
    );
    bodies.forEach((b, i) => {
      expect(b.id).toBe(1);
      expect(b.result.structuredContent.error.message).toBe(`Plan not found: bad-${i}`);
    });
  });

  it('negotiates the protocol version on initialize', async () => {
    const init = (v: string) => post('/mcp/', rpc('initialize', { protocolVersion: v, capabilities: {}, clientInfo: { name: 't', version: '1' } })).then((r) => r.json() as any);
    expect((await init('2025-06-18')).result.protocolVersion).toBe('2025-06-18');
    expect((await init('1999-01-01')).result.protocolVersion).toBe('2025-11-25');
  });

  it('refuses malformed transport requests with the spec statuses', async () => {
    expect((await post('/mcp/', rpc('ping'), { accept: 'application/json' })).status).toBe(400);
    const na = await post('/mcp/', rpc('ping'), { 'content-type': 'application/json', accept: 'text/html' });
    expect(na.status).toBe(406);
    const parse = await post('/mcp/', '{nope');
    expect(parse.status).toBe(400);
    expect((await parse.json() as any).error.code).toBe(-32700);
    const batch = await post('/mcp/', `[${rpc('ping')}]`);
    expect(batch.status).toBe(400);
    expect((await batch.json() as any).error.code).toBe(-32602);
    const note = await post('/mcp/', JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
    expect(note.status).toBe(202);
    const ver = await post('/mcp/', rpc('ping'), { ...JSON_HEADERS, 'mcp-protocol-version': '1999-01-01' });
    expect(ver.status).toBe(400);
    expect((await fetch(`${srv.url}/mcp/`, { method: 'DELETE' })).status).toBe(405);
    expect((await fetch(`${srv.url}/mcp/`, { headers: { accept: 'application/json' } })).status).toBe(406);
    const head = await fetch(`${srv.url}/mcp`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect((await post('/mcp/foo', '{}')).status).toBe(404);
  });

  it('refuses a foreign Host header while bound to loopback (DNS-rebinding guard)', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: srv.port, path: '/mcp/', method: 'POST', headers: { ...JSON_HEADERS, host: 'evil.example:80' } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      req.end(rpc('ping'));
    });
    expect(status).toBe(421);
    const badOrigin = await post('/mcp/', rpc('ping'), { ...JSON_HEADERS, origin: 'https://evil.example' });
    expect(badOrigin.status).toBe(403);
  });

  it('REST: GET /mcp/tools lists the tools; POST /mcp/tools/call runs one', async () => {
    const list = await (await fetch(`${srv.url}/mcp/tools`)).json() as any;
    expect(list.tools.map((t: any) => t.name)).toEqual([...TOOL_NAMES]);
    const res = await post('/mcp/tools/call', JSON.stringify({ tool: 'plan_create', arguments: { prompt: 'Plan a repair café in Ghent' } }), {
      'content-type': 'application/json',
    });
    expect(res.status).toBe(200);
    const body = await res.json() as any;
    expect(body.error).toBeNull();
    expect(JSON.parse(body.content[0].text).plan_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.content[0].type).toBeUndefined();
  });

  it('REST: bad bodies and bad arguments get contract errors, never a 500', async () => {
    const h = { 'content-type': 'application/json' };
    const shape = await post('/mcp/tools/call', JSON.stringify({ tool: 'plan_status' }), h);
    expect(shape.status).toBe(422);
    expect((await shape.json() as any).error.code).toBe('INVALID_ARGUMENT');
    const notJson = await post('/mcp/tools/call', '{', h);
    expect(notJson.status).toBe(400);
    const unknown = await (await post('/mcp/tools/call', JSON.stringify({ tool: 'nope', arguments: {} }), h)).json() as any;
    expect(unknown.error).toEqual({ code: 'INVALID_TOOL', message: 'Unknown tool: nope' });
    const badProfile = await post('/mcp/tools/call', JSON.stringify({ tool: 'plan_create', arguments: { prompt: 'x', model_profile: 'gold' } }), h);
    expect(badProfile.status).toBe(200);
    expect((await badProfile.json() as any).error.code).toBe('INVALID_ARGUMENT');
  });

  it('REST: a metadata model_profile override applies when the argument is absent', async () => {
    const res = await post(
      '/mcp/tools/call',
      JSON.stringify({ tool: 'plan_create', arguments: { prompt: `Meta override ${Date.now()}` }, metadata: { planexe: { model_profile: 'frontier' } } }),
      { 'content-type': 'application/json' },
    );
    const id = JSON.parse((await res.json() as any).content[0].text).plan_id;
    const row = await dbh.db.selectFrom('plans').select('parameters').where('id', '=', id).executeTakeFirstOrThrow();
    expect((row.parameters as any).model_profile).toBe('frontier');
  });

  it('discovery routes answer', async () => {
    const root = await (await fetch(`${srv.url}/`)).json() as any;
    expect(root.endpoints.mcp).toBe('/mcp');
    expect(await (await fetch(`${srv.url}/robots.txt`)).text()).toBe('User-agent: *\nAllow: /\nSitemap: https://mcp.planexe.org/llms.txt\n');
    const card = await (await fetch(`${srv.url}/.well-known/mcp/server-card.json`)).json() as any;
    expect(card.transport).toEqual({ type: 'streamable-http', endpoint: '/mcp/' });
    expect((await fetch(`${srv.url}/llms.txt`)).status).toBe(200);
    const redirect = await fetch(`${srv.url}/llm.txt`, { redirect: 'manual' });
    expect(redirect.status).toBe(308);
    expect((await (await fetch(`${srv.url}/healthcheck`)).json() as any).status).toBe('healthy');
    const nf = await fetch(`${srv.url}/nothing-here`);
    expect(nf.status).toBe(404);
    expect((await nf.json() as any).error.code).toBe('NOT_FOUND');
  });
});

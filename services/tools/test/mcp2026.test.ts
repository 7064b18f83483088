import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createTestPgliteDb } from '@planexe/testing/infra';
import type { DbHandle } from '@planexe/db';
import { SERVER_NAME, TOOL_NAMES } from '@planexe/contracts';
import { startTestServer, startFixtureServer, connectModernClient, type TestServer } from '../../../tests/harness/testServer.ts';
import { conformanceExtensions } from '../src/conformanceGate.ts';

const V = '2026-07-28';
const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': V,
  'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': { name: 't', version: '1' },
};
const headers = (method: string, extra: Record<string, string> = {}) => ({
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  'mcp-protocol-version': V,
  'mcp-method': method,
  ...extra,
});
const body = (method: string, params: Record<string, unknown> = {}, id: unknown = 7) => JSON.stringify({ jsonrpc: '2.0', id, method, params: { ...params, _meta: ENVELOPE } });

describe('MCP 2026-07-28 on /mcp beside the 2025 revisions', () => {
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
  const post = (h: Record<string, string>, b: string) => fetch(srv.mcpUrl, { method: 'POST', headers: h, body: b });

  it('server/discover names the revisions, capabilities, instructions and the server identity', async () => {
    const res = await post(headers('server/discover'), body('server/discover'));
    expect(res.status).toBe(200);
    const { result } = (await res.json()) as any;
    expect(result.supportedVersions).toContain(V);
    expect(result.capabilities.tools).toBeDefined();
    expect(result.capabilities.prompts).toBeDefined();
    expect(result.instructions).toContain('PlanExe');
    expect(result._meta['io.modelcontextprotocol/serverInfo'].name).toBe(SERVER_NAME);
  });

  it('lists the contract tools with a deploy-long public cache hint, and no fixture tools', async () => {
    const res = await post(headers('tools/list'), body('tools/list'));
    const { result } = (await res.json()) as any;
    expect(result.tools.map((t: any) => t.name)).toEqual([...TOOL_NAMES]);
    expect(result.ttlMs).toBe(3_600_000);
    expect(result.cacheScope).toBe('public');
  });

  it('refuses a header that disagrees with the body (-32020), and a removed method (404, -32601)', async () => {
    const mismatch = await post(headers('tools/list'), body('tools/call', { name: 'plan_status', arguments: {} }));
    expect(mismatch.status).toBe(400);
    expect(((await mismatch.json()) as any).error.code).toBe(-32020);
    const name = await post(headers('tools/call', { 'mcp-name': 'plan_list' }), body('tools/call', { name: 'plan_status', arguments: {} }));
    expect(name.status).toBe(400);
    expect(((await name.json()) as any).error.code).toBe(-32020);
    const removed = await post(headers('initialize'), body('initialize'));
    expect(removed.status).toBe(404);
    const err = ((await removed.json()) as any).error;
    expect(err.code).toBe(-32601);
  });

  it('subscriptions/listen opens a stream whose first message is the acknowledgement', async () => {
    const abort = new AbortController();
    const res = await fetch(srv.mcpUrl, {
      method: 'POST',
      headers: headers('subscriptions/listen'),
      body: body('subscriptions/listen', { notifications: { toolsListChanged: true } }),
      signal: abort.signal,
    });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('\n\n')) text += new TextDecoder().decode((await reader.read()).value);
    abort.abort();
    const first = JSON.parse(/data: (.*)/.exec(text)![1]);
    expect(first.method).toBe('notifications/subscriptions/acknowledged');
  });

  it('the SDK v2 client calls a contract tool and gets the same contract error as a 2025 client', async () => {
    const client = await connectModernClient(srv.mcpUrl);
    try {
      const r = (await client.callTool({ name: 'plan_status', arguments: { plan_id: 'nope' } })) as any;
      expect(r.isError).toBe(true);
      expect(r.structuredContent.error.code).toBe('PLAN_NOT_FOUND');
    } finally {
      await client.close();
    }
  });
});

describe('conformance fixtures', () => {
  it('are off unless PLANEXE_CONFORMANCE_FIXTURES=1, and refused with auth on or in a production image', () => {
    expect(conformanceExtensions({}, false)).toEqual([]);
    expect(() => conformanceExtensions({ PLANEXE_CONFORMANCE_FIXTURES: '1' }, true)).toThrow(/PLANEXE_MCP_REQUIRE_AUTH/);
    expect(() => conformanceExtensions({ PLANEXE_CONFORMANCE_FIXTURES: '1', NODE_ENV: 'production' }, false)).toThrow(/production/);
    const [fixtures] = conformanceExtensions({ PLANEXE_CONFORMANCE_FIXTURES: '1' }, false);
    expect(fixtures.tools?.map((t) => t.definition.name)).toContain('test_simple_text');
  });

  it('when on, are served through the same registry and transport as the contract tools', async () => {
    const dbh = await createTestPgliteDb();
    const srv = await startFixtureServer(dbh);
    const client = await connectModernClient(srv.mcpUrl);
    try {
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names.slice(0, TOOL_NAMES.length)).toEqual([...TOOL_NAMES]);
      expect(names).toContain('test_image_content');
      const r = (await client.callTool({ name: 'test_simple_text', arguments: {} })) as any;
      expect(r.content).toEqual([{ type: 'text', text: 'This is a simple text response for testing.' }]);
      const res = (await client.readResource({ uri: 'test://static-text' })) as any;
      expect(res.contents[0].text).toBe('This is the content of the static text resource.');
    } finally {
      await client.close();
      await srv.close();
      await dbh.close();
    }
  });
});

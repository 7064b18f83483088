import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createTestPgliteDb } from '@planexe/testing/infra';
import type { DbHandle } from '@planexe/db';
import { startFixtureServer, type TestServer } from '../../../tests/harness/testServer.ts';

const V = '2026-07-28';
const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': V,
  'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': { name: 't', version: '1' },
};

/** A 2026-07-28 call of a tool that declares an x-mcp-header argument, through the real edge and tools service. */
describe('Mcp-Param-* headers are checked against the arguments they mirror', () => {
  let dbh: DbHandle;
  let srv: TestServer;
  beforeAll(async () => {
    dbh = await createTestPgliteDb();
    srv = await startFixtureServer(dbh);
  });
  afterAll(async () => {
    await srv?.close();
    await dbh?.close();
  });

  const call = (region: string, param: string | undefined) =>
    fetch(srv.mcpUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': V,
        'mcp-method': 'tools/call',
        'mcp-name': 'test_custom_headers',
        ...(param === undefined ? {} : { 'mcp-param-region': param }),
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'test_custom_headers', arguments: { region: region }, _meta: ENVELOPE } }),
    });

  it('runs the call when the header agrees, plain or Base64', async () => {
    for (const param of ['Hello', `=?base64?${Buffer.from('Hello').toString('base64')}?=`]) {
      const res = await call('Hello', param);
      expect(res.status).toBe(200);
      expect(((await res.json()) as any).result.content[0].text).toBe('ok');
    }
  });

  it('refuses a missing, disagreeing or undecodable header with HTTP 400 and -32020, before the tool runs', async () => {
    for (const param of [undefined, 'World', '=?base64?SGVsbG8?=']) {
      const res = await call('Hello', param);
      expect(res.status, String(param)).toBe(400);
      const body = (await res.json()) as any;
      expect(body.id).toBe(9);
      expect(body.error.code).toBe(-32020);
      expect(body.error.data.mismatch.header).toBe('Mcp-Param-Region');
    }
  });
});

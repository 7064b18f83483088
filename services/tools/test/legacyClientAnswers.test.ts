import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateMessageRequestSchema, ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { createTestPgliteDb } from '@planexe/testing/infra';
import type { DbHandle } from '@planexe/db';
import { startFixtureServer, createUserWithKey, type TestServer } from '../../../tests/harness/testServer.ts';

const WIRE_ID = /^[0-9a-f]{12}\.[A-Za-z0-9_-]{22}$/;

/** The SDK v1 client at 2025-11-25 that can answer sampling and elicitation (what the conformance suite's client is). */
async function answeringClient(mcpUrl: string, headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: 'planexe-answers-test', version: '1.0.0' }, { capabilities: { sampling: {}, elicitation: {} } });
  await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl), { requestInit: { headers } }));
  return client;
}

const textOf = (r: unknown) => ((r as { content: { text: string }[] }).content ?? []).map((c) => c.text).join('\n');

/**
 * A 2025 tools/call that asks the client (sampling/createMessage, elicitation/create) on the stateless surface: the
 * request travels on the call's own SSE stream, the client's answer is a new POST routed back to the call by the
 * request's wire id, from the call's caller only (spec/http.md §6.1).
 */
describe('2025 leg: a call that asks the client gets the answer of a new POST', () => {
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

  const postAnswer = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(srv.mcpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-11-25', ...headers },
      body: JSON.stringify(body),
    });

  it('elicitation/create: the tool gets what the client answered, under an unguessable wire id; nothing is left waiting', async () => {
    const client = await answeringClient(srv.mcpUrl);
    try {
      const ids: unknown[] = [];
      client.setRequestHandler(ElicitRequestSchema, async (req, extra) => {
        ids.push(extra.requestId);
        expect(req.params.message).toBe('Who are you?');
        return { action: 'accept', content: { username: 'ada', email: 'ada@example.com' } };
      });
      const r = await client.callTool({ name: 'test_elicitation', arguments: { message: 'Who are you?' } });
      expect(r.isError).toBeFalsy();
      expect(textOf(r)).toBe('User response: action=accept, content={"username":"ada","email":"ada@example.com"}');
      expect(ids).toHaveLength(1);
      expect(ids[0]).toMatch(WIRE_ID);
      expect(String(ids[0]).split('.')[0]).toBe(srv.standalone.tools.answers!.replica);
      expect(srv.standalone.tools.answers!.pending).toBe(0);
    } finally {
      await client.close();
    }
  });

  it('sampling/createMessage: the tool gets the client\'s completion', async () => {
    const client = await answeringClient(srv.mcpUrl);
    try {
      client.setRequestHandler(CreateMessageRequestSchema, async (req) => {
        const first = req.params.messages[0].content as { text: string };
        return { role: 'assistant', model: 'test-model', stopReason: 'endTurn', content: { type: 'text', text: `echo of ${first.text}` } };
      });
      const r = await client.callTool({ name: 'test_sampling', arguments: { prompt: 'forty-two' } });
      expect(textOf(r)).toBe('LLM response: echo of forty-two');
    } finally {
      await client.close();
    }
  });

  it('the elicitation tools with defaults and enums (SEP-1034, SEP-1330) get the accepted content back', async () => {
    const client = await answeringClient(srv.mcpUrl);
    try {
      const schemas: unknown[] = [];
      client.setRequestHandler(ElicitRequestSchema, async (req) => {
        schemas.push((req.params as { requestedSchema?: unknown }).requestedSchema);
        return { action: 'accept', content: { name: 'Jane', untitledSingle: 'option2' } };
      });
      const d = await client.callTool({ name: 'test_elicitation_sep1034_defaults', arguments: {} });
      expect(textOf(d)).toBe('Elicitation completed: action=accept, content={"name":"Jane","untitledSingle":"option2"}');
      const e = await client.callTool({ name: 'test_elicitation_sep1330_enums', arguments: {} });
      expect(textOf(e)).toContain('action=accept');
      expect(schemas).toHaveLength(2);
      expect(schemas[0]).toMatchObject({ properties: { age: { type: 'integer', default: 30 } } });
    } finally {
      await client.close();
    }
  });

  it('an answer from another caller is not delivered (202, nothing leaks); the call still gets its own caller\'s answer', async () => {
    const alice = await createUserWithKey(srv.db);
    const bob = await createUserWithKey(srv.db);
    const client = await answeringClient(srv.mcpUrl, { 'x-api-key': alice.key });
    try {
      const forged: { status: number; body: string }[] = [];
      client.setRequestHandler(ElicitRequestSchema, async (_req, extra) => {
        // Bob, and a keyless caller, learn the id (say, from a log) and answer first
        for (const headers of [{ 'x-api-key': bob.key }, {}] as Record<string, string>[]) {
          const res = await postAnswer({ jsonrpc: '2.0', id: extra.requestId, result: { action: 'accept', content: { username: 'mallory', email: 'm@example.com' } } }, headers);
          forged.push({ status: res.status, body: await res.text() });
        }
        return { action: 'accept', content: { username: 'alice', email: 'alice@example.com' } };
      });
      const r = await client.callTool({ name: 'test_elicitation', arguments: { message: 'Who are you?' } });
      expect(forged).toEqual([
        { status: 202, body: '' },
        { status: 202, body: '' },
      ]);
      expect(textOf(r)).toContain('"username":"alice"');
      expect(textOf(r)).not.toContain('mallory');
    } finally {
      await client.close();
    }
  });

  it('an answer nobody waits for gets 202 and changes nothing; a replay of a delivered answer is dropped', async () => {
    const replica = srv.standalone.tools.answers!.replica;
    for (const id of [`${replica}.AAAAAAAAAAAAAAAAAAAAAA`, '000000000000.AAAAAAAAAAAAAAAAAAAAAA', 0, 'not-a-wire-id']) {
      const res = await postAnswer({ jsonrpc: '2.0', id, result: { action: 'decline' } });
      expect(res.status).toBe(202);
      expect(await res.text()).toBe('');
    }
    const err = await postAnswer({ jsonrpc: '2.0', id: `${replica}.BBBBBBBBBBBBBBBBBBBBBB`, error: { code: -32601, message: 'Method not found' } });
    expect(err.status).toBe(202);
    expect(srv.standalone.tools.answers!.pending).toBe(0);

    const client = await answeringClient(srv.mcpUrl);
    try {
      let seen: unknown;
      client.setRequestHandler(ElicitRequestSchema, async (_req, extra) => {
        seen = extra.requestId;
        return { action: 'accept', content: { username: 'ada', email: 'ada@example.com' } };
      });
      const r = await client.callTool({ name: 'test_elicitation', arguments: { message: 'again' } });
      expect(textOf(r)).toContain('"username":"ada"');
      const replay = await postAnswer({ jsonrpc: '2.0', id: seen, result: { action: 'accept', content: { username: 'eve', email: 'e@example.com' } } });
      expect(replay.status).toBe(202);
      expect(srv.standalone.tools.answers!.pending).toBe(0);
    } finally {
      await client.close();
    }
  });

  it('a client that takes no stream is told at once that the call cannot ask it (no request is sent, nothing hangs)', async () => {
    const res = await fetch(srv.mcpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'mcp-protocol-version': '2025-11-25' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'test_elicitation', arguments: { message: 'hi' } } }),
    });
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as { id: number; result: { isError: boolean; content: { text: string }[] } };
    expect(body.id).toBe(7);
    expect(body.result.isError).toBe(true);
    expect(body.result.content[0].text).toMatch(/did not declare the required capability/);
    expect(srv.standalone.tools.answers!.pending).toBe(0);
  });

  it('a client without a handler answers the request with an error, which the tool\'s result reports', async () => {
    const client = new Client({ name: 'no-elicitation', version: '1.0.0' }, { capabilities: {} });
    await client.connect(new StreamableHTTPClientTransport(new URL(srv.mcpUrl)));
    try {
      const r = await client.callTool({ name: 'test_elicitation', arguments: { message: 'hi' } });
      expect(r.isError).toBe(true);
      expect(textOf(r)).toMatch(/failed/i);
      expect(srv.standalone.tools.answers!.pending).toBe(0);
    } finally {
      await client.close();
    }
  });
});

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { LoggingMessageNotificationSchema, type LoggingMessageNotification } from '@modelcontextprotocol/sdk/types.js';
import { createTestPgliteDb } from '@planexe/testing/infra';
import type { DbHandle } from '@planexe/db';
import { startFixtureServer, connectClient, type TestServer } from '../../../tests/harness/testServer.ts';

/** 2025-era calls that send notifications while they run: answered as this request's own SSE stream (spec/http.md §6.1). */
describe('2025 leg: notifications during a tools/call', () => {
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
  const call = (name: string, meta: Record<string, unknown> | undefined, accept: string | undefined) =>
    fetch(srv.mcpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'mcp-protocol-version': '2025-11-25', ...(accept ? { accept } : {}) },
      body: JSON.stringify({ jsonrpc: '2.0', id: 'c1', method: 'tools/call', params: { name, arguments: {}, ...(meta ? { _meta: meta } : {}) } }),
    });

  it('the SDK v1 client (2025-11-25) gets progress notifications before the result when it passes a progressToken', async () => {
    const client = await connectClient(srv.mcpUrl);
    try {
      const progress: number[] = [];
      const r = (await client.callTool({ name: 'test_tool_with_progress', arguments: {} }, undefined, { onprogress: (p) => progress.push(p.progress) })) as any;
      expect(r.content[0].text).toBe('Tool with progress executed successfully');
      expect(progress).toEqual([0, 50, 100]);
    } finally {
      await client.close();
    }
  });

  it('the SDK v1 client gets a logging tool\'s log messages during the call, without a progressToken', async () => {
    const client = await connectClient(srv.mcpUrl);
    try {
      const logs: LoggingMessageNotification['params'][] = [];
      client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
        logs.push(n.params);
      });
      const r = (await client.callTool({ name: 'test_tool_with_logging', arguments: {} })) as any;
      expect(r.content[0].text).toBe('Tool with logging executed successfully');
      expect(logs.map((l) => l.data)).toEqual(['Tool execution started', 'Tool processing data', 'Tool execution completed']);
      expect(logs.every((l) => l.level === 'info')).toBe(true);
    } finally {
      await client.close();
    }
  });

  it('a stream carries the notifications as events, then the result, then ends', async () => {
    const res = await call('test_tool_with_progress', { progressToken: 'tok' }, 'application/json, text/event-stream');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.headers.get('mcp-session-id')).toBeNull();
    const events = (await res.text())
      .split('\n\n')
      .map((e) => e.split('\n').find((l) => l.startsWith('data: '))?.slice(6))
      .filter((d): d is string => !!d)
      .map((d) => JSON.parse(d));
    expect(events.map((e) => e.method ?? 'result')).toEqual(['notifications/progress', 'notifications/progress', 'notifications/progress', 'result']);
    expect(events.slice(0, 3).map((e) => [e.params.progressToken, e.params.progress])).toEqual([['tok', 0], ['tok', 50], ['tok', 100]]);
    expect(events[3]).toMatchObject({ jsonrpc: '2.0', id: 'c1', result: { content: [{ text: 'Tool with progress executed successfully' }] } });
  });

  it('stays one JSON body when the client takes no stream, or the call asked for no notifications', async () => {
    // curl: no Accept at all, a progressToken all the same
    const curl = await call('test_tool_with_progress', { progressToken: 'tok' }, undefined);
    expect(curl.headers.get('content-type')).toMatch(/^application\/json/);
    expect(((await curl.json()) as any).result.content[0].text).toBe('Tool with progress executed successfully');
    // JSON only in Accept
    const jsonOnly = await call('test_tool_with_logging', undefined, 'application/json');
    expect(jsonOnly.headers.get('content-type')).toMatch(/^application\/json/);
    expect(((await jsonOnly.json()) as any).id).toBe('c1');
    // takes a stream, but neither a token nor a tool that notifies: the contract's JSON answer
    for (const name of ['test_simple_text', 'plan_list']) {
      const plain = await call(name, undefined, 'application/json, text/event-stream');
      expect(plain.status).toBe(200);
      expect(plain.headers.get('content-type')).toMatch(/^application\/json/);
      expect(((await plain.json()) as any).id).toBe('c1');
    }
  });

  it('a client that goes away mid-stream ends the exchange; the server keeps answering', async () => {
    const abort = new AbortController();
    const res = await fetch(srv.mcpUrl, {
      method: 'POST',
      signal: abort.signal,
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-11-25' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'test_tool_with_progress', arguments: {}, _meta: { progressToken: 1 } } }),
    });
    const reader = res.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toContain('notifications/progress');
    abort.abort();
    await reader.closed.catch(() => undefined);
    const after = await call('test_simple_text', undefined, 'application/json, text/event-stream');
    expect(((await after.json()) as any).result.content[0].text).toBe('This is a simple text response for testing.');
  });
});

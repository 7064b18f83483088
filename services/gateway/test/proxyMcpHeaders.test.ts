/**
 * The gateway's proxy carries the MCP headers both ways: MCP-Protocol-Version, Mcp-Method, Mcp-Name (and
 * Mcp-Param-*) to the tools service, which checks them against the body; Mcp-Session-Id and MCP-Protocol-Version
 * back to the client. The client's key headers never travel upstream.
 */
import { afterAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type net from 'node:net';
import Koa from 'koa';
import pino from 'pino';
import { createProxy } from '../src/proxy.ts';

describe('proxy and the MCP headers', () => {
  const servers: http.Server[] = [];
  afterAll(() => servers.forEach((s) => s.close()));
  const listen = (handler: http.RequestListener) =>
    new Promise<number>((resolve) => {
      const s = http.createServer(handler).listen(0, '127.0.0.1', () => resolve((s.address() as net.AddressInfo).port));
      servers.push(s);
    });

  it('forwards the request headers and returns the answer headers', async () => {
    let seen: http.IncomingHttpHeaders = {};
    const upstream = await listen((req, res) => {
      seen = req.headers;
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': 'sess-1', 'mcp-protocol-version': '2025-11-25' }).end('{}'));
    });
    const app = new Koa();
    app.use(createProxy({ internalSecret: 's', timeoutMs: 5_000, log: pino({ level: 'silent' }) })({ name: 'tools', baseUrl: `http://127.0.0.1:${upstream}` }));
    const port = await listen(app.callback());
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'plan_status', arguments: { plan_id: 'p' } } });
    const r = await fetch(`http://127.0.0.1:${port}/mcp`, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': 'tools/call',
        'mcp-name': 'plan_status',
        'mcp-param-plan-id': 'p',
        'x-api-key': 'pex_secret',
      },
    });
    expect(r.status).toBe(200);
    expect(seen['mcp-protocol-version']).toBe('2026-07-28');
    expect(seen['mcp-method']).toBe('tools/call');
    expect(seen['mcp-name']).toBe('plan_status');
    expect(seen['mcp-param-plan-id']).toBe('p');
    expect(seen['x-api-key']).toBeUndefined();
    expect(r.headers.get('mcp-session-id')).toBe('sess-1');
    expect(r.headers.get('mcp-protocol-version')).toBe('2025-11-25');
  });
});

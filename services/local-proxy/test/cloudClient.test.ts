import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudClient, normaliseCloudUrl, RemoteError } from '../src/index.ts';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

/** A scripted HTTP server that records what it was sent. */
async function scripted(): Promise<{ url: string; server: Server; seen: { method: string; path: string; key?: string; body: string }[]; handle: { fn: Handler } }> {
  const seen: { method: string; path: string; key?: string; body: string }[] = [];
  const handle = { fn: ((_q, _b, res) => res.end()) as Handler };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method!, path: req.url!, key: req.headers['x-api-key'] as string | undefined, body });
      handle.fn(req, body, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, seen, handle };
}

const json = (res: ServerResponse, status: number, v: unknown, type = 'application/json') => {
  res.writeHead(status, { 'content-type': type });
  res.end(typeof v === 'string' ? v : JSON.stringify(v));
};
const rest = (payload: unknown, error: unknown = null) => ({ content: [{ text: JSON.stringify(payload) }], error });

describe('the proxy\'s HTTP client (spec/tools.md §9.3)', () => {
  let s: Awaited<ReturnType<typeof scripted>>;
  let other: Awaited<ReturnType<typeof scripted>>;
  let client: CloudClient;

  beforeAll(async () => {
    s = await scripted();
    other = await scripted();
  });
  afterAll(() => {
    s.server.close();
    other.server.close();
  });
  beforeEach(() => {
    s.seen.length = 0;
    other.seen.length = 0;
    client = new CloudClient({ urls: normaliseCloudUrl(`${s.url}/mcp`), apiKey: 'pex_secret', retryDelaysMs: [10, 20], timeoutMs: 2_000 });
  });

  it('REST bridge: posts {tool, arguments} with the key; isError only for pure error payloads of error codes', async () => {
    s.handle.fn = (_q, body, res) => {
      const { tool } = JSON.parse(body);
      if (tool === 'plan_status') return json(res, 200, rest({ plan_id: 'p', state: 'failed', error: { failure_reason: 'x' } }, { failure_reason: 'x' }));
      if (tool === 'plan_file_info') return json(res, 200, rest({ error: { code: 'content_unavailable', message: 'm' } }, { code: 'content_unavailable' }));
      if (tool === 'plan_stop') return json(res, 200, rest({ error: { code: 'PLAN_NOT_FOUND', message: 'Plan not found: p' } }));
      if (tool === 'plan_list') return json(res, 200, { content: [], error: { code: 'INTERNAL_ERROR', message: 'Unknown tool: plan_list' } });
      return json(res, 200, { content: [{ text: 'plain text' }], error: null });
    };
    expect(await client.callTool('plan_status', { plan_id: 'p' })).toMatchObject({ isError: false, payload: { state: 'failed' } });
    expect(await client.callTool('plan_file_info', {})).toMatchObject({ isError: false });
    expect(await client.callTool('plan_stop', {})).toMatchObject({ isError: true, payload: { error: { code: 'PLAN_NOT_FOUND' } } });
    expect(await client.callTool('plan_list', {})).toMatchObject({ isError: true, payload: { error: { code: 'INTERNAL_ERROR' } } });
    expect(await client.callTool('example_plans', {})).toEqual({ isError: false, payload: { result: 'plain text' } });
    expect(s.seen[0]).toMatchObject({ method: 'POST', path: '/mcp/tools/call', key: 'pex_secret' });
    expect(JSON.parse(s.seen[0].body)).toEqual({ tool: 'plan_status', arguments: { plan_id: 'p' } });
  });

  it('falls back to JSON-RPC when the bridge answers 404 (JSON or an SSE-framed answer)', async () => {
    let sse = false;
    s.handle.fn = (req, body, res) => {
      if (req.url === '/mcp/tools/call') return json(res, 404, { detail: 'Not Found' });
      const msg = JSON.parse(body);
      const answer = { jsonrpc: '2.0', id: msg.id, result: { content: [{ type: 'text', text: '{"a":1}' }], structuredContent: { a: 1 }, isError: msg.params.name === 'bad' } };
      if (sse) return json(res, 200, `event: message\ndata: ${JSON.stringify(answer)}\n\n`, 'text/event-stream');
      json(res, 200, answer);
    };
    expect(await client.callTool('plan_status', { plan_id: 'p' })).toEqual({ isError: false, payload: { a: 1 } });
    expect(s.seen.map((x) => x.path)).toEqual(['/mcp/tools/call', '/mcp']);
    expect(JSON.parse(s.seen[1].body)).toMatchObject({ jsonrpc: '2.0', id: '1', method: 'tools/call', params: { name: 'plan_status', arguments: { plan_id: 'p' } } });
    sse = true;
    expect(await client.callTool('bad', {})).toEqual({ isError: true, payload: { a: 1 } });
  });

  it('retries 5xx and network failures three times in all, never 4xx', async () => {
    let n = 0;
    s.handle.fn = (_q, _b, res) => (++n < 3 ? json(res, 503, { detail: 'busy' }) : json(res, 200, rest({ ok: true })));
    expect((await client.callTool('plan_list', {})).payload).toEqual({ ok: true });
    expect(n).toBe(3);
    n = 0;
    s.handle.fn = (_q, _b, res) => (n++, json(res, 500, { detail: 'down' }));
    await expect(client.callTool('plan_list', {})).rejects.toThrow(/HTTP 500/);
    expect(n).toBe(3);
    n = 0;
    s.handle.fn = (_q, _b, res) => (n++, json(res, 403, { detail: 'Invalid API key.' }));
    await expect(client.callTool('plan_list', {})).rejects.toThrow('HTTP 403: Invalid API key.');
    expect(n).toBe(1);
    const dead = new CloudClient({ urls: normaliseCloudUrl('http://127.0.0.1:9/mcp'), retryDelaysMs: [5, 5] });
    await expect(dead.callTool('plan_list', {})).rejects.toBeInstanceOf(RemoteError);
  });

  it('follows redirects: 307 keeps the POST, 303 becomes a GET, and the key never goes to another origin', async () => {
    s.handle.fn = (req, _b, res) => {
      if (req.url === '/mcp/tools/call') return (res.writeHead(307, { location: '/moved/tools/call' }), res.end());
      json(res, 200, rest({ via: req.method }));
    };
    expect((await client.callTool('plan_list', {})).payload).toEqual({ via: 'POST' });
    expect(s.seen[1]).toMatchObject({ method: 'POST', path: '/moved/tools/call', key: 'pex_secret' });
    s.seen.length = 0;
    other.handle.fn = (req, _b, res) => json(res, 200, rest({ via: req.method }));
    s.handle.fn = (_q, _b, res) => (res.writeHead(303, { location: `${other.url}/elsewhere` }), res.end());
    expect((await client.callTool('plan_list', {})).payload).toEqual({ via: 'GET' });
    expect(other.seen[0]).toMatchObject({ method: 'GET', path: '/elsewhere', body: '' });
    expect(other.seen[0].key).toBeUndefined();
    s.handle.fn = (_q, _b, res) => (res.writeHead(302, { location: '/mcp/tools/call' }), res.end());
    await expect(client.callTool('plan_list', {})).rejects.toThrow(/too many redirects/);
  });
});

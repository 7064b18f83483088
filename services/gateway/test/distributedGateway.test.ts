/**
 * Distributed mode: the gateway app in front of a separately listening tools service (and stand-in stream and
 * artifacts services). The MCP SDK client works through it; internal services refuse anyone but the gateway; SSE
 * and downloads stream through without buffering; client addresses are forwarded; upstream failures are contract
 * errors.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createTestPgliteDb } from '@planexe/testing/infra';
import { CALLER_HEADER, CLIENT_IP_HEADER, INTERNAL_SECRET_HEADER } from '@planexe/auth';
import type { DbHandle } from '@planexe/db';
import { connectClient, createUserWithKey, payloadOf } from '../../../tests/harness/testServer.ts';
import { INTERNAL_SECRET, listen, startDistributed, startGateway, type Listening } from '../../../tests/harness/distributedServer.ts';

const H = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const PLAN = '11111111-2222-4333-8444-555555555555';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Stand-in stream + artifacts service: SSE that trickles, a zip that pauses mid-way, report.html echoes the request headers. */
function fakeUpstream(seen: { sseClosed: boolean; headers?: IncomingMessage['headers'] }) {
  return listen(async (req: IncomingMessage, res: ServerResponse) => {
    seen.headers = req.headers;
    if (req.url?.startsWith('/sse/')) {
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
      res.write('retry: 5000\n\n');
      req.on('close', () => (seen.sseClosed = true));
      for (let i = 0; i < 5 && !res.destroyed; i++) {
        await sleep(200);
        res.write(`event: status\ndata: {"n":${i}}\n\n`);
      }
      res.end();
    } else if (req.url?.startsWith('/download/') && req.url.includes('run.zip')) {
      res.writeHead(200, { 'content-type': 'application/zip', 'content-disposition': `attachment; filename="${PLAN}.zip"` });
      res.write(Buffer.alloc(64 * 1024, 1));
      await sleep(400);
      res.end(Buffer.alloc(2 * 1024 * 1024, 2));
    } else if (req.url?.startsWith('/slow')) {
      await sleep(2_000);
      res.end('late');
    } else if (req.url?.startsWith('/crash')) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('Internal Server Error');
    } else {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ headers: req.headers }));
    }
  });
}

describe('distributed gateway', () => {
  let dbh: DbHandle;
  let d: Awaited<ReturnType<typeof startDistributed>>;
  let up: Listening;
  const seen = { sseClosed: false } as { sseClosed: boolean; headers?: IncomingMessage['headers'] };
  beforeAll(async () => {
    dbh = await createTestPgliteDb();
    up = await fakeUpstream(seen);
    d = await startDistributed(dbh, { env: { PLANEXE_MCP_REQUIRE_AUTH: 'true' }, stream: up.url, artifacts: up.url });
  });
  afterAll(async () => {
    await d?.close();
    await up?.close();
    await dbh?.close();
  });

  it('the MCP SDK client works through the gateway, with the caller carried to the tools service', async () => {
    const owner = await createUserWithKey(dbh.db, 10);
    const c = await connectClient(d.mcpUrl, { 'X-API-Key': owner.key });
    expect((await c.listTools()).tools).toHaveLength(11);
    const created = payloadOf(await c.callTool({ name: 'plan_create', arguments: { prompt: 'A plan created through the gateway' } }));
    expect(created.sse_url).toBe(`${d.url}/sse/plan/${created.plan_id}`);
    expect(payloadOf(await c.callTool({ name: 'plan_status', arguments: { plan_id: created.plan_id } })).state).toBe('pending');
    await c.close();
    const row = await dbh.db.selectFrom('plans').select('user_id').where('id', '=', created.plan_id).executeTakeFirstOrThrow();
    expect(row.user_id).toBe(owner.user.id);
    const stranger = await createUserWithKey(dbh.db, 10);
    const s = await connectClient(d.mcpUrl, { 'X-API-Key': stranger.key });
    expect(payloadOf(await s.callTool({ name: 'plan_status', arguments: { plan_id: created.plan_id } })).error.code).toBe('PLAN_NOT_FOUND');
    await s.close();
  });

  it('the tools service refuses requests that do not come through the gateway', async () => {
    const owner = await createUserWithKey(dbh.db, 10);
    const forged = JSON.stringify({ kind: 'user', owner: owner.user.id, userId: owner.user.id, apiKeyId: null });
    const call = JSON.stringify({ tool: 'plan_list', arguments: {} });
    for (const headers of [{}, { [INTERNAL_SECRET_HEADER]: 'guess' }, { [CALLER_HEADER]: forged }, { 'x-api-key': owner.key }] as Record<string, string>[]) {
      const res = await fetch(`${d.tools.url}/mcp/tools/call`, { method: 'POST', headers: { ...H, ...headers }, body: call });
      expect(res.status).toBe(403);
      expect(((await res.json()) as any).error.code).toBe('FORBIDDEN');
    }
    const mcp = await fetch(`${d.tools.url}/mcp/`, { method: 'POST', headers: H, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) });
    expect(mcp.status).toBe(403);
    expect((await fetch(`${d.tools.url}/livez`)).status).toBe(200);
    expect((await fetch(`${d.tools.url}/readyz`)).status).toBe(200);
    // with the secret, the forwarded caller is trusted: that is what the gateway does
    const ok = await fetch(`${d.tools.url}/mcp/tools/call`, { method: 'POST', headers: { ...H, [INTERNAL_SECRET_HEADER]: INTERNAL_SECRET, [CALLER_HEADER]: forged }, body: call });
    expect(ok.status).toBe(200);
  });

  it('streams SSE through chunk by chunk and closes the upstream when the client leaves', async () => {
    seen.sseClosed = false;
    const t0 = Date.now();
    const res = await fetch(`${d.url}/sse/plan/${PLAN}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    const dec = new TextDecoder();
    let text = '';
    while (!text.includes('"n":0')) text += dec.decode((await reader.read()).value);
    // the first event arrived while the upstream was still writing the rest (5 × 200 ms)
    expect(Date.now() - t0).toBeLessThan(700);
    await reader.cancel();
    for (let i = 0; i < 50 && !seen.sseClosed; i++) await sleep(20);
    expect(seen.sseClosed).toBe(true);
  });

  it('streams downloads through without buffering, headers intact', async () => {
    const t0 = Date.now();
    const res = await fetch(`${d.url}/download/${PLAN}/run.zip?token=x`, { headers: { 'x-api-key': (await createUserWithKey(dbh.db, 1)).key } });
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${PLAN}.zip"`);
    const reader = res.body!.getReader();
    const first = await reader.read();
    const firstAt = Date.now() - t0;
    let total = first.value!.length;
    for (let r = await reader.read(); !r.done; r = await reader.read()) total += r.value.length;
    expect(firstAt).toBeLessThan(Date.now() - t0 - 200); // the first bytes came before the upstream's pause ended
    expect(total).toBe(64 * 1024 + 2 * 1024 * 1024);
  });

  it('forwards the client address and overwrites trust headers a client sends', async () => {
    const u = await createUserWithKey(dbh.db, 1);
    const res = await fetch(`${d.url}/download/${PLAN}/report.html`, {
      headers: { 'x-api-key': u.key, [CALLER_HEADER]: '{"kind":"shared"}', [INTERNAL_SECRET_HEADER]: 'mine', [CLIENT_IP_HEADER]: '1.2.3.4' },
    });
    const h = ((await res.json()) as any).headers;
    expect(h[INTERNAL_SECRET_HEADER]).toBe(INTERNAL_SECRET);
    expect(JSON.parse(h[CALLER_HEADER])).toMatchObject({ kind: 'user', userId: u.user.id });
    expect(h[CLIENT_IP_HEADER]).toBe('127.0.0.1');
    expect(h['x-forwarded-for']).toBe('127.0.0.1');
    expect(h['x-api-key']).toBeUndefined();
    // behind one trusted proxy the client address is the one it reports
    const behind = await startGateway(dbh, { env: { PLANEXE_MCP_TRUST_PROXY_HOPS: '1' }, stream: up.url, artifacts: up.url });
    try {
      const r = await fetch(`${behind.url}/download/${PLAN}/report.html`, { headers: { 'x-forwarded-for': '203.0.113.7' } });
      const hh = ((await r.json()) as any).headers;
      expect(hh[CLIENT_IP_HEADER]).toBe('203.0.113.7');
      expect(hh['x-forwarded-for']).toBe('203.0.113.7, 127.0.0.1');
    } finally {
      await behind.close();
    }
  });

  it('maps an unreachable, slow or crashing upstream to the contract error shape', async () => {
    const g = await startGateway(dbh, { env: { PLANEXE_GATEWAY_UPSTREAM_TIMEOUT_SECONDS: '0.3' }, artifacts: up.url, stream: `${up.url}/slow` });
    try {
      const down = await fetch(`${g.url}/mcp/tools`);
      expect(down.status).toBe(502);
      expect(await down.json()).toEqual({ error: { code: 'SERVICE_UNAVAILABLE', message: 'The tools service is unavailable' }, detail: 'The tools service is unavailable' });
      const slow = await fetch(`${g.url}/sse/plan/${PLAN}`);
      expect(slow.status).toBe(504);
      expect(((await slow.json()) as any).error.code).toBe('SERVICE_UNAVAILABLE');
    } finally {
      await g.close();
    }
    const crash = await startGateway(dbh, { artifacts: `${up.url}/crash` });
    try {
      const r = await fetch(`${crash.url}/download/${PLAN}/report.html`);
      expect(r.status).toBe(500);
      expect(await r.json()).toEqual({ error: { code: 'INTERNAL_ERROR', message: 'Internal Server Error' }, detail: 'Internal Server Error' });
    } finally {
      await crash.close();
    }
  });
});

import { request } from 'node:http';
import Koa from 'koa';
import { describe, expect, it } from 'vitest';
import { createInternalApp, errorBody, isClientGone, serve } from './index.ts';

const log = { info: () => {}, warn: () => {}, error: () => {} };

async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { headers });
  return { status: res.status, body: await res.json() };
}

describe('serve()', () => {
  it('drains, stops listening, cuts connections after the grace period and closes the adapters in order', async () => {
    const order: string[] = [];
    const app = new Koa();
    app.use(async (ctx) => {
      if (ctx.path === '/hold') {
        ctx.respond = false;
        ctx.res.writeHead(200, { 'content-type': 'text/plain' });
        ctx.res.write('open');
        return; // never ends: only the grace period ends it
      }
      ctx.body = { ok: true };
    });
    const served = await serve(app.callback(), {
      name: 'test',
      host: '127.0.0.1',
      port: 0,
      log,
      graceMs: 200,
      exitOnSignal: false,
      drain: () => void order.push('drain'),
      close: [() => order.push('service'), async () => order.push('db')],
    });
    const url = `http://127.0.0.1:${served.port}`;
    expect((await get(`${url}/`)).body).toEqual({ ok: true });
    const held = new Promise<string>((resolve) => {
      request(`${url}/hold`, (res) => {
        res.once('data', () => order.push('held open'));
        res.once('close', () => resolve('cut'));
      }).end();
    });
    await new Promise((r) => setTimeout(r, 100));
    const t0 = Date.now();
    await served.stop();
    expect(await held).toBe('cut');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(150);
    expect(order).toEqual(['held open', 'drain', 'service', 'db']);
    await expect(fetch(`${url}/`)).rejects.toThrow();
  });
});

describe('createInternalApp()', () => {
  const service = async (ctx: Koa.Context) => {
    ctx.body = { served: ctx.path, caller: ctx.state.caller?.kind };
  };
  let ready = true;
  const app = createInternalApp({ service: 'planexe-artifacts', owner: 'artifacts', internalSecret: 's3cret', log, ready: () => ready }, service);

  it('answers the probes without the secret, refuses everything else without it, and serves only its own routes', async () => {
    const served = await serve(app.callback(), { name: 't', host: '127.0.0.1', port: 0, log, exitOnSignal: false });
    const url = `http://127.0.0.1:${served.port}`;
    try {
      expect(await get(`${url}/livez`)).toEqual({ status: 200, body: { status: 'ok', service: 'planexe-artifacts' } });
      expect((await get(`${url}/readyz`)).status).toBe(200);
      ready = false;
      expect(await get(`${url}/readyz`)).toEqual({ status: 503, body: { status: 'stopping', service: 'planexe-artifacts' } });
      expect((await get(`${url}/livez`)).status).toBe(200);
      const id = '0b6b4b8e-6d4a-4a3e-9a57-3f2f8d3c1a10';
      const direct = await get(`${url}/download/${id}/report.html`);
      expect(direct).toEqual({ status: 403, body: errorBody('FORBIDDEN', 'Internal endpoint: requests must come through the gateway') });
      const inside = { 'x-planexe-internal': 's3cret' };
      expect((await get(`${url}/download/${id}/report.html`, inside)).body).toEqual({ served: `/download/${id}/report.html`, caller: 'anonymous' });
      // a route of another service, and no route at all: the contract's 404 body
      expect(await get(`${url}/mcp/tools`, inside)).toEqual({ status: 404, body: errorBody('NOT_FOUND', 'Not Found') });
      expect(await get(`${url}/nothing-here`, inside)).toEqual({ status: 404, body: errorBody('NOT_FOUND', 'Not Found') });
    } finally {
      await served.stop();
    }
  });
});

describe('error body and client-gone errors', () => {
  it('spells the contract body once; detail repeats the message unless told otherwise', () => {
    expect(errorBody('NOT_FOUND', 'Plan not found')).toEqual({ error: { code: 'NOT_FOUND', message: 'Plan not found' }, detail: 'Plan not found' });
    expect(errorBody('BAD_REQUEST', 'x', { details: { field: 'a' }, detail: 'y' })).toEqual({ error: { code: 'BAD_REQUEST', message: 'x', details: { field: 'a' } }, detail: 'y' });
  });

  it('knows a client that went away from a real failure', () => {
    for (const code of ['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE', 'ERR_STREAM_DESTROYED']) expect(isClientGone({ code }), code).toBe(true);
    expect(isClientGone(new Error('aborted'))).toBe(true);
    expect(isClientGone({ code: 'ENOSPC' })).toBe(false);
    expect(isClientGone(new Error('boom'))).toBe(false);
    expect(isClientGone(undefined)).toBe(false);
  });
});

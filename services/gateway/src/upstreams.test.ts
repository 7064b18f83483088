import { describe, it, expect, afterAll } from 'vitest';
import http from 'node:http';
import net from 'node:net';
import Koa from 'koa';
import pino from 'pino';
import { UpstreamPool, mayRetryElsewhere } from './upstreams.ts';
import { createProxy } from './proxy.ts';

const err = (code: string) => Object.assign(new Error(code), { code });

describe('UpstreamPool', () => {
  it('takes replicas in turn, skips one that refused a connection, and tries it again once every replica is down', () => {
    let now = 0;
    const pool = new UpstreamPool('http://a:1, http://b:2,http://c:3', { downForMs: 1000, now: () => now });
    const hosts = (n: number) => Array.from({ length: n }, () => pool.pick(new Set())!.host);
    expect(hosts(4)).toEqual(['a:1', 'b:2', 'c:3', 'a:1']);
    pool.markDown(pool.targets[1]);
    expect(hosts(4)).toEqual(['c:3', 'a:1', 'c:3', 'a:1']);
    now = 1001;
    expect(hosts(3)).toContain('b:2');
    pool.targets.forEach((t) => pool.markDown(t));
    expect(pool.pick(new Set([pool.targets[0]]))).toBeDefined();
    expect(pool.pick(new Set(pool.targets))).toBeUndefined();
  });

  it('gives one load-balanced address two tries, a list one try per replica', () => {
    expect(new UpstreamPool('http://planexe-tools:8002').maxTries).toBe(2);
    expect(new UpstreamPool(['http://a:1', 'http://b:2', 'http://c:3']).maxTries).toBe(3);
  });

  it('resends anything that never connected, but only idempotent requests whose connection broke', () => {
    expect(mayRetryElsewhere('POST', err('ECONNREFUSED'), true)).toBe(true);
    expect(mayRetryElsewhere('POST', err('ECONNRESET'), true)).toBe(false);
    expect(mayRetryElsewhere('GET', err('ECONNRESET'), true)).toBe(true);
    expect(mayRetryElsewhere('POST', err('ECONNREFUSED'), false)).toBe(false);
  });
});

describe('proxy over several upstreams', () => {
  const servers: http.Server[] = [];
  afterAll(() => servers.forEach((s) => s.close()));
  const listen = (handler: http.RequestListener) =>
    new Promise<number>((resolve) => {
      const s = http.createServer(handler).listen(0, '127.0.0.1', () => resolve((s.address() as net.AddressInfo).port));
      servers.push(s);
    });
  const deadPort = () =>
    new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const port = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(port));
      });
    });

  it('answers every request, POSTs included, while one of two replicas is down', async () => {
    const live = await listen((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ echo: body })));
    });
    const dead = await deadPort();
    const proxyTo = createProxy({ internalSecret: 's', timeoutMs: 5_000, log: pino({ level: 'silent' }) });
    const app = new Koa();
    app.use(async (ctx, next) => {
      ctx.state.rawBody = ctx.method === 'POST' ? Buffer.from('{"x":1}') : undefined;
      await next();
    });
    app.use(proxyTo({ name: 'tools', baseUrl: [`http://127.0.0.1:${dead}`, `http://127.0.0.1:${live}`] }));
    const port = await listen(app.callback());
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await fetch(`http://127.0.0.1:${port}/mcp/x`, i % 2 ? { method: 'POST', body: '{"x":1}', headers: { 'content-type': 'application/json' } } : {});
      statuses.push(r.status);
      if (i % 2) expect(await r.json()).toEqual({ echo: '{"x":1}' });
      else await r.arrayBuffer();
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
  });
});

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import Koa from 'koa';
import { strToU8, zipSync } from 'fflate';
import { createTestDb, dbKinds } from '@planexe/testing/infra';
import type { DbHandle } from '@planexe/db';
import { silentLogger } from '@planexe/telemetry';
import { sendArtifact } from '../src/index.ts';
import { planWith, request, startArtifactsServer, userWithKey, type ArtifactsTestServer } from './downloadHarness.ts';

const kind = (await dbKinds()).includes('postgres') ? 'postgres' : 'pglite';
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe.each(['db', 'zip'] as const)(`HTTP semantics of a download: ETag, 304, Range, HEAD (%s source, ${kind})`, (source) => {
  let dbh: DbHandle & { url?: string };
  let srv: ArtifactsTestServer;
  let key: string;
  let plan: string;
  const html = '<html>' + randomBytes(150_000).toString('hex') + '</html>';
  const body = Buffer.from(html);
  const etag = `"${sha(body)}"`;

  beforeAll(async () => {
    dbh = await createTestDb(kind);
    srv = await startArtifactsServer(dbh.db, { postgresUrl: kind === 'postgres' ? dbh.url : undefined });
    const u = await userWithKey(dbh.db);
    key = u.key;
    plan = await planWith(dbh.db, u.user.id, source === 'db' ? { reportHtml: html } : { zip: zipSync({ 'report.html': strToU8(html) }) });
  });
  afterAll(async () => {
    await srv?.close();
    await dbh?.close();
  });

  const get = (headers: Record<string, string> = {}, method = 'GET') => request(srv.url, `/download/${plan}/report.html`, { 'X-API-Key': key, ...headers }, method);

  it('200 with type, length, disposition, a sha256 ETag, the source and a sandboxed report', async () => {
    const r = await get();
    expect(r.status).toBe(200);
    expect(r.body.equals(body)).toBe(true);
    expect(r.headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'content-length': String(body.length),
      'content-disposition': 'inline; filename="report.html"',
      etag,
      'accept-ranges': 'bytes',
      'x-planexe-source': source,
      'x-content-type-options': 'nosniff',
    });
    expect(r.headers['content-security-policy']).toMatch(/^sandbox allow-scripts/);
  });

  it('If-None-Match with the ETag (or *, or among others, or weak) → 304 without a body', async () => {
    for (const inm of [etag, '*', `"nope", ${etag}`, `W/${etag}`]) {
      const r = await get({ 'If-None-Match': inm });
      expect(r.status, inm).toBe(304);
      expect(r.body.length).toBe(0);
      expect(r.headers.etag).toBe(etag);
    }
    expect((await get({ 'If-None-Match': '"other"' })).status).toBe(200);
  });

  it('Range: a slice, an open end, a suffix → 206 with Content-Range; past the end → 416; junk or several → 200', async () => {
    const n = body.length;
    const cases: [string, number, number][] = [
      ['bytes=0-99', 0, 100],
      ['bytes=1000-', 1000, n],
      ['bytes=-500', n - 500, n],
      [`bytes=${n - 10}-${n + 500}`, n - 10, n],
      ['bytes=70000-70000', 70000, 70001],
    ];
    for (const [range, a, b] of cases) {
      const r = await get({ Range: range });
      expect(r.status, range).toBe(206);
      expect(r.headers['content-range']).toBe(`bytes ${a}-${b - 1}/${n}`);
      expect(Number(r.headers['content-length'])).toBe(b - a);
      expect(r.body.equals(body.subarray(a, b)), range).toBe(true);
    }
    for (const range of [`bytes=${n}-`, `bytes=${n + 5}-${n + 9}`, 'bytes=-0']) {
      const r = await get({ Range: range });
      expect(r.status, range).toBe(416);
      expect(r.headers['content-range']).toBe(`bytes */${n}`);
    }
    for (const range of ['bytes=0-1,5-9', 'lines=1-2', 'bytes=9-1', 'bytes=abc']) expect((await get({ Range: range })).status, range).toBe(200);
  });

  it('If-Range: the range applies while the ETag matches, else the whole body comes back', async () => {
    expect((await get({ Range: 'bytes=0-9', 'If-Range': etag })).status).toBe(206);
    const r = await get({ Range: 'bytes=0-9', 'If-Range': '"stale"' });
    expect(r.status).toBe(200);
    expect(r.body.length).toBe(body.length);
  });

  it('HEAD: the same headers, no body', async () => {
    const r = await get({}, 'HEAD');
    expect(r.status).toBe(200);
    expect(r.headers['content-length']).toBe(String(body.length));
    expect(r.headers.etag).toBe(etag);
    expect(r.body.length).toBe(0);
  });
});

describe('a body that fails halfway', () => {
  it('cuts the connection (the client sees an incomplete response, never a short "complete" one) and disposes the handle', async () => {
    let disposed = 0;
    const app = new Koa();
    app.silent = true;
    app.use((ctx) => {
      const open = () =>
        Readable.from(
          (async function* () {
            yield Buffer.alloc(64 * 1024, 1);
            await new Promise((r) => setTimeout(r, 20));
            throw new Error('source died');
          })(),
        );
      sendArtifact(ctx, { source: 'db', size: 1_000_000, sha256: 'ab'.repeat(32), open, dispose: async () => void disposed++ }, {
        contentType: 'application/zip',
        disposition: 'attachment; filename="x.zip"',
        log: silentLogger(),
      });
    });
    const server = createServer(app.callback());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      await expect(request(url, '/x')).rejects.toThrow(/aborted|socket hang up|ECONNRESET/);
      await new Promise((r) => setTimeout(r, 50));
      expect(disposed).toBe(1);
    } finally {
      server.close();
    }
  });
});

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudClient, normaliseCloudUrl, planDownload } from '../src/index.ts';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('plan_download edge cases (spec/tools.md §9.4)', () => {
  let server: Server;
  let url: string;
  let dir: string;
  let info: Record<string, unknown> = {};
  let file = { status: 200, body: '' };
  const keys: (string | undefined)[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'planexe-dl-'));
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        if (req.url === '/mcp/tools/call') {
          res.setHeader('content-type', 'application/json');
          return res.end(JSON.stringify({ content: [{ text: JSON.stringify(info) }], error: null }));
        }
        keys.push(req.headers['x-api-key'] as string | undefined);
        res.writeHead(file.status, { 'content-type': 'application/octet-stream' });
        res.end(file.body);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.close();
    await rm(dir, { recursive: true, force: true });
  });

  const run = (args: Record<string, unknown>, planexePath = join(dir, 'out')) =>
    planDownload(args, { client: new CloudClient({ urls: normaliseCloudUrl(url), apiKey: 'pex_k', retryDelaysMs: [1, 1] }), planexePath, log: () => {} });

  it('joins a relative download_url to the server, sends the key to it, and saves the file', async () => {
    info = { content_type: 'text/html; charset=utf-8', sha256: sha('<html/>'), download_size: 7, download_url: '/download/p1/report.html' };
    file = { status: 200, body: '<html/>' };
    const r = await run({ plan_id: 'p1' });
    expect(r).toMatchObject({ isError: false, payload: { download_url: `${url}/download/p1/report.html`, saved_path: join(dir, 'out', 'p1-report.html') } });
    expect(keys.at(-1)).toBe('pex_k');
  });

  it('without a download_url the URL is derived; a changed file (sha256 mismatch) is not saved', async () => {
    info = { content_type: 'application/zip', sha256: sha('old'), download_size: 3 };
    file = { status: 200, body: 'new' };
    const r = await run({ plan_id: 'p2', artifact: 'zip' });
    expect(r.isError).toBe(true);
    expect((r.payload.error as any).code).toBe('DOWNLOAD_FAILED');
    expect((r.payload.error as any).message).toMatch(/sha256 mismatch/);
    expect((await readdir(join(dir, 'out'))).filter((n) => n.startsWith('p2') || n.endsWith('.part'))).toEqual([]);
  });

  it('an HTTP error, a non-directory PLANEXE_PATH and a bad artifact are DOWNLOAD_FAILED / INVALID_ARGUMENT', async () => {
    info = { content_type: 'text/html; charset=utf-8', sha256: sha('x'), download_size: 1 };
    file = { status: 401, body: JSON.stringify({ error: { code: 'INVALID_DOWNLOAD_TOKEN', message: 'Download token has expired' }, detail: 'Invalid or expired download token' }) };
    expect((await run({ plan_id: 'p3' })).payload).toEqual({ error: { code: 'DOWNLOAD_FAILED', message: 'HTTP 401: Download token has expired' } });
    await writeFile(join(dir, 'plainfile'), 'x');
    file = { status: 200, body: 'x' };
    expect((await run({ plan_id: 'p3' }, join(dir, 'plainfile'))).payload).toEqual({
      error: { code: 'DOWNLOAD_FAILED', message: `PLANEXE_PATH is not a directory: ${join(dir, 'plainfile')}` },
    });
    expect((await run({ plan_id: 'p3', artifact: 7 })).payload.error).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect((await run({})).payload.error).toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('not-ready and terminal answers are returned as they are; nothing is downloaded', async () => {
    const before = keys.length;
    for (const payload of [{}, { ready: false, reason: 'processing' }, { error: { code: 'content_unavailable', message: 'content_bytes is None' } }]) {
      info = payload;
      expect(await run({ plan_id: 'p4' })).toEqual({ isError: false, payload });
    }
    expect(keys.length).toBe(before);
  });
});

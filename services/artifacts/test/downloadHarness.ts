import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Koa from 'koa';
import { sql } from 'kysely';
import { DownloadTokens, issueApiKey, KeyCache } from '@planexe/auth';
import { createUser, insertPlan, type Db } from '@planexe/db';
import { edgeAuth } from '@planexe/gateway';
import { silentLogger } from '@planexe/telemetry';
import { createArtifactsService, type ArtifactsOptions, type ArtifactsService } from '../src/index.ts';

export const API_SECRET = 'artifacts-test-api-secret';
export const TOKEN_SECRET = 'artifacts-test-download-secret';

export interface ArtifactsTestServer {
  url: string;
  service: ArtifactsService;
  tokens: DownloadTokens;
  close(): Promise<void>;
}

/** The artifacts middleware behind the real edge auth (auth required), on an ephemeral loopback port. */
export async function startArtifactsServer(db: Db, opts: ArtifactsOptions & { tokens?: DownloadTokens } = {}): Promise<ArtifactsTestServer> {
  const tokens = opts.tokens ?? new DownloadTokens([TOKEN_SECRET, API_SECRET], 900);
  const log = silentLogger();
  const service = createArtifactsService({ db, tokens, log }, opts);
  const app = new Koa();
  app.silent = true;
  app.use(edgeAuth({ db, auth: { requireAuth: true, apiKeySecret: API_SECRET }, keyCache: new KeyCache(0), tokens, maxBodyBytes: 1 << 20, log }));
  app.use(service.middleware);
  app.use(async (ctx) => {
    ctx.status = 404;
    ctx.body = { error: { code: 'NOT_FOUND', message: 'Not Found' }, detail: 'Not Found' };
  });
  const server: Server = createServer(app.callback());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    service,
    tokens,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await service.close();
    },
  };
}

export async function userWithKey(db: Db) {
  const user = await createUser(db, { email: `u${randomUUID()}@example.com`, credits: 10 });
  const { key } = await issueApiKey(db, user.id, API_SECRET, 'test');
  return { user, key };
}

export interface StoredArtifacts {
  reportHtml?: string | null;
  zip?: Uint8Array | null;
  layoutVersion?: number | null;
}

/** A completed plan of `owner` with the given stored artifacts. */
export async function planWith(db: Db, owner: string, a: StoredArtifacts = {}): Promise<string> {
  const p = await insertPlan(db, { prompt: 'artifact test', userId: owner, apiKeyId: null, parameters: { _mcp_task_id: `task-${randomUUID()}` } });
  await setArtifacts(db, p.id, a);
  return p.id;
}

export async function setArtifacts(db: Db, id: string, a: StoredArtifacts): Promise<void> {
  const zip = a.zip ? Buffer.from(a.zip) : null;
  await sql`update plans set state = 'completed', generated_report_html = ${a.reportHtml ?? null}, run_zip_snapshot = ${zip},
    run_artifact_layout_version = ${'layoutVersion' in a ? (a.layoutVersion ?? null) : zip ? 2 : null} where id = ${id}`.execute(db);
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A GET/HEAD sent with the path exactly as given (no URL normalisation, so `..` and `%2e` reach the server). */
export function request(base: string, rawPath: string, headers: Record<string, string> = {}, method = 'GET'): Promise<RawResponse> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path: rawPath, method, headers, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(parts) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

export const jsonOf = (r: RawResponse) => JSON.parse(r.body.toString('utf8'));

/** The worker run-file API as its own process (the real runFilesApp). */
export async function startWorkerProcess(runBase: string, secret?: string): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  const here = dirname(fileURLToPath(import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'fixtures', 'runFilesServer.ts'), runBase, secret ?? ''], {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: join(here, '..', '..', '..'),
  });
  let err = '';
  // the worker's Koa logs client aborts to stderr: kept for a failed start only
  child.stderr!.on('data', (c) => (err = (err + String(c)).slice(-2000)));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c) => {
      out += String(c);
      const m = /port=(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`run-file server exited with ${code}: ${err}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createTestPostgresDb, postgresAvailable } from '@planexe/testing/infra';
import { encodeCaller, DownloadTokens } from '@planexe/auth';
import type { DbHandle } from '@planexe/db';
import { planWith, request, userWithKey, jsonOf } from './downloadHarness.ts';

const pg = await postgresAvailable();
const root = join(import.meta.dirname, '..', '..', '..');

describe.runIf(pg)('artifacts service process (distributed mode, behind the gateway)', () => {
  let dbh: DbHandle & { url: string };
  let child: ChildProcess;
  let url: string;
  const env = { PLANEXE_INTERNAL_SECRET: 'internal-s3cret', PLANEXE_DOWNLOAD_TOKEN_SECRET: 'main-test-download-secret' };

  beforeAll(async () => {
    dbh = await createTestPostgresDb();
    child = spawn(process.execPath, ['--import', 'tsx', 'services/artifacts/src/main.ts'], {
      cwd: root,
      env: { ...process.env, ...env, SQLALCHEMY_DATABASE_URI: dbh.url, PORT: '0', PLANEXE_MCP_HTTP_HOST: '127.0.0.1', PLANEXE_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    url = await new Promise<string>((resolve, reject) => {
      let err = '';
      child.stderr!.on('data', (c) => {
        err += String(c);
        const m = /"port":(\d+)/.exec(err);
        if (m) resolve(`http://127.0.0.1:${m[1]}`);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
    });
  });
  afterAll(async () => {
    if (child && child.exitCode === null) {
      const done = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await done;
    }
    await dbh?.close();
  });

  it('serves only requests that carry the internal secret, with the caller the gateway forwards', async () => {
    const alice = await userWithKey(dbh.db);
    const id = await planWith(dbh.db, alice.user.id, { reportHtml: '<html>main</html>' });
    const caller = encodeCaller({ kind: 'user', owner: alice.user.id, userId: alice.user.id, apiKeyId: null, user: null });
    const direct = await request(url, `/download/${id}/report.html`);
    expect(direct.status).toBe(403);
    const viaGateway = await request(url, `/download/${id}/report.html`, { 'x-planexe-internal': env.PLANEXE_INTERNAL_SECRET, 'x-planexe-caller': caller });
    expect(viaGateway.status).toBe(200);
    expect(viaGateway.headers['x-planexe-source']).toBe('db');
    const anon = await request(url, `/download/${id}/report.html`, { 'x-planexe-internal': env.PLANEXE_INTERNAL_SECRET });
    expect(jsonOf(anon).detail).toBe('Plan not found');
    const token = new DownloadTokens([env.PLANEXE_DOWNLOAD_TOKEN_SECRET], 900).sign(id, 'report.html').token;
    expect((await request(url, `/download/${id}/report.html?token=${token}`, { 'x-planexe-internal': env.PLANEXE_INTERNAL_SECRET })).status).toBe(200);
    expect((await request(url, '/livez')).status).toBe(200);
  });

  it('refuses to start without the internal secret', async () => {
    const c = spawn(process.execPath, ['--import', 'tsx', 'services/artifacts/src/main.ts'], {
      cwd: root,
      env: { ...process.env, PLANEXE_INTERNAL_SECRET: '', PLANEXE_DOWNLOAD_TOKEN_SECRET: 'x', SQLALCHEMY_DATABASE_URI: dbh.url },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    c.stderr!.on('data', (d) => (err += String(d)));
    const code = await new Promise((r) => c.once('exit', r));
    expect(code).toBe(2);
    expect(err).toContain('PLANEXE_INTERNAL_SECRET');
  });
});

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { createTestDb, dbKinds, type DbKind } from '@planexe/testing/infra';
import { reportMeta, zipMeta } from '@planexe/artifact-sources';
import type { DbHandle } from '@planexe/db';
import { planWith, request, jsonOf, startArtifactsServer, startWorkerProcess, userWithKey, type ArtifactsTestServer } from './downloadHarness.ts';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe.each(await dbKinds())('download fallback chain: DB → zip snapshot → run dir → worker HTTP (%s)', (kind: DbKind) => {
  let dbh: DbHandle & { url?: string };
  let srv: ArtifactsTestServer;
  let worker: Awaited<ReturnType<typeof startWorkerProcess>>;
  let runDir: string;
  let workerDir: string;
  let alice: Awaited<ReturnType<typeof userWithKey>>;

  beforeAll(async () => {
    dbh = await createTestDb(kind);
    runDir = await mkdtemp(join(tmpdir(), 'planexe-art-run-'));
    workerDir = await mkdtemp(join(tmpdir(), 'planexe-art-worker-'));
    worker = await startWorkerProcess(workerDir);
    srv = await startArtifactsServer(dbh.db, { runDir, workerPlanUrl: worker.url + '/', postgresUrl: kind === 'postgres' ? dbh.url : undefined });
    alice = await userWithKey(dbh.db);
  });
  afterAll(async () => {
    await srv?.close();
    await worker?.stop();
    await dbh?.close();
    await rm(runDir, { recursive: true, force: true });
    await rm(workerDir, { recursive: true, force: true });
  });

  const get = (id: string, file: string) => request(srv.url, `/download/${id}/${file}`, { 'X-API-Key': alice.key });
  const put = async (base: string, id: string, files: Record<string, string | Uint8Array>) => {
    await mkdir(join(base, id), { recursive: true });
    for (const [n, v] of Object.entries(files)) await writeFile(join(base, id, n), v);
  };
  const expectServed = (r: Awaited<ReturnType<typeof get>>, body: Uint8Array, source: string) => {
    expect(r.status).toBe(200);
    expect(r.headers['x-planexe-source']).toBe(source);
    expect(sha(r.body)).toBe(sha(body));
    expect(r.headers.etag).toBe(`"${sha(body)}"`);
    expect(Number(r.headers['content-length'])).toBe(body.length);
  };

  it('report.html: each source serves it when the ones before lack it', async () => {
    const inDb = '<html>db ✓</html>';
    const inZip = '<html>zip ✓ ' + 'z'.repeat(50_000) + '</html>';
    const inRunDir = '<html>run dir ✓</html>';
    const inWorker = '<html>worker ✓</html>';
    const zipWithReport = zipSync({ 'report.html': strToU8(inZip), 'plan.md': strToU8('# p') });
    const zipWithout = zipSync({ 'plan.md': strToU8('# p') });

    const a = await planWith(dbh.db, alice.user.id, { reportHtml: inDb, zip: zipWithReport });
    const b = await planWith(dbh.db, alice.user.id, { zip: zipWithReport });
    const c = await planWith(dbh.db, alice.user.id, { zip: zipWithout });
    const d = await planWith(dbh.db, alice.user.id, {});
    const e = await planWith(dbh.db, alice.user.id, {});
    for (const id of [a, b, c, d]) await put(runDir, id, { 'report.html': inRunDir });
    for (const id of [a, b, c, d, e]) await put(workerDir, id, { 'report.html': inWorker });
    await rm(join(runDir, d), { recursive: true });

    expectServed(await get(a, 'report.html'), strToU8(inDb), 'db');
    expectServed(await get(b, 'report.html'), strToU8(inZip), 'zip');
    expectServed(await get(c, 'report.html'), strToU8(inRunDir), 'rundir');
    expectServed(await get(d, 'report.html'), strToU8(inWorker), 'worker');
    expectServed(await get(e, 'report.html'), strToU8(inWorker), 'worker');
    await rm(join(workerDir, e), { recursive: true });
    const none = await get(e, 'report.html');
    expect(none.status).toBe(404);
    expect(jsonOf(none)).toEqual({ error: { code: 'NOT_FOUND', message: 'Report not found' }, detail: 'Report not found' });
    // plan_file_info (tools, no run dir) describes the bytes the download serves
    expect(await reportMeta(dbh.db, a)).toEqual({ sha256: sha(strToU8(inDb)), size: Buffer.byteLength(inDb), source: 'db' });
    expect(await reportMeta(dbh.db, b)).toMatchObject({ sha256: sha(strToU8(inZip)), source: 'zip' });
    expect(await reportMeta(dbh.db, d, worker.url)).toMatchObject({ sha256: sha(strToU8(inWorker)), source: 'worker' });
  });

  it('run.zip: DB snapshot as stored → sanitised legacy snapshot → run dir zip → worker zip', async () => {
    const current = zipSync({ 'report.html': strToU8('<html/>'), 'a.json': strToU8('{}') });
    const legacy = zipSync({ 'plan.md': strToU8('# p'), 'track_activity.jsonl': strToU8('{"raw":1}'), 'dir/': new Uint8Array(0) });
    const a = await planWith(dbh.db, alice.user.id, { zip: current, layoutVersion: 2 });
    const b = await planWith(dbh.db, alice.user.id, { zip: legacy, layoutVersion: null });
    const c = await planWith(dbh.db, alice.user.id, { zip: randomBytes(2000), layoutVersion: 0 }); // unreadable legacy snapshot
    const d = await planWith(dbh.db, alice.user.id, {});
    await put(runDir, c, { 'plan.md': '# from run dir', 'log.txt': 'log', 'track_activity.jsonl': '{}' });
    await put(workerDir, d, { 'plan.md': '# from worker', 'log.txt': 'log', 'track_activity.jsonl': '{}' });

    const ra = await get(a, 'run.zip');
    expectServed(ra, current, 'db');
    expect(ra.headers['content-type']).toBe('application/zip');
    expect(ra.headers['content-disposition']).toBe(`attachment; filename="${a}.zip"`);

    const rb = await get(b, 'run.zip');
    expect(rb.status).toBe(200);
    expect(rb.headers['x-planexe-source']).toBe('db');
    expect(Object.keys(unzipSync(rb.body))).toEqual(['plan.md']);
    expect((await zipMeta(dbh.db, b))!.sha256).toBe(sha(rb.body)); // deterministic: plan_file_info's sha256 holds

    const rc = await get(c, 'run.zip');
    expect(rc.headers['x-planexe-source']).toBe('rundir');
    expect(Object.keys(unzipSync(rc.body))).toEqual(['plan.md']);
    expect(Buffer.from(unzipSync(rc.body)['plan.md']).toString()).toBe('# from run dir');

    const rd = await get(d, 'run.zip');
    expect(rd.headers['x-planexe-source']).toBe('worker');
    expect(sha(rd.body)).toBe(rd.headers.etag!.slice(1, -1));
    expect(Object.keys(unzipSync(rd.body))).toEqual(['plan.md']);
    expect(Buffer.from(unzipSync(rd.body)['plan.md']).toString()).toBe('# from worker');
  });

  it('the worker source needs PLANEXE_WORKER_PLAN_URL only, sends the internal secret, and is skipped when down', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'planexe-art-worker2-'));
    const guarded = await startWorkerProcess(dir, 'internal-secret');
    const id = await planWith(dbh.db, alice.user.id, {});
    await put(dir, id, { 'report.html': '<html>guarded</html>' });
    const withSecret = await startArtifactsServer(dbh.db, { workerPlanUrl: guarded.url, internalSecret: 'internal-secret' });
    const without = await startArtifactsServer(dbh.db, { workerPlanUrl: guarded.url });
    const noWorker = await startArtifactsServer(dbh.db, {});
    try {
      const h = { 'X-API-Key': alice.key };
      expect((await request(withSecret.url, `/download/${id}/report.html`, h)).headers['x-planexe-source']).toBe('worker');
      expect((await request(without.url, `/download/${id}/report.html`, h)).status).toBe(404);
      expect((await request(noWorker.url, `/download/${id}/report.html`, h)).status).toBe(404);
      // a URL in the request never reaches the worker fetch
      expect((await request(noWorker.url, `/download/${id}/report.html?worker=${encodeURIComponent(guarded.url)}`, h)).status).toBe(404);
      await guarded.stop();
      const t0 = Date.now();
      expect((await request(withSecret.url, `/download/${id}/report.html`, h)).status).toBe(404);
      expect(Date.now() - t0).toBeLessThan(3_000);
    } finally {
      await guarded.stop();
      await Promise.all([withSecret.close(), without.close(), noWorker.close()]);
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a plan is found by its legacy task id too, and the zip is named after the id in the path', async () => {
    const id = await planWith(dbh.db, alice.user.id, { reportHtml: '<html>legacy</html>' });
    const row = await dbh.db.selectFrom('plans').select('parameters').where('id', '=', id).executeTakeFirstOrThrow();
    const task = (typeof row.parameters === 'string' ? JSON.parse(row.parameters) : row.parameters)._mcp_task_id;
    const r = await request(srv.url, `/download/${task}/report.html`, { 'X-API-Key': alice.key });
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe('<html>legacy</html>');
    expect(randomUUID()).not.toBe(id);
  });
});

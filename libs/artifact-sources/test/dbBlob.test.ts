import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { createTestDb, dbKinds, PG_ADMIN_URL } from '@planexe/testing/infra';
import { BlobChangedError, blobDigest, blobVersion, finishRun, insertPlan, retryPlan, writeBlob, type DbHandle } from '@planexe/db';
import { createCopyStreamer, dbBlobStore, type CopyStreamer } from '../src/index.ts';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
async function collect(s: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(c as Buffer);
  return Buffer.concat(parts);
}
/** Chunks small enough that every range below crosses several of them. */
const CHUNK = 64 * 1024;

describe.each(await dbKinds())('stored artifacts read in pages (%s)', (kind) => {
  let dbh: DbHandle & { url?: string };
  let copy: CopyStreamer | undefined;
  const zip = randomBytes(3 * 1024 * 1024 + 123);
  const html = '<html>ünïcødé ' + 'x'.repeat(10_000) + '</html>';
  /** One plan per storage form: the legacy bytea column, and chunks linked from the plan. */
  const plans: Record<'column' | 'chunks', string> = { column: '', chunks: '' };
  const newPlan = async () => (await insertPlan(dbh.db, { prompt: 'p', userId: 'u', apiKeyId: null, parameters: {} })).id;
  async function linkBlob(planId: string, bytes: Uint8Array, chunkBytes = CHUNK) {
    // the pieces arrive in sizes unrelated to the chunk size, as from a file being written
    const pieces = function* () {
      for (let p = 0; p < bytes.length; p += 100_003) yield bytes.subarray(p, Math.min(bytes.length, p + 100_003));
    };
    const b = await writeBlob(dbh.db, planId, pieces(), chunkBytes);
    await sql`update plans set run_zip_blob_id = ${b.id}, run_artifact_layout_version = 2 where id = ${planId}`.execute(dbh.db);
    return b;
  }
  const blobCount = async (planId: string) =>
    Number((await sql<{ n: string }>`select count(*)::text as n from artifact_blobs where plan_id = ${planId}`.execute(dbh.db)).rows[0].n);

  beforeAll(async () => {
    dbh = await createTestDb(kind);
    if (kind === 'postgres') copy = createCopyStreamer((dbh as { url: string }).url, 2);
    plans.column = await newPlan();
    await sql`update plans set run_zip_snapshot = ${zip}, generated_report_html = ${html}, run_artifact_layout_version = 2 where id = ${plans.column}`.execute(dbh.db);
    plans.chunks = await newPlan();
    const b = await linkBlob(plans.chunks, zip);
    expect(b).toEqual({ id: expect.any(String), size: zip.length, sha256: sha(zip) });
  });
  afterAll(async () => {
    await copy?.close();
    await dbh?.close();
  });

  it('versions carry the byte length, layout and what pins them; digests need no read of the bytes', async () => {
    for (const form of ['column', 'chunks'] as const) {
      const v = (await blobVersion(dbh.db, plans[form], 'zip'))!;
      expect(v).toMatchObject({ size: zip.length, layoutVersion: 2, pin: { kind: form } });
      expect(await blobDigest(dbh.db, v)).toBe(sha(zip));
    }
    const r = (await blobVersion(dbh.db, plans.column, 'report'))!;
    expect(r.size).toBe(Buffer.byteLength(html));
    expect(await blobDigest(dbh.db, r)).toBe(sha(Buffer.from(html)));
    expect(await blobVersion(dbh.db, '00000000-0000-4000-8000-000000000000', 'zip')).toBeNull();
    expect(await blobVersion(dbh.db, plans.chunks, 'report')).toBeNull();
  });

  for (const form of ['column', 'chunks'] as const) {
    for (const mode of ['pages', 'copy'] as const) {
      it(`${form}, ${mode}: whole values, ranges across chunk boundaries and small reads`, async () => {
        if (mode === 'copy' && !copy) return;
        const v = (await blobVersion(dbh.db, plans[form], 'zip'))!;
        const store = dbBlobStore(dbh.db, v, { copy: mode === 'copy' ? copy : undefined, chunkBytes: 200_000 });
        expect(sha(await collect(store.stream(0, zip.length)))).toBe(sha(zip));
        for (const [a, b] of [[1_048_570, 1_048_590], [CHUNK - 1, CHUNK + 1], [CHUNK, 3 * CHUNK], [5, 7 * CHUNK + 9], [zip.length - 7, zip.length]]) {
          expect(await collect(store.stream(a, b))).toEqual(zip.subarray(a, b));
        }
        expect(await store.read(5, 10)).toEqual(zip.subarray(5, 15));
        expect(await store.read(CHUNK - 3, 6)).toEqual(zip.subarray(CHUNK - 3, CHUNK + 3));
        expect(await store.read(zip.length - 4, 100)).toEqual(zip.subarray(zip.length - 4));
        if (form === 'column') {
          const r = (await blobVersion(dbh.db, plans.column, 'report'))!;
          const rs = dbBlobStore(dbh.db, r, { copy: mode === 'copy' ? copy : undefined, chunkBytes: 4096 });
          expect((await collect(rs.stream(0, r.size))).toString('utf8')).toBe(html);
        }
      });

      it(`${form}, ${mode}: an artifact that changes after it was resolved ends the read with BlobChangedError`, async () => {
        if (mode === 'copy' && !copy) return;
        const p = await newPlan();
        if (form === 'column') await sql`update plans set run_zip_snapshot = ${zip} where id = ${p}`.execute(dbh.db);
        else await linkBlob(p, zip);
        const v = (await blobVersion(dbh.db, p, 'zip'))!;
        // a newer snapshot: the row version moves on, and a replaced blob is deleted with the update
        if (form === 'column') await sql`update plans set progress_message = 'newer' where id = ${p}`.execute(dbh.db);
        else await linkBlob(p, randomBytes(1000));
        const store = dbBlobStore(dbh.db, v, { copy: mode === 'copy' ? copy : undefined });
        await expect(collect(store.stream(0, zip.length))).rejects.toBeInstanceOf(BlobChangedError);
        if (form === 'column') await expect(blobDigest(dbh.db, v)).rejects.toBeInstanceOf(BlobChangedError);
        else expect(await blobCount(p)).toBe(1);
      });
    }
  }

  it('pages: a blob deleted between two pages ends the read with BlobChangedError', async () => {
    const p = await newPlan();
    await linkBlob(p, zip);
    const v = (await blobVersion(dbh.db, p, 'zip'))!;
    const s = dbBlobStore(dbh.db, v, { chunkBytes: CHUNK }).stream(0, zip.length);
    const it = s[Symbol.asyncIterator]();
    expect(((await it.next()).value as Buffer).length).toBe(CHUNK);
    await sql`update plans set run_zip_blob_id = null where id = ${p}`.execute(dbh.db);
    await expect((async () => {
      for (;;) if ((await it.next()).done) return;
    })()).rejects.toBeInstanceOf(BlobChangedError);
  });

  it('finishRun stores the zip as chunks, a retry drops them, and a superseded run leaves none behind', async () => {
    const p = await newPlan();
    await sql`update plans set state = 'processing', run_zip_snapshot = ${Buffer.from('legacy')} where id = ${p}`.execute(dbh.db);
    const small = randomBytes(2 * 1024 * 1024 + 5);
    const row = await finishRun(dbh.db, { planId: p, attempt: 0 }, { state: 'completed', stepsTotal: 1 }, { reportHtml: '<html></html>', zip: small, activityOverview: null });
    expect(row?.state).toBe('completed');
    const v = (await blobVersion(dbh.db, p, 'zip'))!;
    expect(v).toMatchObject({ size: small.length, layoutVersion: 2, pin: { kind: 'chunks' } });
    expect(sha(await collect(dbBlobStore(dbh.db, v).stream(0, v.size)))).toBe(sha(small));
    expect((await sql<{ legacy: unknown }>`select run_zip_snapshot as legacy from plans where id = ${p}`.execute(dbh.db)).rows[0].legacy).toBeNull();
    await sql`update plans set state = 'failed' where id = ${p}`.execute(dbh.db);
    expect(await retryPlan(dbh.db, p, { modelProfile: 'baseline' })).toMatchObject({ ok: true });
    expect(await blobVersion(dbh.db, p, 'zip')).toBeNull();
    expect(await blobCount(p)).toBe(0);
    // attempt 0 no longer runs this plan: its final write matches nothing, and its chunks are dropped
    const stale = await finishRun(dbh.db, { planId: p, attempt: 0 }, { state: 'completed', stepsTotal: 1 }, { reportHtml: null, zip: small, activityOverview: null });
    expect(stale).toBeUndefined();
    expect(await blobCount(p)).toBe(0);
  });

  it('copy: a reader that stops early releases its connection (the pool keeps serving)', async () => {
    if (!copy) return;
    const v = (await blobVersion(dbh.db, plans.chunks, 'zip'))!;
    for (let i = 0; i < 4; i++) {
      const s = copy.stream(v, 0, zip.length);
      await new Promise<void>((resolve) => s.once('data', () => resolve()));
      s.destroy();
    }
    const store = dbBlobStore(dbh.db, v, { copy });
    expect(sha(await collect(store.stream(0, zip.length)))).toBe(sha(zip));
    expect(PG_ADMIN_URL).toBeTruthy();
  });
});

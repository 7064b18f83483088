import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { createTestDb, dbKinds, PG_ADMIN_URL } from '@planexe/testing/infra';
import { insertPlan, type DbHandle } from '@planexe/db';
import { BlobChangedError, blobDigest, blobVersion, createCopyStreamer, dbBlobStore, type CopyStreamer } from '../src/index.ts';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
async function collect(s: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

describe.each(await dbKinds())('stored artifacts read in slices (%s)', (kind) => {
  let dbh: DbHandle & { url?: string };
  let copy: CopyStreamer | undefined;
  let planId: string;
  const zip = randomBytes(3 * 1024 * 1024 + 123);
  const html = '<html>ünïcødé ' + 'x'.repeat(10_000) + '</html>';

  beforeAll(async () => {
    dbh = await createTestDb(kind);
    if (kind === 'postgres') copy = createCopyStreamer((dbh as { url: string }).url, 2);
    const p = await insertPlan(dbh.db, { prompt: 'p', userId: 'u', apiKeyId: null, parameters: {} });
    planId = p.id;
    await sql`update plans set run_zip_snapshot = ${zip}, generated_report_html = ${html}, run_artifact_layout_version = 2 where id = ${planId}`.execute(dbh.db);
  });
  afterAll(async () => {
    await copy?.close();
    await dbh?.close();
  });

  it('versions carry the byte length, layout and row version; digests are computed by the database', async () => {
    const v = (await blobVersion(dbh.db, planId, 'zip'))!;
    expect(v).toMatchObject({ size: zip.length, layoutVersion: 2 });
    expect(await blobDigest(dbh.db, v)).toBe(sha(zip));
    const r = (await blobVersion(dbh.db, planId, 'report'))!;
    expect(r.size).toBe(Buffer.byteLength(html));
    expect(await blobDigest(dbh.db, r)).toBe(sha(Buffer.from(html)));
    expect(await blobVersion(dbh.db, '00000000-0000-4000-8000-000000000000', 'zip')).toBeNull();
  });

  for (const mode of ['substring', 'copy'] as const) {
    it(`${mode}: whole values, ranges and small reads`, async () => {
      if (mode === 'copy' && !copy) return;
      const v = (await blobVersion(dbh.db, planId, 'zip'))!;
      const store = dbBlobStore(dbh.db, v, { copy: mode === 'copy' ? copy : undefined, chunkBytes: 1024 * 1024 });
      expect(sha(await collect(store.stream(0, zip.length)))).toBe(sha(zip));
      expect(await collect(store.stream(1_048_570, 1_048_590))).toEqual(zip.subarray(1_048_570, 1_048_590));
      expect(await collect(store.stream(zip.length - 7, zip.length))).toEqual(zip.subarray(zip.length - 7));
      expect(await store.read(5, 10)).toEqual(zip.subarray(5, 15));
      const r = (await blobVersion(dbh.db, planId, 'report'))!;
      const rs = dbBlobStore(dbh.db, r, { copy: mode === 'copy' ? copy : undefined, chunkBytes: 4096 });
      expect((await collect(rs.stream(0, r.size))).toString('utf8')).toBe(html);
    });

    it(`${mode}: a row that changes after it was resolved ends the read with BlobChangedError`, async () => {
      if (mode === 'copy' && !copy) return;
      const p = await insertPlan(dbh.db, { prompt: 'p', userId: 'u', apiKeyId: null, parameters: {} });
      await sql`update plans set run_zip_snapshot = ${zip} where id = ${p.id}`.execute(dbh.db);
      const v = (await blobVersion(dbh.db, p.id, 'zip'))!;
      await sql`update plans set progress_message = 'newer' where id = ${p.id}`.execute(dbh.db);
      const store = dbBlobStore(dbh.db, v, { copy: mode === 'copy' ? copy : undefined });
      await expect(collect(store.stream(0, zip.length))).rejects.toBeInstanceOf(BlobChangedError);
      await expect(blobDigest(dbh.db, v)).rejects.toBeInstanceOf(BlobChangedError);
    });
  }

  it('copy: a reader that stops early releases its connection (the pool keeps serving)', async () => {
    if (!copy) return;
    const v = (await blobVersion(dbh.db, planId, 'zip'))!;
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

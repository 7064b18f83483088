import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { createTestDb, dbKinds } from '@planexe/testing/infra';
import {
  createUser,
  findDuplicatePlan,
  getPlan,
  grantCredits,
  insertApiKey,
  findActiveKeyByHash,
  insertPlan,
  listPlans,
  listUnfinishedPlans,
  loadSnapshot,
  migrate,
  resolvePlanId,
  resumePlan,
  retryPlan,
  revokeApiKey,
  stopPlan,
  blobDigest,
  blobVersion,
  splitSqlStatements,
  type DbHandle,
} from '@planexe/db';

const kinds = await dbKinds();

describe.each(kinds)('db contract (%s)', (kind) => {
  let h: DbHandle;
  beforeAll(async () => {
    h = await createTestDb(kind);
  });
  afterAll(async () => h?.close());
  const plan = (extra: Partial<Parameters<typeof insertPlan>[1]> = {}) =>
    insertPlan(h.db, { prompt: `p ${randomUUID()}`, userId: 'admin', apiKeyId: null, parameters: { model_profile: 'baseline', pipeline_version: 2 }, ...extra });

  it('migrations are idempotent: a second run applies nothing', async () => {
    expect(await migrate(h.db)).toEqual([]);
  });

  it('stores timestamps as UTC and reads them back as the same instant', async () => {
    const before = Date.now();
    const p = await plan();
    expect(Math.abs(p.timestamp_created.getTime() - before)).toBeLessThan(5_000);
    const r = await sql<{ t: string }>`select to_char(timestamp_created, 'YYYY-MM-DD"T"HH24:MI:SS') as t from plans where id = ${p.id}`.execute(h.db);
    expect(r.rows[0].t).toBe(p.timestamp_created.toISOString().slice(0, 19));
  });

  it('keeps a prompt UTF-8 safe (NUL removed, unicode kept)', async () => {
    const p = await plan({ prompt: 'Café\u0000 in Kødbyen 🌱' });
    expect(p.prompt).toBe('Café in Kødbyen 🌱');
  });

  it('scopes reads to the owner', async () => {
    const p = await plan({ userId: 'owner-a' });
    expect((await getPlan(h.db, p.id, 'owner-a'))?.id).toBe(p.id);
    expect(await getPlan(h.db, p.id, 'owner-b')).toBeUndefined();
    expect((await getPlan(h.db, p.id, undefined))?.id).toBe(p.id);
    expect((await listPlans(h.db, 'owner-b', 50)).some((r) => r.id === p.id)).toBe(false);
  });

  it('resolves a legacy _mcp_task_id', async () => {
    const legacy = `legacy-${randomUUID()}`;
    const p = await plan({ parameters: { _mcp_task_id: legacy } });
    expect(await resolvePlanId(h.db, legacy, null, 'admin')).toBe(p.id);
    expect(await resolvePlanId(h.db, legacy, null, 'someone-else')).toBeUndefined();
  });

  it('finds a duplicate only within the window, same profile, pending/processing', async () => {
    const p = await plan({ prompt: 'dup prompt', parameters: { model_profile: 'premium' } });
    expect((await findDuplicatePlan(h.db, { userId: 'admin', prompt: 'dup prompt', modelProfile: 'premium', windowSeconds: 60 }))?.id).toBe(p.id);
    expect(await findDuplicatePlan(h.db, { userId: 'admin', prompt: 'dup prompt', modelProfile: 'baseline', windowSeconds: 60 })).toBeUndefined();
    await sql`update plans set timestamp_created = timestamp_created - interval '2 minutes' where id = ${p.id}`.execute(h.db);
    expect(await findDuplicatePlan(h.db, { userId: 'admin', prompt: 'dup prompt', modelProfile: 'premium', windowSeconds: 60 })).toBeUndefined();
  });

  it('stop is one conditional update: of racing stops exactly one wins, and the version bumps', async () => {
    const p = await plan();
    const results = await Promise.all([1, 2, 3].map(() => stopPlan(h.db, p.id)));
    expect(results.filter((r) => r.stopped)).toHaveLength(1);
    const snap = await loadSnapshot(h.db, p.id);
    expect(snap).toMatchObject({ state: 'stopped', stop_requested: true, version: 2, progress_message: 'Stop requested by user.' });
  });

  it('retry clears artifacts and step files, bumps the attempt, settles incremental billing', async () => {
    const user = await createUser(h.db, { credits: 5 });
    const p = await plan({ userId: user.id });
    await sql`update plans set state = 'failed', generated_report_html = 'r', run_zip_snapshot = '\\x0102', failure_reason = 'generation_error' where id = ${p.id}`.execute(h.db);
    await h.db.insertInto('plan_files').values({ plan_id: p.id, filename: 'plan.txt', step: 'Setup', content: Buffer.from('x'), byte_size: 1, sha256: 'a'.repeat(64) }).execute();
    await h.db.insertInto('credit_history').values({ id: randomUUID(), user_id: user.id, delta: -0.5, reason: 'plan_usage_in_progress', source: 'usage_billing_progress', external_id: p.id, api_key_id: null }).execute();
    const r = await retryPlan(h.db, p.id, { modelProfile: 'frontier' });
    expect(r.ok).toBe(true);
    const row = await h.db.selectFrom('plans').selectAll().where('id', '=', p.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ state: 'pending', generated_report_html: null, run_zip_snapshot: null, failure_reason: null, attempt: 1 });
    expect((row.parameters as any).model_profile).toBe('frontier');
    expect(await h.db.selectFrom('plan_files').selectAll().where('plan_id', '=', p.id).execute()).toEqual([]);
    const ledger = await h.db.selectFrom('credit_history').select('source').where('external_id', '=', p.id).execute();
    expect(ledger.map((l) => l.source)).toEqual(['usage_billing_settled']);
    expect((await retryPlan(h.db, p.id, { modelProfile: 'baseline' })).ok).toBe(false);
  });

  it('resume keeps artifacts, counts resumes, and gates on the pipeline version', async () => {
    const p = await plan();
    await sql`update plans set state = 'stopped', generated_report_html = 'keep' where id = ${p.id}`.execute(h.db);
    const r1 = await resumePlan(h.db, p.id, { modelProfile: 'baseline', pipelineVersion: 2 });
    expect(r1).toMatchObject({ ok: true, resumeCount: 1 });
    expect((await h.db.selectFrom('plans').select('generated_report_html').where('id', '=', p.id).executeTakeFirstOrThrow()).generated_report_html).toBe('keep');
    await sql`update plans set state = 'failed', parameters = '{"pipeline_version": 1}' where id = ${p.id}`.execute(h.db);
    expect(await resumePlan(h.db, p.id, { modelProfile: 'baseline', pipelineVersion: 2 })).toEqual({ ok: false, reason: 'version', stored: 1 });
  });

  it('computes artifact digests in the database', async () => {
    const p = await plan();
    expect(await blobVersion(h.db, p.id, 'report')).toBeNull();
    await sql`update plans set generated_report_html = 'héllo', run_zip_snapshot = '\\x00ff', run_artifact_layout_version = 2 where id = ${p.id}`.execute(h.db);
    const { createHash } = await import('node:crypto');
    const report = (await blobVersion(h.db, p.id, 'report'))!;
    expect({ sha256: await blobDigest(h.db, report), size: report.size }).toEqual({ sha256: createHash('sha256').update('héllo').digest('hex'), size: 6 });
    const zip = (await blobVersion(h.db, p.id, 'zip'))!;
    expect({ sha256: await blobDigest(h.db, zip), size: zip.size, layoutVersion: zip.layoutVersion }).toEqual({ sha256: createHash('sha256').update(Buffer.from([0, 255])).digest('hex'), size: 2, layoutVersion: 2 });
  });

  it('lists pending and processing plans for re-feeding, oldest first', async () => {
    const p = await plan();
    await sql`update plans set state = 'processing' where id = ${p.id}`.execute(h.db);
    const ids = (await listUnfinishedPlans(h.db)).map((r) => r.id);
    expect(ids).toContain(p.id);
  });

  it('keys: lookup by hash, revocation, credits ledger', async () => {
    const u = await createUser(h.db, { email: 'k@example.com' });
    const k = await insertApiKey(h.db, { userId: u.id, keyHash: `h-${randomUUID()}`, keyPrefix: 'pex_abcdef' });
    expect((await findActiveKeyByHash(h.db, k.key_hash))?.user.id).toBe(u.id);
    expect(await revokeApiKey(h.db, k.id)).toBe(1);
    expect(await findActiveKeyByHash(h.db, k.key_hash)).toBeNull();
    expect(Number(await grantCredits(h.db, u.id, 2.5))).toBe(2.5);
    expect(Number(await grantCredits(h.db, u.id, -1))).toBe(1.5);
  });

  it('a second final usage_billing row for one plan is refused by the database', async () => {
    const u = await createUser(h.db, {});
    const ext = randomUUID();
    const row = () => ({ id: randomUUID(), user_id: u.id, delta: -1, reason: 'plan_created_with_usage_cost', source: 'usage_billing', external_id: ext, api_key_id: null });
    await h.db.insertInto('credit_history').values(row()).execute();
    await expect(h.db.insertInto('credit_history').values(row()).execute()).rejects.toThrow();
  });
});

describe('splitSqlStatements', () => {
  it('splits on statement ends but not inside $$ blocks, and drops comments', () => {
    const parts = splitSqlStatements(`-- c\nCREATE TABLE a (x int);\nDO $$ BEGIN\n  PERFORM 1;\nEND $$;\n\nSELECT 1;`);
    expect(parts).toHaveLength(3);
    expect(parts[1]).toContain('PERFORM 1;');
  });
});

import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import { sql } from 'kysely';
import { unzipSync } from 'fflate';
import { createTestDb, dbKinds } from '@planexe/testing/infra';
import { startFakeLlm, type FakeLlm } from '@planexe/testing';
import { createUser, stopPlan, retryPlan, resumePlan, type DbHandle } from '@planexe/db';
import { MemoryBus } from '@planexe/infra';
import { fakeProfileDir, runnerSettings, syntheticSteps, makeRunner, newPlan, expectedOf } from './workerHarness.ts';
import { storedZip } from '@planexe/testing/storedArtifacts';

const kinds = await dbKinds();

describe.each(kinds)('plan runner (%s)', (kind) => {
  let dbh: DbHandle;
  let fake: FakeLlm;
  let cfg: string;
  const bus = new MemoryBus();
  beforeAll(async () => {
    dbh = await createTestDb(kind);
    fake = await startFakeLlm({ latencyMs: 5 });
    cfg = fakeProfileDir(fake);
  });
  afterAll(async () => {
    await fake?.close();
    await dbh?.close();
  });
  beforeEach(() => fake.reset());
  const planRow = (id: string) => dbh.db.selectFrom('plans').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  it('runs a plan to completed: every file persisted, report and zip stored, progress 100, snapshots published', async () => {
    const runs: Record<string, number> = {};
    const steps = syntheticSteps(runs);
    const p = await newPlan(dbh.db);
    const seen: number[] = [];
    const off = await bus.subscribeSnapshots(p.id, (s) => seen.push(s.progress_percentage));
    await makeRunner(dbh.db, bus, steps, runnerSettings(cfg)).run({ plan_id: p.id, attempt: 0 });
    await off();
    const row = await planRow(p.id);
    expect(row).toMatchObject({ state: 'completed', progress_message: 'Completed', current_step: 'Completed', steps_total: expectedOf(steps).length, run_artifact_layout_version: 2 });
    expect(Number(row.progress_percentage)).toBe(100);
    expect(row.generated_report_html).toContain('<html>');
    const zip = unzipSync((await storedZip(dbh.db, p.id))!);
    for (const f of expectedOf(steps)) expect(Object.keys(zip)).toContain(f);
    expect(Object.keys(zip)).not.toContain('track_activity.jsonl');
    const files = await dbh.db.selectFrom('plan_files').select('filename').where('plan_id', '=', p.id).execute();
    expect(files.length).toBeGreaterThanOrEqual(expectedOf(steps).length);
    expect(seen.at(-1)).toBe(100);
    expect(seen.length).toBeGreaterThan(5);
    const metrics = await dbh.db.selectFrom('token_metrics').selectAll().where('task_id', '=', p.id).execute();
    expect(metrics.length).toBe(3);
    expect(metrics.every((m) => m.success && (m.input_tokens ?? 0) > 0)).toBe(true);
  });

  it('stop mid-step: the in-flight LLM call is aborted, the plan is stopped within 2 s and stays stopped', async () => {
    const runs: Record<string, number> = {};
    const p = await newPlan(dbh.db, 'Stop me');
    fake.setBehaviour({ latencyMs: 20_000 });
    const runner = makeRunner(dbh.db, bus, syntheticSteps(runs), runnerSettings(cfg));
    const off = await bus.subscribeStops((s) => runner.stop(s.plan_id, s.attempt));
    const done = runner.run({ plan_id: p.id, attempt: 0 });
    await fake.waitForCalls(1, 10_000);
    const t0 = Date.now();
    const r = await stopPlan(dbh.db, p.id);
    expect(r.stopped).toBe(true);
    await bus.publishStop({ plan_id: p.id, attempt: 0 });
    await done;
    expect(Date.now() - t0).toBeLessThan(2_000);
    await off();
    for (let i = 0; i < 50 && fake.calls[0].outcome === 'pending'; i++) await new Promise((res) => setTimeout(res, 20));
    expect(fake.calls[0].outcome).toBe('aborted');
    await new Promise((res) => setTimeout(res, 300));
    const row = await planRow(p.id);
    expect(row.state).toBe('stopped');
    expect(row.generated_report_html).toBeNull();
    expect(runs.Report).toBeUndefined();
  });

  it('every model failing → failed with honest recoverable diagnostics; retry reruns from scratch and completes', async () => {
    const runs: Record<string, number> = {};
    const p = await newPlan(dbh.db, 'Fail me');
    fake.setBehaviour({ mode: '500' });
    await makeRunner(dbh.db, bus, syntheticSteps(runs), runnerSettings(cfg)).run({ plan_id: p.id, attempt: 0 });
    const failed = await planRow(p.id);
    expect(failed).toMatchObject({ state: 'failed', failure_reason: 'generation_error', failed_step: 'Identify Purpose', recoverable: true });
    expect(fake.calls.map((c) => c.model)).toEqual(['fake-model', 'fake-model', 'fake-model', 'fake-backup', 'fake-backup', 'fake-backup']);
    fake.reset();
    const rr = await retryPlan(dbh.db, p.id, { modelProfile: 'baseline' });
    expect(rr.ok).toBe(true);
    await makeRunner(dbh.db, bus, syntheticSteps(runs), runnerSettings(cfg)).run({ plan_id: p.id, attempt: 1 });
    expect((await planRow(p.id)).state).toBe('completed');
    expect(runs.Setup).toBe(2);
  });

  it('a malformed answer is repaired once; a 429 is retried on the same model', async () => {
    const p = await newPlan(dbh.db, 'Flaky model');
    fake.queueFailures('malformed', '429');
    await makeRunner(dbh.db, bus, syntheticSteps({}), runnerSettings(cfg)).run({ plan_id: p.id, attempt: 0 });
    expect((await planRow(p.id)).state).toBe('completed');
    expect(fake.calls.every((c) => c.model === 'fake-model')).toBe(true);
  });

  it('resume skips every persisted step and reruns only what is missing', async () => {
    const runs: Record<string, number> = {};
    const p = await newPlan(dbh.db, 'Resume me');
    await makeRunner(dbh.db, bus, syntheticSteps(runs, new Set(['SWOTAnalysis'])), runnerSettings(cfg)).run({ plan_id: p.id, attempt: 0 });
    const failed = await planRow(p.id);
    expect(failed).toMatchObject({ state: 'failed', failed_step: 'SWOT Analysis', recoverable: true });
    const before = { ...runs };
    const r = await resumePlan(dbh.db, p.id, { modelProfile: 'baseline', pipelineVersion: 2 });
    expect(r.ok).toBe(true);
    await makeRunner(dbh.db, bus, syntheticSteps(runs), runnerSettings(cfg, 'w-other')).run({ plan_id: p.id, attempt: 1 });
    expect((await planRow(p.id)).state).toBe('completed');
    expect(runs.Setup).toBe(before.Setup);
    expect(runs.IdentifyPurpose).toBe(before.IdentifyPurpose);
    expect(runs.SWOTAnalysis).toBe(before.SWOTAnalysis + 1);
    expect(runs.Report).toBe(1);
  });

  it('two workers race for one plan: exactly one runs it', async () => {
    const runs: Record<string, number> = {};
    const p = await newPlan(dbh.db, 'Race me');
    const a = makeRunner(dbh.db, bus, syntheticSteps(runs), runnerSettings(cfg, 'w-a'));
    const b = makeRunner(dbh.db, bus, syntheticSteps(runs), runnerSettings(cfg, 'w-b'));
    const results = await Promise.allSettled([a.run({ plan_id: p.id, attempt: 0 }), b.run({ plan_id: p.id, attempt: 0 })]);
    // the loser's job ends without running anything: the plan is held by a live worker (the reconciler re-feeds it
    // only if that worker's heartbeat goes stale)
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    expect((await planRow(p.id)).state).toBe('completed');
    expect(runs).toMatchObject({ Setup: 1, IdentifyPurpose: 1, IdentifyRisks: 1, SWOTAnalysis: 1, Report: 1 });
  });

  it('a late run of an old attempt writes nothing after a retry', async () => {
    const p = await newPlan(dbh.db, 'Superseded');
    await sql`update plans set state = 'failed' where id = ${p.id}`.execute(dbh.db);
    await retryPlan(dbh.db, p.id, { modelProfile: 'baseline' });
    await makeRunner(dbh.db, bus, syntheticSteps({}), runnerSettings(cfg)).run({ plan_id: p.id, attempt: 0 });
    const row = await planRow(p.id);
    expect(row.state).toBe('pending');
    expect(await dbh.db.selectFrom('plan_files').select('filename').where('plan_id', '=', p.id).execute()).toEqual([]);
  });

  it('charges the final usage exactly once, even when the job is delivered again', async () => {
    const user = await createUser(dbh.db, { credits: 10 });
    const p = await newPlan(dbh.db, 'Bill me', user.id);
    const runner = makeRunner(dbh.db, bus, syntheticSteps({}), runnerSettings(cfg));
    await runner.run({ plan_id: p.id, attempt: 0 });
    await runner.run({ plan_id: p.id, attempt: 0 });
    const ledger = await dbh.db.selectFrom('credit_history').selectAll().where('external_id', '=', p.id).execute();
    expect(ledger.filter((l) => l.source === 'usage_billing')).toHaveLength(1);
    const balance = Number((await dbh.db.selectFrom('user_account').select('credits_balance').where('id', '=', user.id).executeTakeFirstOrThrow()).credits_balance);
    expect(balance).toBeLessThan(9.0001);
    expect(balance).toBeGreaterThan(8.9);
  });
});

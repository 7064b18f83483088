import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import { unzipSync } from 'fflate';
import { createTestDb, dbKinds } from '@planexe/testing/infra';
import { startFakeLlm, type FakeLlm } from '@planexe/testing';
import { insertPlan, resumePlan, type Db, type DbHandle } from '@planexe/db';
import { MemoryBus } from '@planexe/infra';
import { fakeProfileDir, runnerSettings, makeRunner, newPlan } from './workerHarness.ts';
import { PIPELINE_STEPS, expectedFiles } from '../src/pipeline/graph.ts';
import { stepLabel, type StepDef } from '../src/engine/stepTypes.ts';
import { SECTIONS } from './pipelineSpec.ts';
import { storedZip } from '@planexe/testing/storedArtifacts';

const EXPECTED = expectedFiles(PIPELINE_STEPS);
const kinds = await dbKinds();

const planRow = (db: Db, id: string) => db.selectFrom('plans').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const fileNames = async (db: Db, id: string) => (await db.selectFrom('plan_files').select('filename').where('plan_id', '=', id).execute()).map((f) => f.filename).sort();
const headingsOf = (html: string) => [...html.matchAll(/<summary><h2>(.*?)<\/h2><\/summary>/g)].map((m) => m[1]);

/** The real steps, counting how often each one runs. */
function counted(runs: Record<string, number>): StepDef[] {
  return PIPELINE_STEPS.map((s) => ({ ...s, run: (ctx) => ((runs[s.name] = (runs[s.name] ?? 0) + 1), s.run(ctx)) }));
}

describe.each(kinds)('whole pipeline through the plan runner and the fake LLM (%s)', (kind) => {
  let dbh: DbHandle;
  let fake: FakeLlm;
  let cfg: string;
  const bus = new MemoryBus();
  beforeAll(async () => {
    dbh = await createTestDb(kind);
    fake = await startFakeLlm({ latencyMs: 1 });
    cfg = fakeProfileDir(fake, { luigiWorkers: 4 });
  });
  afterAll(async () => {
    await fake?.close();
    await dbh?.close();
  });
  beforeEach(() => fake.reset());

  it('completes with every expected file and a report with all 21 sections in order', { timeout: 120_000 }, async () => {
    const p = await newPlan(dbh.db, 'Open a small coffee shop in Copenhagen <script>alert(1)</script>');
    const seen: Array<{ step: string | null; total: number | null }> = [];
    const off = await bus.subscribeSnapshots(p.id, (s) => seen.push({ step: s.current_step, total: s.steps_total }));
    await makeRunner(dbh.db, bus, PIPELINE_STEPS, runnerSettings(cfg)).run({ plan_id: p.id, attempt: 0 });
    await off();
    const row = await planRow(dbh.db, p.id);
    expect(row).toMatchObject({ state: 'completed', steps_total: 125 });
    const files = await fileNames(dbh.db, p.id);
    for (const f of EXPECTED) expect(files, f).toContain(f);
    for (const f of ['experts.json', 'experts_raw.json', 'expert_criticism_2_raw.json', 'draft_documents_to_find_1_raw.json', 'wbs_level3_1_raw.json', 'task_durations_1_raw.json']) expect(files, f).toContain(f);
    const html = String(row.generated_report_html);
    expect(headingsOf(html)).toEqual(SECTIONS);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>alert');
    const zip = unzipSync((await storedZip(dbh.db, p.id))!);
    for (const f of EXPECTED) expect(Object.keys(zip), f).toContain(f);
    // progress runs over the full expected file set; labels follow spec §5.3
    expect(seen.some((s) => s.total === 125)).toBe(true);
    const labels = new Set(PIPELINE_STEPS.map((s) => stepLabel(s.name)));
    for (const s of ['Review Plan', 'Governance Phase 1 Audit', 'Potential Levers Constraint', 'Self Audit']) expect(seen.map((x) => x.step)).toContain(s);
    const metrics = await dbh.db.selectFrom('token_metrics').select(['step', 'success']).where('task_id', '=', p.id).execute();
    expect(metrics.length).toBe(fake.calls.length);
    for (const m of metrics) expect(labels.has(m.step ?? ''), m.step ?? '').toBe(true);
  });

  it.runIf(kind === 'pglite')('a fast run writes the same file set with fewer calls', { timeout: 120_000 }, async () => {
    const slow = await newPlan(dbh.db, 'Build a community garden in Leeds');
    await makeRunner(dbh.db, bus, PIPELINE_STEPS, runnerSettings(cfg)).run({ plan_id: slow.id, attempt: 0 });
    const slowCalls = fake.calls.length;
    fake.reset();
    const fast = await insertPlan(dbh.db, {
      prompt: 'Build a community garden in Leeds',
      userId: 'admin',
      apiKeyId: null,
      parameters: { model_profile: 'baseline', pipeline_version: 2, speed_vs_detail: 'fast_but_skip_details' },
    });
    await makeRunner(dbh.db, bus, PIPELINE_STEPS, runnerSettings(cfg)).run({ plan_id: fast.id, attempt: 0 });
    expect((await planRow(dbh.db, fast.id)).state).toBe('completed');
    const expectedOnly = (names: string[]) => names.filter((n) => EXPECTED.includes(n));
    expect(expectedOnly(await fileNames(dbh.db, fast.id))).toEqual(EXPECTED);
    expect(expectedOnly(await fileNames(dbh.db, fast.id))).toEqual(expectedOnly(await fileNames(dbh.db, slow.id)));
    const named = (n: string) => fake.calls.filter((c) => c.response_format?.json_schema?.name === n).length;
    expect([named('ReviewPlan'), named('Premortem'), named('SelfAudit')]).toEqual([3, 1, 1]);
    expect(named('BackgroundStory')).toBe(0);
    expect(fake.calls.length).toBeLessThan(slowCalls);
  });

  it.runIf(kind === 'pglite')('a resume after a failure in a late step reruns only what is missing', { timeout: 120_000 }, async () => {
    const runs: Record<string, number> = {};
    const p = await newPlan(dbh.db, 'Restore a lighthouse as a museum');
    // every model answers the self audit with text that is not JSON: the step fails after its fallbacks
    fake.setBehaviour({ content: (req) => (req.response_format?.json_schema?.name === 'SelfAudit' ? 'I would rather not.' : undefined) });
    await makeRunner(dbh.db, bus, counted(runs), runnerSettings(cfg)).run({ plan_id: p.id, attempt: 0 });
    const failed = await planRow(dbh.db, p.id);
    expect(failed).toMatchObject({ state: 'failed', failed_step: 'Self Audit', recoverable: true, steps_total: 125 });
    expect(failed.progress_message).toMatch(/^\d+ of 125\. Extra files: \d+$/);
    const present = new Set(await fileNames(dbh.db, p.id));
    const missing = PIPELINE_STEPS.filter((s) => !s.outputs.every((o) => present.has(o))).map((s) => s.name);
    expect(missing).toEqual(expect.arrayContaining(['SelfAudit', 'Report', 'FullPlanPipeline']));
    expect(missing.length).toBeLessThan(6);

    fake.reset();
    const before = { ...runs };
    expect((await resumePlan(dbh.db, p.id, { modelProfile: 'baseline', pipelineVersion: 2 })).ok).toBe(true);
    await makeRunner(dbh.db, bus, counted(runs), runnerSettings(cfg, 'w-other')).run({ plan_id: p.id, attempt: 1 });
    const done = await planRow(dbh.db, p.id);
    expect(done.state).toBe('completed');
    expect(headingsOf(String(done.generated_report_html))).toEqual(SECTIONS);
    const rerun = Object.keys(runs).filter((n) => runs[n] !== (before[n] ?? 0)).sort();
    expect(rerun).toEqual([...missing].sort());
    for (const n of rerun) expect(runs[n] - (before[n] ?? 0), n).toBe(1);
    expect(new Set(fake.calls.map((c) => c.response_format?.json_schema?.name))).toEqual(new Set(missing.filter((n) => PIPELINE_STEPS.find((s) => s.name === n)?.llm)));
  });
});

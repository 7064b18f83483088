import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createTestDb, dbKinds } from '@planexe/testing/infra';
import { startFakeLlm, type FakeLlm } from '@planexe/testing';
import type { DbHandle } from '@planexe/db';
import { MemoryBus } from '@planexe/infra';
import { fakeProfileDir, runnerSettings, makeRunner, newPlan } from './workerHarness.ts';
import { SPINE_STEPS, expectedFiles } from '../src/pipeline/graph.ts';

const kinds = await dbKinds();

describe.each(kinds)('spine through the plan runner and the fake LLM (%s)', (kind) => {
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

  it('completes with every expected file and a report', async () => {
    const p = await newPlan(dbh.db, 'Open a small coffee shop in Copenhagen <script>alert(1)</script>');
    await makeRunner(dbh.db, bus, SPINE_STEPS, runnerSettings(cfg)).run({ plan_id: p.id, attempt: 0 });
    const row = await dbh.db.selectFrom('plans').selectAll().where('id', '=', p.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ state: 'completed', steps_total: expectedFiles(SPINE_STEPS).length });
    const files = (await dbh.db.selectFrom('plan_files').select('filename').where('plan_id', '=', p.id).execute()).map((f) => f.filename);
    for (const f of expectedFiles(SPINE_STEPS)) expect(files, f).toContain(f);
    expect(files).toContain('wbs_level3_1_raw.json');
    expect(files).toContain('task_durations_1_raw.json');
    const html = String(row.generated_report_html);
    expect(html).toContain('<h2>Initial Prompt Vetted</h2>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>alert');
  });
});

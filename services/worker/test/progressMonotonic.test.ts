import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { sql } from 'kysely';
import { createTestDb, dbKinds } from '@planexe/testing/infra';
import { startFakeLlm, type FakeLlm } from '@planexe/testing';
import { claimRun, type DbHandle } from '@planexe/db';
import { MemoryBus } from '@planexe/infra';
import type { PlanSnapshot } from '@planexe/contracts';
import { PIPELINE_STEPS, expectedFiles } from '../src/pipeline/graph.ts';
import { fakeProfileDir, runnerSettings, makeRunner, newPlan } from './workerHarness.ts';

const kinds = await dbKinds();

/** Snapshots as a stream replica passes them on: in version order, an older or repeated version dropped. */
function asStreamed(seen: PlanSnapshot[]): PlanSnapshot[] {
  const out: PlanSnapshot[] = [];
  for (const s of seen) if (!out.length || s.version > out.at(-1)!.version) out.push(s);
  return out;
}

const decreases = (xs: number[]) => xs.flatMap((x, i) => (i && x < xs[i - 1] ? [`${xs[i - 1]} → ${x}`] : []));

describe.each(kinds)('progress only moves forward (%s)', (kind) => {
  let dbh: DbHandle;
  let fake: FakeLlm;
  const bus = new MemoryBus();
  beforeAll(async () => {
    dbh = await createTestDb(kind);
    fake = await startFakeLlm({ latencyMs: 3 });
  });
  afterAll(async () => {
    await fake?.close();
    await dbh?.close();
  });

  it('the real pipeline with 4 parallel steps: no snapshot version and no database write lowers progress or steps_completed', async () => {
    const p = await newPlan(dbh.db, 'Open a ceramics studio in Porto');
    const seen: PlanSnapshot[] = [];
    const off = await bus.subscribeSnapshots(p.id, (s) => seen.push(s));
    const runner = makeRunner(dbh.db, bus, PIPELINE_STEPS, runnerSettings(fakeProfileDir(fake, { luigiWorkers: 4 })));
    // every committed state of the row, sampled while the plan runs
    const sampled: { pct: number; steps: number; files: number }[] = [];
    let running = true;
    const sampler = (async () => {
      while (running) {
        const r = await sql<{ pct: string; steps: number | null; files: number }>`
          select progress_percentage as pct, steps_completed as steps, (select count(*)::int from plan_files where plan_id = ${p.id}) as files
          from plans where id = ${p.id}`.execute(dbh.db);
        const x = r.rows[0];
        sampled.push({ pct: Number(x.pct), steps: x.steps ?? 0, files: x.files });
        await new Promise((res) => setTimeout(res, 5));
      }
    })();
    await runner.run({ plan_id: p.id, attempt: 0 });
    running = false;
    await sampler;
    await off();
    const streamed = asStreamed(seen);
    expect(streamed.at(-1)?.state).toBe('completed');
    expect(streamed.length).toBeGreaterThan(20);
    expect(decreases(streamed.map((s) => s.progress_percentage))).toEqual([]);
    expect(decreases(streamed.map((s) => s.steps_completed ?? 0))).toEqual([]);
    expect(decreases(sampled.map((s) => s.pct))).toEqual([]);
    expect(decreases(sampled.map((s) => s.steps))).toEqual([]);
    expect(decreases(sampled.map((s) => s.files))).toEqual([]);
    expect(expectedFiles(PIPELINE_STEPS).length).toBeGreaterThan(50);
  }, 120_000);

  it('a takeover keeps the progress of the attempt; a write computed from fewer files does not lower it', async () => {
    const p = await newPlan(dbh.db, 'Take me over');
    await sql`update plans set state = 'processing', attempt = 0, claimed_by = 'dead', heartbeat_at = (now() at time zone 'utc') - interval '1 hour',
      progress_percentage = 40, steps_completed = 24, steps_total = 60, progress_message = '24 of 60' where id = ${p.id}`.execute(dbh.db);
    const claim = await claimRun(dbh.db, { planId: p.id, attempt: 0 }, 'w-new', 20);
    expect(claim.claimed).toBe(true);
    const row = await dbh.db.selectFrom('plans').selectAll().where('id', '=', p.id).executeTakeFirstOrThrow();
    expect({ pct: Number(row.progress_percentage), steps: row.steps_completed, by: row.claimed_by }).toEqual({ pct: 40, steps: 24, by: 'w-new' });
    const { writeProgress } = await import('@planexe/db');
    const after = await writeProgress(dbh.db, { planId: p.id, attempt: 0, workerId: 'w-new' }, { percentage: 10, message: '6 of 60', stepsCompleted: 6, stepsTotal: 60, currentStep: 'x' }, 'w-new');
    expect({ pct: Number(after.progress_percentage), steps: after.steps_completed, msg: after.progress_message }).toEqual({ pct: 40, steps: 24, msg: '24 of 60' });
    // the presumed-dead worker's late write changes nothing: the run is fenced on the claim
    await expect(writeProgress(dbh.db, { planId: p.id, attempt: 0, workerId: 'dead' }, { percentage: 90, message: '54 of 60', stepsCompleted: 54, stepsTotal: 60, currentStep: 'y' }, 'dead')).rejects.toThrow(/no longer processing/);
  });
});

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { sql } from 'kysely';
import { createTestDb, dbKinds } from '@planexe/testing/infra';
import type { DbHandle } from '@planexe/db';
import { MemoryQueue, type PlanQueue } from '@planexe/infra';
import { silentLogger } from '@planexe/telemetry';
import { Reconciler } from '../src/reconciler.ts';
import { newPlan } from './workerHarness.ts';

const kinds = await dbKinds();

describe.each(kinds)('reconciler (%s)', (kind) => {
  let dbh: DbHandle;
  beforeAll(async () => {
    dbh = await createTestDb(kind);
  });
  afterAll(async () => {
    await dbh?.close();
  });
  const age = (id: string, seconds: number) => sql`update plans set timestamp_created = (now() at time zone 'utc') - make_interval(secs => ${seconds}) where id = ${id}`.execute(dbh.db);
  const generation = async (id: string) => (await dbh.db.selectFrom('plans').select('takeover_generation').where('id', '=', id).executeTakeFirstOrThrow()).takeover_generation;

  it('re-feeds a pending plan whose job the queue lost, once, under a new job id; leaves a plan whose job is queued', async () => {
    const queue = new MemoryQueue();
    const r = new Reconciler({ db: dbh.db, queue, log: silentLogger(), staleSeconds: 1, intervalMs: 60_000, elect: kind === 'postgres' });
    const lost = await newPlan(dbh.db, 'Lost in a Redis restart');
    const fine = await newPlan(dbh.db, 'Still queued');
    const young = await newPlan(dbh.db, 'Just created');
    await Promise.all([age(lost.id, 60), age(fine.id, 60)]);
    await queue.enqueue({ plan_id: fine.id, attempt: 0 });
    const first = await r.pass();
    expect(first).toMatchObject({ stranded: 1, refed: 1 });
    expect(await generation(lost.id)).toBe(1);
    expect(await queue.jobState({ plan_id: lost.id, attempt: 0, generation: 1 })).toBe('queued');
    expect(await generation(fine.id)).toBe(0);
    expect(await generation(young.id)).toBe(0);
    expect(first!.oldestPendingSeconds).toBeGreaterThanOrEqual(59);
    // the re-fed job is queued now: nothing more to do
    expect(await r.pass()).toMatchObject({ stranded: 0, refed: 0 });
    await queue.close();
  });

  it('re-feeds a processing plan only once its heartbeat is stale, and leaves a stopped one alone', async () => {
    const queue = new MemoryQueue();
    const r = new Reconciler({ db: dbh.db, queue, log: silentLogger(), staleSeconds: 2, intervalMs: 60_000, elect: false });
    const live = await newPlan(dbh.db, 'Alive');
    const dead = await newPlan(dbh.db, 'Worker died');
    const stopped = await newPlan(dbh.db, 'Stop requested');
    await sql`update plans set state = 'processing', claimed_by = 'w', heartbeat_at = (now() at time zone 'utc') - interval '1 minute' where id = ${dead.id}`.execute(dbh.db);
    await sql`update plans set state = 'processing', stop_requested = true, heartbeat_at = (now() at time zone 'utc') - interval '1 minute' where id = ${stopped.id}`.execute(dbh.db);
    // the embedded database counts as just restarted until it has been up one stale period
    await new Promise((res) => setTimeout(res, 2_100));
    await sql`update plans set state = 'processing', claimed_by = 'w', heartbeat_at = now() at time zone 'utc' where id = ${live.id}`.execute(dbh.db);
    const report = await r.pass();
    expect(report?.refed).toBeGreaterThanOrEqual(1);
    expect(await generation(dead.id)).toBe(1);
    expect(await queue.jobState({ plan_id: dead.id, attempt: 0, generation: 1 })).toBe('queued');
    expect(await generation(live.id)).toBe(0);
    expect(await generation(stopped.id)).toBe(0);
    await queue.close();
  });

  it('asks the queue about a queued backlog once, not every pass, and about all of it again when the queue loses jobs', async () => {
    // the real in-process queue, behind a door that can be swapped for an empty one (a Redis that restarted empty)
    let inner = new MemoryQueue();
    const queue: PlanQueue = {
      jobState: (j) => inner.jobState(j),
      enqueue: (j) => inner.enqueue(j),
      process: (h, o) => inner.process(h, o),
      counts: () => inner.counts(),
      close: () => inner.close(),
    };
    const r = new Reconciler({ db: dbh.db, queue, log: silentLogger(), staleSeconds: 1, intervalMs: 60_000, elect: false });
    const backlog = [];
    for (let i = 0; i < 20; i++) backlog.push(await newPlan(dbh.db, `Backlog ${i}`));
    await Promise.all(backlog.map((p) => age(p.id, 60)));
    for (const p of backlog) await queue.enqueue({ plan_id: p.id, attempt: 0 });
    const checks = () => r.totals.jobStateChecks;

    const before = checks();
    await r.pass(); // the earlier tests' plans share the database: they may be re-fed here
    for (const p of backlog) expect(await generation(p.id)).toBe(0);
    const first = checks() - before;
    expect(first).toBeGreaterThanOrEqual(20); // every plan of the backlog asked about once (others' plans too)
    expect(await r.pass()).toMatchObject({ stranded: 0, refed: 0 });
    expect(await r.pass()).toMatchObject({ stranded: 0, refed: 0 });
    expect(checks() - before - first).toBeLessThan(20); // not again: the backlog's plans are remembered as queued

    // the queue restarts empty: its counts fall below what is remembered, so the next pass asks about every plan
    await inner.close();
    inner = new MemoryQueue();
    const lost = await r.pass();
    expect(lost!.refed).toBeGreaterThanOrEqual(20);
    for (const p of backlog) expect(await generation(p.id)).toBe(1);
    await inner.close();
  });
});

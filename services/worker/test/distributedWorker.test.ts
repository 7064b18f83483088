import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { createTestPostgresDb, natsAvailable, postgresAvailable, redisAvailable, NATS_URL, REDIS_URL } from '@planexe/testing/infra';
import { startFakeLlm, type FakeLlm } from '@planexe/testing';
import { stopPlan, type DbHandle } from '@planexe/db';
import { BullMqQueue, NatsBus } from '@planexe/infra';
import { silentLogger } from '@planexe/telemetry';
import { PlanWorker } from '../src/planWorker.ts';
import { expectedOf, fakeProfileDir, newPlan, runnerSettings, syntheticSteps } from './workerHarness.ts';

const ready = (await postgresAvailable()) && (await redisAvailable()) && (await natsAvailable());
const root = fileURLToPath(new URL('../../../', import.meta.url));

const until = async (cond: () => Promise<boolean>, ms: number, what: string) => {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > ms) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe.skipIf(!ready)('worker on BullMQ + NATS + Postgres', () => {
  let dbh: DbHandle & { url: string };
  let fake: FakeLlm;
  let cfg: string;
  const ns = `t${randomBytes(4).toString('hex')}`;
  const prefix = `planexe-test-${ns}`;
  const opened: { close(): Promise<void> }[] = [];
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    dbh = await createTestPostgresDb();
    fake = await startFakeLlm({ latencyMs: 5 });
    cfg = fakeProfileDir(fake, { luigiWorkers: 1 });
  });
  afterAll(async () => {
    for (const c of children) if (c.pid && c.exitCode === null && c.signalCode === null) { try { process.kill(-c.pid, 'SIGKILL'); } catch {} }
    for (const o of opened.reverse()) await o.close().catch(() => {});
    await fake?.close();
    await dbh?.close();
  });

  async function inProcessWorker(workerId: string) {
    const bus = await NatsBus.connect({ servers: NATS_URL, namespace: ns });
    const queue = new BullMqQueue({ connection: REDIS_URL, prefix, lockDuration: 2000, stalledInterval: 1000 });
    const steps = syntheticSteps({});
    const w = new PlanWorker({
      db: dbh.db, bus, queue, log: silentLogger(), steps, expected: expectedOf(steps), concurrency: 2, reapAfterSeconds: 0,
      settings: { ...runnerSettings(cfg, workerId), staleSeconds: 2, heartbeatMs: 300 },
    });
    await w.start();
    opened.push({ close: async () => { await w.stop(); await queue.close(); await bus.close(); } });
    return { w, bus, queue };
  }
  const state = async (id: string) => (await dbh.db.selectFrom('plans').select('state').where('id', '=', id).executeTakeFirstOrThrow()).state;

  it('runs an enqueued plan to completed and stops another over NATS within 2 s', async () => {
    const { queue } = await inProcessWorker('w-dist-1');
    const p = await newPlan(dbh.db, 'Distributed plan');
    await queue.enqueue({ plan_id: p.id, attempt: 0 });
    await until(async () => (await state(p.id)) === 'completed', 20_000, 'completed');

    fake.setBehaviour({ latencyMs: 30_000 });
    const q = await newPlan(dbh.db, 'Stop over NATS');
    await queue.enqueue({ plan_id: q.id, attempt: 0 });
    await until(async () => fake.calls.some((c) => c.outcome === 'pending'), 20_000, 'llm call in flight');
    const client = await NatsBus.connect({ servers: NATS_URL, namespace: ns });
    opened.push(client);
    const t0 = Date.now();
    await stopPlan(dbh.db, q.id);
    await client.publishStop({ plan_id: q.id, attempt: 0 });
    await until(async () => fake.calls.some((c) => c.outcome === 'aborted'), 2_000, 'llm call aborted');
    expect(Date.now() - t0).toBeLessThan(2_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(await state(q.id)).toBe('stopped');
    fake.reset();
  });

  it('a worker process killed with SIGKILL mid-plan: another worker completes it and no persisted step runs again', async () => {
    fake.setBehaviour({ latencyMs: 400 });
    const p = await newPlan(dbh.db, 'Crash in the middle');
    const child = spawn(process.execPath, ['--import', 'tsx', 'services/worker/test/fixtures/workerProcess.ts'], {
      cwd: root,
      detached: true,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, TEST_DB_URL: dbh.url, TEST_NATS_URL: NATS_URL, TEST_REDIS_URL: REDIS_URL, TEST_NS: ns, TEST_PREFIX: prefix, TEST_CONFIG_DIR: cfg, TEST_WORKER_ID: 'w-doomed' },
    });
    children.push(child);
    await new Promise<void>((resolve) => child.stdout!.on('data', (d) => String(d).includes('WORKER READY') && resolve()));
    const producer = new BullMqQueue({ connection: REDIS_URL, prefix });
    opened.push(producer);
    await producer.enqueue({ plan_id: p.id, attempt: 0 });
    // kill once at least one LLM step is persisted
    await until(async () => {
      const r = await dbh.db.selectFrom('plan_files').select('filename').where('plan_id', '=', p.id).where('filename', '=', 'identifypurpose.md').execute();
      return r.length > 0;
    }, 20_000, 'first llm step persisted');
    process.kill(-child.pid!, 'SIGKILL');
    const persistedAtKill = (await dbh.db.selectFrom('plan_files').select('step').where('plan_id', '=', p.id).execute()).map((r) => r.step);
    expect(await state(p.id)).toBe('processing');
    fake.setBehaviour({ latencyMs: 5 });
    await inProcessWorker('w-rescuer');
    await until(async () => (await state(p.id)) === 'completed', 30_000, 'completed by the rescuer');
    const row = await dbh.db.selectFrom('plans').select(['claimed_by']).where('id', '=', p.id).executeTakeFirstOrThrow();
    expect(row.claimed_by).not.toBe('w-doomed');
    const metrics = await sql<{ step: string; n: number }>`select step, count(*)::int as n from token_metrics where task_id = ${p.id} and success group by step`.execute(dbh.db);
    const runsPerStep = Object.fromEntries(metrics.rows.map((r) => [r.step, r.n]));
    for (const step of persistedAtKill.filter((s) => s === 'Identify Purpose')) expect(runsPerStep[step!]).toBe(1);
    expect(runsPerStep['Identify Purpose']).toBe(1);
    expect(runsPerStep['SWOT Analysis']).toBe(1);
  }, 60_000);
});

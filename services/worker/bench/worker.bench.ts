/**
 * Worker benchmarks on BullMQ + NATS + Postgres (prints tables). Needs Postgres, Redis and NATS on loopback.
 *   npm run bench:worker [-- --quick]
 * 1. plan_create → processing (pickup) while a worker slot is free, with 1,000 finished and 100 running plans in the
 *    database: measured from the tools handler's call until the `processing` snapshot arrives on NATS. Each probe is
 *    stopped and the worker drained before the next. Goal: pickup-p50 (p99 beside it).
 * 2. (full run only) plan wall time with the fake LLM at a fixed 200 ms per call against the sum of call latencies,
 *    through the queue (the wall-vs-* goals come from pipeline.bench.ts, on the runner alone).
 * 3. (full run only) worker RSS across 20 plans in a row.
 * A tool call answering isError, or a plan that does not complete, fails the benchmark.
 */
import { randomBytes } from 'node:crypto';
import { createTestPostgresDb, NATS_URL, REDIS_URL } from '@planexe/testing/infra';
import { startFakeLlm } from '@planexe/testing';
import { DownloadTokens, KeyCache, anonymousCaller } from '@planexe/auth';
import { insertPlan } from '@planexe/db';
import { BullMqQueue, NatsBus } from '@planexe/infra';
import { silentLogger } from '@planexe/telemetry';
import { FileModelCatalog } from '@planexe/llm';
import { ToolRegistry } from '@planexe/tools';
import { sql } from 'kysely';
import { PlanWorker } from '../src/planWorker.ts';
import { PIPELINE_STEPS, expectedFiles } from '../src/pipeline/graph.ts';
import { fakeProfileDir, runnerSettings } from '../test/workerHarness.ts';
import { BenchFailure, benchMain, goal, measuring, percentile, QUICK } from '../../../scripts/bench/kit.ts';

const PROBES = Number(process.env.BENCH_PROBES ?? (QUICK ? 30 : 100));
const FINISHED = 1_000;
const RUNNING = 100;

benchMain('worker', async () => {
  const ns = `b${randomBytes(3).toString('hex')}`;
  const dbh = await createTestPostgresDb();
  const fake = await startFakeLlm({ latencyMs: 200 });
  const cfg = fakeProfileDir(fake, { luigiWorkers: 4 });
  const bus = await NatsBus.connect({ servers: NATS_URL, namespace: ns });
  const queue = new BullMqQueue({ connection: REDIS_URL, prefix: `planexe-bench-${ns}` });
  const worker = new PlanWorker({
    db: dbh.db, bus, queue, log: silentLogger(), steps: PIPELINE_STEPS, expected: expectedFiles(PIPELINE_STEPS),
    concurrency: 4, reapAfterSeconds: 0, settings: { ...runnerSettings(cfg, 'bench-worker'), heartbeatMs: 5_000 },
  });
  try {
    await worker.start();
    const registry = new ToolRegistry(
      {
        db: dbh.db, queue, bus, tokens: new DownloadTokens(['x'], 900), keyCache: new KeyCache(), log: silentLogger(), examplePrompts: [],
        models: new FileModelCatalog({ PLANEXE_CONFIG_PATH: cfg, PLANEXE_LLM_CONFIG_CUSTOM_FILENAME: 'custom.json' }),
        settings: { requireUserKey: false, dedupWindowSeconds: 0, defaultProfile: 'baseline', resourceMaxInlineBytes: 5_242_880 },
      },
      { downloadTokenTtlSeconds: 900 },
    );
    const ctx = { caller: anonymousCaller(), surface: 'rest' as const };
    const call = async (tool: string, args: Record<string, unknown>) => {
      const res = await registry.call(tool, args, ctx);
      if (res.isError) throw new BenchFailure(`${tool} answered isError: ${res.content.map((c) => c.text).join(' ').slice(0, 200)}`);
      return res.structuredContent as Record<string, unknown>;
    };
    const drained = async () => {
      while (worker.runner.activeCount) await new Promise((r) => setTimeout(r, 20));
    };

    // the database a busy deployment has: finished history and running plans (rows only; no job of theirs is queued)
    const ids: string[] = [];
    for (let i = 0; i < FINISHED + RUNNING; i += 50) {
      const batch = await Promise.all(Array.from({ length: Math.min(50, FINISHED + RUNNING - i) }, (_, j) => insertPlan(dbh.db, { prompt: `history ${i + j}`, userId: 'admin', apiKeyId: null, parameters: { model_profile: 'baseline' } })));
      ids.push(...batch.map((p) => p.id));
    }
    await dbh.db.updateTable('plans').set({ state: 'completed', progress_percentage: 100 }).where('id', 'in', ids.slice(0, FINISHED)).execute();
    await dbh.db.updateTable('plans').set({ state: 'processing', progress_percentage: 40 }).where('id', 'in', ids.slice(FINISHED)).execute();
    const counts = await sql<{ state: string; n: number }>`select state, count(*)::int as n from plans group by state`.execute(dbh.db);

    // 1. plan_create → processing
    const lat: number[] = [];
    const w = measuring();
    for (let i = 0; i < PROBES; i++) {
      const t0 = performance.now();
      let resolveProcessing!: () => void;
      const processing = new Promise<void>((r) => (resolveProcessing = r));
      const id = (await call('plan_create', { prompt: `latency probe ${i} ${ns}` })).plan_id as string;
      const off = await bus.subscribeSnapshots(id, (s) => s.state === 'processing' && resolveProcessing());
      const cur = await dbh.db.selectFrom('plans').select('state').where('id', '=', id).executeTakeFirstOrThrow();
      if (cur.state !== 'pending') resolveProcessing();
      const timeout = setTimeout(() => resolveProcessing(), 30_000);
      await processing;
      clearTimeout(timeout);
      const ms = performance.now() - t0;
      if (ms >= 30_000) throw new BenchFailure(`probe ${i}: not picked up within 30 s`);
      lat.push(ms);
      await off();
      await call('plan_stop', { plan_id: id });
      await drained(); // the next probe finds a slot free
    }
    const loadMax = w.end();
    console.log(`\n1. plan_create → processing on BullMQ + NATS + Postgres (${PROBES} plans, a worker slot free; database: ${counts.rows.map((r) => `${r.n} ${r.state}`).join(', ')})\n`);
    console.log('| p50 ms | p99 ms | max ms |\n|---|---|---|');
    console.log(`| ${percentile(lat, 50).toFixed(1)} | ${percentile(lat, 99).toFixed(1)} | ${Math.max(...lat).toFixed(1)} |`);
    goal('pickup-p50', percentile(lat, 50), loadMax, { p99: percentile(lat, 99) });
    if (QUICK) return;

    // 2. wall time against the sum of call latencies, through the queue
    const runToEnd = async (prompt: string): Promise<{ id: string; wallMs: number }> => {
      const t0 = performance.now();
      const id = (await call('plan_create', { prompt })).plan_id as string;
      for (;;) {
        const r = await dbh.db.selectFrom('plans').select('state').where('id', '=', id).executeTakeFirstOrThrow();
        if (r.state === 'completed') return { id, wallMs: performance.now() - t0 };
        if (r.state === 'failed' || r.state === 'stopped') throw new BenchFailure(`bench plan ended ${r.state}`);
        await new Promise((res2) => setTimeout(res2, 20));
      }
    };
    const { id, wallMs } = await runToEnd(`Wall time probe ${ns}: open a community bakery in Bergen with 3M NOK`);
    const m = await sql<{ n: number; total: number }>`select count(*)::int as n, sum(duration_seconds)::float as total from token_metrics where task_id = ${id}`.execute(dbh.db);
    const { n, total } = m.rows[0];
    console.log('\n2. One plan through the queue, fake LLM at 200 ms per call, 4 parallel steps\n');
    console.log('| LLM calls | sum of call latencies s | plan wall time s | wall / sum |\n|---|---|---|---|');
    console.log(`| ${n} | ${total.toFixed(1)} | ${(wallMs / 1000).toFixed(1)} | ${(wallMs / 1000 / total).toFixed(2)} |`);

    // 3. RSS across 20 plans
    fake.setBehaviour({ latencyMs: 1 });
    const rss: number[] = [];
    for (let i = 0; i < 20; i++) {
      await runToEnd(`RSS probe ${i} ${ns}: a rooftop garden for a school in Lyon`);
      (globalThis as { gc?: () => void }).gc?.();
      rss.push(process.memoryUsage().rss / 1024 / 1024);
    }
    console.log('\n3. Worker process RSS after each of 20 plans in a row (MB; gc between plans when --expose-gc)\n');
    console.log('| plan | 1 | 5 | 10 | 15 | 20 |\n|---|---|---|---|---|---|');
    console.log(`| RSS MB | ${[0, 4, 9, 14, 19].map((i) => rss[i].toFixed(0)).join(' | ')} |`);
  } finally {
    await worker.stop();
    await queue.close();
    await bus.close();
    await fake.close();
    await dbh.close();
  }
});

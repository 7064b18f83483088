/**
 * Worker benchmarks (prints tables, asserts nothing). Needs Postgres, Redis and NATS on loopback.
 *   node --expose-gc --import tsx services/worker/bench/worker.bench.ts
 * 1. plan_create → processing latency on BullMQ (the tools handler enqueues; a worker claims; measured from the
 *    call until the `processing` snapshot arrives on NATS).
 * 2. plan wall time with the fake LLM at a fixed 200 ms per call against the sum of call latencies.
 * 3. worker RSS across 20 plans in a row.
 */
import { randomBytes } from 'node:crypto';
import { createTestPostgresDb, NATS_URL, REDIS_URL } from '@planexe/testing/infra';
import { startFakeLlm } from '@planexe/testing';
import { DownloadTokens, KeyCache, anonymousCaller } from '@planexe/auth';
import { BullMqQueue, NatsBus } from '@planexe/infra';
import { silentLogger } from '@planexe/telemetry';
import { ToolRegistry, FileModelCatalog } from '@planexe/tools';
import { sql } from 'kysely';
import { PlanWorker } from '../src/planWorker.ts';
import { PIPELINE_STEPS, expectedFiles } from '../src/pipeline/graph.ts';
import { fakeProfileDir, runnerSettings } from '../test/workerHarness.ts';

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
await worker.start();
const registry = new ToolRegistry(
  {
    db: dbh.db, queue, bus, tokens: new DownloadTokens(['x'], 900), keyCache: new KeyCache(), log: silentLogger(), examplePrompts: [],
    models: new FileModelCatalog({ PLANEXE_CONFIG_PATH: cfg, PLANEXE_LLM_CONFIG_CUSTOM_FILENAME: 'custom.json' }),
    settings: { requireUserKey: false, dedupWindowSeconds: 0, defaultProfile: 'baseline' },
  },
  { downloadTokenTtlSeconds: 900 },
);
const ctx = { caller: anonymousCaller(), surface: 'rest' as const };
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

// 1. plan_create → processing
const lat: number[] = [];
for (let i = 0; i < 40; i++) {
  const t0 = performance.now();
  let resolveProcessing!: () => void;
  const processing = new Promise<void>((r) => (resolveProcessing = r));
  const res = await registry.call('plan_create', { prompt: `latency probe ${i} ${ns}` }, ctx);
  const id = (res.structuredContent as { plan_id: string }).plan_id;
  const off = await bus.subscribeSnapshots(id, (s) => s.state === 'processing' && resolveProcessing());
  const cur = await dbh.db.selectFrom('plans').select('state').where('id', '=', id).executeTakeFirstOrThrow();
  if (cur.state !== 'pending') resolveProcessing();
  await processing;
  lat.push(performance.now() - t0);
  await off();
  await registry.call('plan_stop', { plan_id: id }, ctx);
  await new Promise((r) => setTimeout(r, 50));
}
console.log('\n1. plan_create → processing on BullMQ + NATS + Postgres (40 plans, idle worker)\n');
console.log('| p50 ms | p99 ms | max ms |\n|---|---|---|');
console.log(`| ${pct(lat, 50).toFixed(1)} | ${pct(lat, 99).toFixed(1)} | ${Math.max(...lat).toFixed(1)} |`);
while (worker.runner.activeCount) await new Promise((r) => setTimeout(r, 50));

// 2. wall time against the sum of call latencies
async function runToEnd(prompt: string): Promise<{ id: string; wallMs: number }> {
  const t0 = performance.now();
  const res = await registry.call('plan_create', { prompt }, ctx);
  const id = (res.structuredContent as { plan_id: string }).plan_id;
  for (;;) {
    const r = await dbh.db.selectFrom('plans').select('state').where('id', '=', id).executeTakeFirstOrThrow();
    if (r.state === 'completed' || r.state === 'failed') {
      if (r.state === 'failed') throw new Error('bench plan failed');
      return { id, wallMs: performance.now() - t0 };
    }
    await new Promise((res2) => setTimeout(res2, 20));
  }
}
const { id, wallMs } = await runToEnd(`Wall time probe ${ns}: open a community bakery in Bergen with 3M NOK`);
const m = await sql<{ n: number; total: number }>`select count(*)::int as n, sum(duration_seconds)::float as total from token_metrics where task_id = ${id}`.execute(dbh.db);
const { n, total } = m.rows[0];
console.log('\n2. One plan, fake LLM at 200 ms per call, 4 parallel steps\n');
console.log('| LLM calls | sum of call latencies s | plan wall time s | wall / sum |\n|---|---|---|---|');
console.log(`| ${n} | ${total.toFixed(1)} | ${(wallMs / 1000).toFixed(1)} | ${(wallMs / 1000 / total).toFixed(2)} |`);
// the graph's own bound: the longest chain of LLM steps must run one after another
const depth = new Map<string, number>();
for (const st of PIPELINE_STEPS) depth.set(st.name, Math.max(0, ...st.deps.map((d) => depth.get(d) ?? 0)) + (st.llm ? 1 : 0));
const chain = Math.max(...depth.values());
console.log(`\nlongest chain of LLM steps: ${chain} of ${PIPELINE_STEPS.filter((x) => x.llm).length} LLM steps → best possible wall / sum ≈ ${(chain / n).toFixed(2)}`);

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

await worker.stop();
await queue.close();
await bus.close();
await fake.close();
await dbh.close();
process.exit(0);

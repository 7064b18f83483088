/**
 * Whole-pipeline benchmark (prints tables): one plan per row through the real PlanRunner against the fake LLM at a
 * fixed 200 ms per call, 4 parallel steps (luigi_workers 4), on Postgres when reachable, else PGlite. Compares plan
 * wall time with the sum of call latencies (calls × the fake latency) and with the graph's critical path as the engine
 * reports it (its 'step graph critical path' log line): the longest chain of the declared step graph, each step
 * weighted by the time it was waiting on the model (calls in flight side by side count once). Beside it, the bound
 * that counts every call of a step as sequential (calls × the fake latency), which overstates steps that run their
 * independent calls concurrently.
 *   npm run bench:pipeline [-- --quick]      (BENCH_ROUNDS overrides)
 * Goals: wall-vs-sum, wall-vs-critical-path — the median of BENCH_ROUNDS (3) all_details_but_slow plans with
 * the fake LLM's default 2 items per list. Full run only, beside them: fast_but_skip_details, and 6 items per
 * list (closer to a real model: 6 work packages, 6 documents of each kind, …). A plan that does not complete
 * with every expected file fails the benchmark.
 */
import { sql } from 'kysely';
import { createTestDb, dbKinds } from '@planexe/testing/infra';
import { sampleFromSchema, seedOf, startFakeLlm, type ChatRequest } from '@planexe/testing';
import { insertPlan } from '@planexe/db';
import { MemoryBus } from '@planexe/infra';
import { Writable } from 'node:stream';
import pino from 'pino';
import { PlanRunner } from '../src/engine/planRunner.ts';
import { PIPELINE_STEPS, expectedFiles } from '../src/pipeline/graph.ts';
import { stepLabel } from '../src/engine/stepTypes.ts';
import { expectedOf, fakeProfileDir, runnerSettings } from '../test/workerHarness.ts';
import { BenchFailure, benchMain, goal, measuring, median, QUICK } from '../../../scripts/bench/kit.ts';

const LATENCY_MS = 200;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
benchMain('pipeline', async () => {
  const kind = (await dbKinds()).includes('postgres') ? 'postgres' : 'pglite';
  const dbh = await createTestDb(kind);
  const fake = await startFakeLlm({ latencyMs: LATENCY_MS });
  const cfg = fakeProfileDir(fake, { luigiWorkers: 4 });
  const bus = new MemoryBus();
  /** The engine's critical path per plan, read from its log line. */
  const reported = new Map<string, number>();
  const capture = new Writable({
    write(line: Buffer, _enc, cb) {
      const rec = JSON.parse(line.toString()) as { plan_id?: string; critical_path_ms?: number };
      if (rec.plan_id && typeof rec.critical_path_ms === 'number') reported.set(rec.plan_id, rec.critical_path_ms);
      cb();
    },
  });
  const log = pino({ level: 'info' }, capture);

  /** Answers structured requests with `items` entries per unconstrained list. */
  function listsOf(items: number) {
    return (req: ChatRequest) => {
      const schema = req.response_format?.json_schema?.schema;
      if (!schema) return undefined;
      const text = req.messages.map((m) => (typeof m.content === 'string' ? m.content : '')).join('\n');
      return JSON.stringify(sampleFromSchema(schema, { seed: seedOf(text), defaultArrayItems: items }));
    };
  }

  /** The longest dependency chain, counting every call of a step as sequential (overstates steps that run calls side by side). */
  function longestChain(callsByLabel: Map<string, number>): number {
    const depth = new Map<string, number>();
    for (const s of PIPELINE_STEPS) depth.set(s.name, Math.max(0, ...s.deps.map((d) => depth.get(d) ?? 0)) + (callsByLabel.get(stepLabel(s.name)) ?? 0));
    return Math.max(...depth.values());
  }

  interface Row {
    mode: string;
    items: number;
    calls: number;
    sumS: number;
    wallS: number;
    chain: number;
    /** The engine's critical path, s. */
    pathS: number;
    html: number;
    md: number;
    files: number;
  }

  async function runOne(speed: 'all_details_but_slow' | 'fast_but_skip_details', items: number): Promise<Row> {
    fake.setBehaviour({ content: items === 2 ? undefined : listsOf(items) });
    const plan = await insertPlan(dbh.db, {
      prompt: 'Open a community bakery with a café corner in Bergen, budget 3M NOK, opening within 12 months',
      userId: 'admin',
      apiKeyId: null,
      parameters: { model_profile: 'baseline', pipeline_version: 2, speed_vs_detail: speed },
    });
    const t0 = performance.now();
    await new PlanRunner({ db: dbh.db, bus, log, steps: PIPELINE_STEPS, expected: expectedOf(PIPELINE_STEPS), settings: runnerSettings(cfg, 'bench') }).run({ plan_id: plan.id, attempt: 0 });
    const wallS = (performance.now() - t0) / 1000;
    const row = await dbh.db.selectFrom('plans').select(['state', 'generated_report_html']).where('id', '=', plan.id).executeTakeFirstOrThrow();
    if (row.state !== 'completed') throw new BenchFailure(`bench plan ended ${row.state}`);
    const m = await sql<{ step: string; n: number; total: number }>`select step, count(*)::int as n, sum(duration_seconds)::float as total from token_metrics where task_id = ${plan.id} group by step`.execute(dbh.db);
    const byLabel = new Map(m.rows.map((r) => [r.step, Number(r.n)]));
    const md = await dbh.db.selectFrom('plan_files').select('content').where('plan_id', '=', plan.id).where('filename', '=', 'report.md').executeTakeFirst();
    const names = await dbh.db.selectFrom('plan_files').select('filename').where('plan_id', '=', plan.id).execute();
    const expected = new Set(expectedFiles(PIPELINE_STEPS));
    return {
      mode: speed,
      items,
      calls: m.rows.reduce((a, r) => a + Number(r.n), 0),
      sumS: m.rows.reduce((a, r) => a + Number(r.total), 0),
      wallS,
      chain: longestChain(byLabel),
      pathS: (reported.get(plan.id) ?? NaN) / 1000,
      html: Buffer.byteLength(String(row.generated_report_html)),
      md: md?.content ? md.content.length : 0,
      files: names.filter((f) => expected.has(f.filename)).length,
    };
  }

  const rows: Row[] = [];
  const w = measuring();
  for (let i = 0; i < ROUNDS; i++) rows.push(await runOne('all_details_but_slow', 2));
  const loadMax = w.end();
  if (!QUICK) for (const items of [2, 6]) for (const speed of ['all_details_but_slow', 'fast_but_skip_details'] as const) if (items !== 2 || speed !== 'all_details_but_slow') rows.push(await runOne(speed, items));
  const expectedCount = expectedFiles(PIPELINE_STEPS).length;
  for (const r of rows) if (r.mode === 'all_details_but_slow' && r.files !== expectedCount) throw new BenchFailure(`${r.mode}: ${r.files} of ${expectedCount} expected files written`);

  console.log(`\nWhole pipeline (${PIPELINE_STEPS.length} steps, ${expectedFiles(PIPELINE_STEPS).length} expected files), fake LLM at ${LATENCY_MS} ms per call, 4 parallel steps, ${kind}\n`);
  console.log('| mode | items per list | LLM calls | sum of call latencies s measured (calls × 200 ms) | plan wall time s | wall / (calls × 200 ms) | critical path s (engine) | wall / critical path | longest chain, calls as sequential (calls) | that bound s | expected files written | report.html bytes | report.md bytes |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  // the denominator is the nominal sum (calls × the fake latency), like the critical path: measured call times grow
  // with machine load and would flatter the ratio
  const nominal = (r: Row) => (r.calls * LATENCY_MS) / 1000;
  for (const r of rows) {
    console.log(`| ${r.mode} | ${r.items} | ${r.calls} | ${r.sumS.toFixed(1)} (${nominal(r).toFixed(1)}) | ${r.wallS.toFixed(1)} | ${(r.wallS / nominal(r)).toFixed(2)} | ${r.pathS.toFixed(1)} | ${(r.wallS / r.pathS).toFixed(2)} | ${r.chain} | ${((r.chain * LATENCY_MS) / 1000).toFixed(1)} | ${r.files} | ${r.html} | ${r.md} |`);
  }
  const goalRows = rows.slice(0, ROUNDS);
  const vsSum = median(goalRows.map((r) => r.wallS / nominal(r)));
  if (goalRows.some((r) => !(r.pathS > 0))) throw new BenchFailure('the engine reported no critical path');
  const vsPath = median(goalRows.map((r) => r.wallS / r.pathS));
  console.log(`\nall_details_but_slow, 2 items, median of ${ROUNDS}: wall / sum = ${vsSum.toFixed(2)}, wall / critical path = ${vsPath.toFixed(2)}; max 1-min load ${loadMax.toFixed(2)}`);
  goal('wall-vs-sum', vsSum, loadMax);
  goal('wall-vs-critical-path', vsPath, loadMax);

  await fake.close();
  await dbh.close();
});

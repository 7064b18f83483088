/**
 * Whole-pipeline benchmark (prints tables, asserts nothing): one plan per row through the real PlanRunner against
 * the fake LLM at a fixed 200 ms per call, 4 parallel steps (luigi_workers 4), on Postgres when reachable, else
 * PGlite. Compares plan wall time with the sum of call latencies and with the graph's own bound (the longest
 * chain of LLM calls that must run one after another).
 *   npx tsx services/worker/bench/pipeline.bench.ts
 * Rows: all_details_but_slow and fast_but_skip_details, with the fake LLM's default 2 items per list and with
 * 6 items per list (closer to a real model: 6 work packages, 6 documents of each kind, …).
 */
import { sql } from 'kysely';
import { createTestDb, dbKinds } from '@planexe/testing/infra';
import { sampleFromSchema, seedOf, startFakeLlm, type ChatRequest } from '@planexe/testing';
import { insertPlan } from '@planexe/db';
import { MemoryBus } from '@planexe/infra';
import { PIPELINE_STEPS, expectedFiles } from '../src/pipeline/graph.ts';
import { stepLabel } from '../src/engine/stepTypes.ts';
import { fakeProfileDir, makeRunner, runnerSettings } from '../test/workerHarness.ts';

const LATENCY_MS = 200;
const kind = (await dbKinds()).includes('postgres') ? 'postgres' : 'pglite';
const dbh = await createTestDb(kind);
const fake = await startFakeLlm({ latencyMs: LATENCY_MS });
const cfg = fakeProfileDir(fake, { luigiWorkers: 4 });
const bus = new MemoryBus();

/** Answers structured requests with `items` entries per unconstrained list. */
function listsOf(items: number) {
  return (req: ChatRequest) => {
    const schema = req.response_format?.json_schema?.schema;
    if (!schema) return undefined;
    const text = req.messages.map((m) => (typeof m.content === 'string' ? m.content : '')).join('\n');
    return JSON.stringify(sampleFromSchema(schema, { seed: seedOf(text), defaultArrayItems: items }));
  };
}

/** The longest dependency chain, counting each step as the LLM calls it made (a lower bound on wall time). */
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
  await makeRunner(dbh.db, bus, PIPELINE_STEPS, runnerSettings(cfg, 'bench')).run({ plan_id: plan.id, attempt: 0 });
  const wallS = (performance.now() - t0) / 1000;
  const row = await dbh.db.selectFrom('plans').select(['state', 'generated_report_html']).where('id', '=', plan.id).executeTakeFirstOrThrow();
  if (row.state !== 'completed') throw new Error(`bench plan ended ${row.state}`);
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
    html: Buffer.byteLength(String(row.generated_report_html)),
    md: md?.content ? md.content.length : 0,
    files: names.filter((f) => expected.has(f.filename)).length,
  };
}

const rows: Row[] = [];
for (const items of [2, 6]) for (const speed of ['all_details_but_slow', 'fast_but_skip_details'] as const) rows.push(await runOne(speed, items));

console.log(`\nWhole pipeline (${PIPELINE_STEPS.length} steps, ${expectedFiles(PIPELINE_STEPS).length} expected files), fake LLM at ${LATENCY_MS} ms per call, 4 parallel steps, ${kind}\n`);
console.log('| mode | items per list | LLM calls | sum of call latencies s | plan wall time s | wall / sum | longest LLM chain (calls) | chain bound s | expected files written | report.html bytes | report.md bytes |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.mode} | ${r.items} | ${r.calls} | ${r.sumS.toFixed(1)} | ${r.wallS.toFixed(1)} | ${(r.wallS / r.sumS).toFixed(2)} | ${r.chain} | ${((r.chain * LATENCY_MS) / 1000).toFixed(1)} | ${r.files} | ${r.html} | ${r.md} |`);
}

await fake.close();
await dbh.close();
process.exit(0);

/**
 * A burst of plan_create calls against the distributed system (2 gateways, 2 workers, the fake LLM): the calls are
 * sent as fast as the gateways answer them (100 in flight), then the benchmark waits until every plan is terminal. A create that is not a 2xx tool result, a
 * plan missing from the database, or one that did not complete with its report fails the run (no figure).
 * Measured over the window from the first create until the last plan completed and Postgres flushed its counters:
 * plans per minute per worker, Postgres backend CPU and transactions per plan, Redis commands and NATS messages
 * per plan. The window includes the system's own background work (reconciler, queue polling, heartbeats) for as
 * long as the burst lasts: that is part of what a plan costs.
 */
import pg from 'pg';
import { BenchFailure, expectOk, verify } from '../kit.ts';
import type { FakeLlm } from '@planexe/testing';
import { dbCounters, postgresCpu, processCpuSeconds, STATS_FLUSH_MS, type OwnInfra } from './meters.ts';

export interface BurstTarget {
  gateways: string[];
  adminUrl: string;
  databaseUrl: string;
  database: string;
  infra: OwnInfra;
  workerPids: number[];
  fake: FakeLlm;
  /** seconds after which a burst is capped: its figures cover the plans completed by then, the rest are stopped */
  timeoutS: number;
}

export interface BurstResult {
  plans: number;
  /** plans completed in the window: all of them, unless the burst was capped at its time limit */
  completed: number;
  capped: boolean;
  createSeconds: number;
  wallSeconds: number;
  plansPerMinutePerWorker: number;
  perWorker: Record<string, number>;
  llmCallsPerPlan: number;
  workerCpuSecondsPerPlan: number;
  pgCpuSecondsPerPlan: number;
  transactionsPerPlan: number;
  rowsReadPerPlan: number;
  rowsWrittenPerPlan: number;
  redisCommandsPerPlan: number;
  natsInPerPlan: number;
  natsOutPerPlan: number;
}

async function createPlan(gateway: string, prompt: string): Promise<string> {
  const res = await fetch(`${gateway}/mcp/tools/call`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tool: 'plan_create', arguments: { prompt } }),
  });
  const body = await res.text();
  expectOk('plan_create', res.status, body, verify.rest);
  const id = JSON.parse(JSON.parse(body).content[0].text).plan_id;
  if (typeof id !== 'string') throw new BenchFailure(`plan_create answered without a plan_id: ${body.slice(0, 200)}`);
  return id;
}

async function stopPlan(gateway: string, planId: string): Promise<void> {
  const res = await fetch(`${gateway}/mcp/tools/call`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tool: 'plan_stop', arguments: { plan_id: planId } }),
  });
  await res.text();
}

interface Progress {
  byState: Record<string, number>;
  reports: number;
  wallSeconds: number;
  perWorker: Record<string, number>;
}

async function progressOf(c: pg.Client, ids: string[]): Promise<Progress> {
  const states = await c.query<{ state: string; n: string; reports: string }>(
    `select state::text, count(*) as n, count(*) filter (where generated_report_html is not null) as reports
       from plans where id = any($1::uuid[]) group by state`,
    [ids],
  );
  const byState: Record<string, number> = {};
  let reports = 0;
  for (const r of states.rows) {
    byState[r.state] = Number(r.n);
    reports += Number(r.reports);
  }
  // the database's own clock: first insert to the last plan's last progress write (its completion)
  const wall = await c.query<{ s: string | null }>(
    `select extract(epoch from max(last_progress_at) - min(timestamp_created)) as s from plans where id = any($1::uuid[])`,
    [ids],
  );
  const workers = await c.query<{ w: string | null; n: string }>(
    `select claimed_by as w, count(*) as n from plans where id = any($1::uuid[]) group by claimed_by`,
    [ids],
  );
  const perWorker: Record<string, number> = {};
  for (const r of workers.rows) perWorker[r.w ?? 'none'] = Number(r.n);
  return { byState, reports, wallSeconds: Number(wall.rows[0]?.s ?? 0), perWorker };
}

/**
 * Creates in flight at once. 1,000 at once made some plan_create calls answer NO_MODEL_AVAILABLE: the tools'
 * model reachability probe (2 s timeout) ran while the tools and the fake LLM (in this process) were swamped, and
 * counted the slow answer as an unreachable model. 100 keeps a 100-plan burst all at once.
 */
const MAX_IN_FLIGHT = 100;

const workersCpu = (pids: number[]) =>
  pids.reduce((sum, pid) => {
    const s = processCpuSeconds(pid);
    if (s === undefined) throw new BenchFailure(`worker process ${pid} exited during the burst`);
    return sum + s;
  }, 0);

/**
 * Counts the fake LLM's recorded calls and drops them: it keeps every request body, which for a thousand plans
 * would hold gigabytes in this process.
 */
function drainCalls(fake: FakeLlm): number {
  const n = fake.calls.length;
  fake.calls.splice(0, n);
  return n;
}

export async function burst(t: BurstTarget, plans: number, tag: string): Promise<BurstResult> {
  const c = new pg.Client({ connectionString: t.databaseUrl });
  await c.connect();
  try {
    const [db0, redis0, nats0] = [await dbCounters(t.adminUrl, t.database), await t.infra.redisCalls(), await t.infra.natsMessages()];
    const cpu = postgresCpu(t.database);
    const worker0 = workersCpu(t.workerPids);
    drainCalls(t.fake);
    let llmCalls = 0;
    const t0 = performance.now();
    // distinct prompts: an identical prompt from the same caller would be answered with the first plan (dedup)
    const ids: string[] = new Array(plans);
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(plans, MAX_IN_FLIGHT) }, async () => {
        while (next < plans) {
          const i = next++;
          ids[i] = await createPlan(t.gateways[i % t.gateways.length], `Scale benchmark ${tag} plan ${i}: open a small bakery in Lisbon within six months on a budget of 80,000 EUR.`);
        }
      }),
    );
    const createSeconds = (performance.now() - t0) / 1000;
    if (new Set(ids).size !== plans) throw new BenchFailure(`${plans} creates returned ${new Set(ids).size} distinct plan ids`);
    let p = await progressOf(c, ids);
    const terminal = (x: Progress) => (x.byState.completed ?? 0) + (x.byState.failed ?? 0) + (x.byState.stopped ?? 0);
    let lastLog = 0;
    let capped = false;
    while (terminal(p) < plans && !capped) {
      await new Promise((r) => setTimeout(r, 2_000));
      p = await progressOf(c, ids);
      llmCalls += drainCalls(t.fake);
      capped = (performance.now() - t0) / 1000 > t.timeoutS;
      if (performance.now() - lastLog > 30_000) {
        lastLog = performance.now();
        console.log(`[scale] burst ${plans}: ${((performance.now() - t0) / 1000).toFixed(0)} s, ${JSON.stringify(p.byState)}`);
      }
    }
    const found = Object.values(p.byState).reduce((a, b) => a + b, 0);
    if (found !== plans) throw new BenchFailure(`burst of ${plans}: ${plans - found} plans lost (not in the database)`);
    const completed = p.byState.completed ?? 0;
    if (p.byState.failed || p.byState.stopped || p.reports !== completed) {
      throw new BenchFailure(`burst of ${plans}: not every plan completed with a report: ${JSON.stringify(p.byState)}, ${p.reports} reports`);
    }
    const elapsed = (performance.now() - t0) / 1000;
    // a finished burst waits for Postgres to report every counter; a capped one reads them at once (at most 10 s
    // of one backend's counts missing, against minutes of window), before stopping its unfinished plans
    if (!capped) await new Promise((r) => setTimeout(r, STATS_FLUSH_MS));
    const pgCpu = cpu.end();
    const workerCpu = workersCpu(t.workerPids) - worker0;
    llmCalls += drainCalls(t.fake);
    const [db1, redis1, nats1] = [await dbCounters(t.adminUrl, t.database), await t.infra.redisCalls(), await t.infra.natsMessages()];
    if (capped) {
      // stopped through the API, so they do not weigh on what is measured next
      const open = (await c.query<{ id: string }>(`select id from plans where id = any($1::uuid[]) and state in ('pending', 'processing')`, [ids])).rows;
      for (const [i, r] of open.entries()) await stopPlan(t.gateways[i % t.gateways.length], r.id);
      console.log(`[scale] burst ${plans}: capped at ${t.timeoutS} s with ${completed} completed; ${open.length} unfinished plans stopped`);
    }
    if (completed === 0) throw new BenchFailure(`burst of ${plans}: no plan completed in ${t.timeoutS} s`);
    const wallSeconds = capped ? elapsed : p.wallSeconds;
    // per completed plan; a capped window also holds the creates of the plans that never ran and the partial work
    // of the plans in flight at the cap, so its per-plan figures err high
    const per = (x: number) => x / completed;
    return {
      plans,
      completed,
      capped,
      createSeconds,
      wallSeconds,
      plansPerMinutePerWorker: completed / (wallSeconds / 60) / t.workerPids.length,
      perWorker: p.perWorker,
      llmCallsPerPlan: per(llmCalls),
      workerCpuSecondsPerPlan: per(workerCpu),
      pgCpuSecondsPerPlan: per(pgCpu),
      transactionsPerPlan: per(db1.transactions - db0.transactions),
      rowsReadPerPlan: per(db1.rowsRead - db0.rowsRead),
      rowsWrittenPerPlan: per(db1.rowsWritten - db0.rowsWritten),
      redisCommandsPerPlan: per(redis1 - redis0),
      natsInPerPlan: per(nats1.in - nats0.in),
      natsOutPerPlan: per(nats1.out - nats0.out),
    };
  } finally {
    await c.end();
  }
}

export function burstTable(rows: BurstResult[]): string {
  const f = (x: number, d = 1) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
  const lines = [
    '| plans in the burst | all sent in | last completed after | plans/min per worker | split between workers | LLM calls/plan | worker CPU s/plan | Postgres CPU s/plan | transactions/plan | rows read/plan | rows written/plan | Redis commands/plan | NATS msgs in/plan | NATS msgs out/plan |',
    '|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    const split = Object.entries(r.perWorker).sort().map(([w, n]) => `${w} ${n}`).join(', ');
    lines.push(
      `| ${r.plans.toLocaleString('en-US')}${r.capped ? ` (capped: ${r.completed.toLocaleString('en-US')} completed, per-plan figures per completed plan)` : ''} | ${f(r.createSeconds)} s | ${r.capped ? 'capped at ' : ''}${f(r.wallSeconds, 0)} s | ${f(r.plansPerMinutePerWorker, 2)} | ${split} | ${f(r.llmCallsPerPlan, 0)} | ${f(r.workerCpuSecondsPerPlan, 2)} | ${f(r.pgCpuSecondsPerPlan, 3)} | ${f(r.transactionsPerPlan, 0)} | ${f(r.rowsReadPerPlan, 0)} | ${f(r.rowsWrittenPerPlan, 0)} | ${f(r.redisCommandsPerPlan, 0)} | ${f(r.natsInPerPlan, 0)} | ${f(r.natsOutPerPlan, 0)} |`,
    );
  }
  return lines.join('\n');
}

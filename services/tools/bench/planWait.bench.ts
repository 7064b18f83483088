/**
 * wait-wake-p99: how soon a plan_status `wait_seconds` call answers after a worker publishes a progress change.
 * The tools service runs as one distributed replica in its own process (waitServer.ts: Postgres, NATS, Redis limits);
 * this process plays the worker (writes the plan row, then publishes its snapshot on its own NATS connection) and
 * the clients (REST /mcp/tools/call with the gateway's headers). Each round opens WAITS concurrent waits on one
 * plan, waits until every one of them listens (the server's count, not a sleep), writes one step of progress and
 * publishes it; a sample is publish → that wait's response fully arrived. Every answer must be 200, carry no
 * error and show the new step (a wait that timed out instead is a failure): one bad answer prints no figure.
 *   npm run bench -- --only wait [--quick]      (BENCH_ROUNDS overrides)
 */
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { anonymousCaller, CALLER_HEADER, encodeCaller, INTERNAL_SECRET_HEADER } from '@planexe/auth';
import { insertPlan, loadSnapshot } from '@planexe/db';
import { NatsBus } from '@planexe/infra';
import { createTestPostgresDb, NATS_URL } from '@planexe/testing/infra';
import { BenchFailure, benchMain, goal, measuring, percentile, QUICK, startNode } from '../../../scripts/bench/kit.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (QUICK ? 10 : 50));
const WAITS = 20;
const SERVER = fileURLToPath(new URL('./waitServer.ts', import.meta.url));
const SECRET = 'bench-internal-secret'; // waitServer.ts BENCH_INTERNAL_SECRET (not imported: that file starts a server)

benchMain('wait', async () => {
  const namespace = `bench-${randomBytes(4).toString('hex')}`;
  const dbh = await createTestPostgresDb();
  const worker = await NatsBus.connect({ servers: NATS_URL, namespace });
  try {
    const { match } = await startNode(SERVER, [dbh.url, namespace], /READY (\d+) (\d+)/);
    const [port, control] = [Number(match[1]), Number(match[2])];
    const caller = anonymousCaller();
    const headers = { 'content-type': 'application/json', [INTERNAL_SECRET_HEADER]: SECRET, [CALLER_HEADER]: encodeCaller(caller) };
    const plan = await insertPlan(dbh.db, { prompt: 'wait bench', userId: caller.owner, apiKeyId: null, parameters: {} });
    await dbh.db.updateTable('plans').set({ state: 'processing', steps_total: 1000, steps_completed: 0 }).where('id', '=', plan.id).execute();
    const waiting = async () => Number(await (await fetch(`http://127.0.0.1:${control}/`)).text());

    async function round(step: number, samples: number[] | undefined): Promise<void> {
      const body = JSON.stringify({ tool: 'plan_status', arguments: { plan_id: plan.id, wait_seconds: 50 } });
      let published = 0;
      const calls = Array.from({ length: WAITS }, async () => {
        const res = await fetch(`http://127.0.0.1:${port}/mcp/tools/call`, { method: 'POST', headers, body });
        const text = await res.text();
        const arrived = performance.now();
        if (res.status !== 200) throw new BenchFailure(`plan_status wait: HTTP ${res.status}: ${text.slice(0, 200)}`);
        const j = JSON.parse(text) as { error: unknown; content: { text: string }[] };
        const p = JSON.parse(j.content[0].text) as { steps_completed?: number };
        if (j.error !== null || p.steps_completed !== step) throw new BenchFailure(`plan_status wait: not woken by step ${step}: ${text.slice(0, 200)}`);
        samples?.push(arrived - published);
      });
      const end = Date.now() + 30_000;
      while ((await waiting()) < WAITS) {
        if (Date.now() > end) throw new BenchFailure(`only ${await waiting()} of ${WAITS} waits were listening after 30 s`);
        await new Promise((r) => setTimeout(r, 5));
      }
      // what a worker does after a step: the row first, then its snapshot
      await dbh.db.updateTable('plans').set({ steps_completed: step, current_step: `step ${step}`, state_version: sql`state_version + 1` as never }).where('id', '=', plan.id).execute();
      const snapshot = (await loadSnapshot(dbh.db, plan.id))!;
      published = performance.now();
      await worker.publishSnapshot(snapshot);
      await Promise.all(calls);
    }

    for (let i = 1; i <= 3; i++) await round(i, undefined); // warm-up: JIT, pools, subscriptions
    const samples: number[] = [];
    const roundMax: number[] = [];
    const w = measuring();
    for (let r = 0; r < ROUNDS; r++) {
      const before = samples.length;
      await round(4 + r, samples);
      roundMax.push(Math.max(...samples.slice(before)));
    }
    const loadMax = w.end();
    // the rounds are correlated (one publish wakes WAITS calls): a slow round shows here, not as one slow call
    console.log(`[wait] slowest answer per round (ms): ${roundMax.map((x) => x.toFixed(0)).join(' ')}`);
    const p50 = percentile(samples, 50);
    const p99 = percentile(samples, 99);
    console.log(`[wait] ${samples.length} waits (${ROUNDS} rounds of ${WAITS} on one plan): publish → response p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms, max ${Math.max(...samples).toFixed(2)} ms`);
    goal('wait-wake-p99', p99, loadMax, { p50 });
  } finally {
    await worker.close();
    await dbh.close();
  }
});
